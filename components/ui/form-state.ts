import type { Problem } from '@/lib/errors';

/**
 * What a form's server action returns to the form: the problem to show and the values the user
 * sent (so nothing they typed is lost). `nonce` changes on every submission, so the form can be
 * re-keyed and its defaults re-applied.
 */
export type FormState = {
  nonce: number;
  problem?: Problem;
  values?: Record<string, unknown>;
  message?: string;
};

export const initialFormState: FormState = { nonce: 0 };

/** The first message for a field: errors at `path` or below it (e.g. `allowedCountries.2`). */
export function fieldError(state: FormState, path: string): string | undefined {
  const hit = state.problem?.errors?.find((e) => e.path === path || e.path.startsWith(`${path}.`));
  return hit?.message;
}

export function valueOf(state: FormState, key: string, fallback = ''): string {
  const v = state.values?.[key];
  return typeof v === 'string' ? v : fallback;
}

export function valuesOf(state: FormState, key: string, fallback: readonly string[] = []): string[] {
  const v = state.values?.[key];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  return typeof v === 'string' ? [v] : [...fallback];
}
