import type { z } from 'zod';
import type { Problem } from '@/lib/core/errors';

// What a form and its server action exchange. This module runs in the browser as well as on the
// server (the form checks its input with the same schema before sending it), so it imports only
// types: no Prisma, no next/headers.

/** A form's fields as the schemas read them (see formDataToObject). */
export type FormValues = Record<string, unknown>;

/**
 * What a form's server action returns to the form: the problem to show and the values the user
 * sent (so nothing they typed is lost), or a message and, for forms that show a result, `data`.
 * `nonce` changes on every answer, so the form can be re-keyed and its defaults re-applied.
 */
export type FormState<D = never> = {
  nonce: number;
  problem?: Problem;
  values?: FormValues;
  message?: string;
  data?: D;
};

export const initialFormState: FormState = { nonce: 0 };

function setPath(target: Record<string, unknown> | unknown[], path: string[], value: unknown): void {
  const [head, ...rest] = path as [string, ...string[]];
  const slot = target as Record<string, unknown>;
  if (rest.length === 0) {
    slot[head] = value;
    return;
  }
  if (typeof slot[head] !== 'object' || slot[head] === null) slot[head] = /^\d+$/.test(rest[0]) ? [] : {};
  setPath(slot[head] as Record<string, unknown>, rest, value);
}

/**
 * FormData → plain object for zod. Repeated keys (and keys ending in "[]") become arrays, with
 * empty entries dropped, so a hidden empty "name[]" makes an unticked checkbox list arrive as [].
 * An empty field becomes undefined (an optional field left blank). Dots nest: "sla.rtoHours" →
 * { sla: { rtoHours } }, "entitlements.0.maxDeployments" → { entitlements: [{ maxDeployments }] },
 * so a field's name is the path its errors come back with. Checkboxes arrive as "on"; files are
 * left out (an action reads them from the FormData itself).
 */
export function formDataToObject(form: FormData): FormValues {
  const out: FormValues = {};
  for (const key of new Set(form.keys())) {
    if (key.startsWith('$ACTION')) continue;
    const values = form.getAll(key).filter((v): v is string => typeof v === 'string');
    const list = key.endsWith('[]');
    const name = list ? key.slice(0, -2) : key;
    const value = list || values.length > 1 ? values.filter((v) => v !== '') : values[0] === '' ? undefined : values[0];
    if (!list && values.length === 0) continue;
    setPath(out, name.split('.'), value);
  }
  return out;
}

/** The first message for a field: errors at `path` or below it (e.g. `allowedCountries.2`). */
export function fieldError(state: Pick<FormState<unknown>, 'problem'>, path: string): string | undefined {
  const hit = state.problem?.errors?.find((e) => e.path === path || e.path.startsWith(`${path}.`));
  return hit?.message;
}

export function valueOf(state: Pick<FormState<unknown>, 'values'>, key: string, fallback = ''): string {
  const v = state.values?.[key];
  return typeof v === 'string' ? v : fallback;
}

export function valuesOf(state: Pick<FormState<unknown>, 'values'>, key: string, fallback: readonly string[] = []): string[] {
  const v = state.values?.[key];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  return typeof v === 'string' ? [v] : [...fallback];
}

/** The detail of every schema refusal: the fields' own messages say what is wrong. */
export const INVALID_FIELDS_DETAIL = 'The request has invalid fields.';

/**
 * The problem a schema's refusal becomes — the same object lib/core/errors' toProblem makes of a
 * ZodError on the server (a test holds them equal), built here without its server imports.
 */
export function invalidInput(error: z.ZodError): Problem {
  return {
    type: 'urn:charter:problem:validation_failed',
    title: 'Invalid input',
    status: 400,
    detail: INVALID_FIELDS_DETAIL,
    code: 'validation_failed',
    errors: error.issues.map((i) => ({ path: i.path.join('.') || '(root)', message: i.message })),
  };
}

/** Runs a form's schema over its fields: the problem to show, or undefined when the input passes. */
export function checkForm(schema: z.ZodType, values: FormValues): Problem | undefined {
  const result = schema.safeParse(values);
  return result.success ? undefined : invalidInput(result.error);
}
