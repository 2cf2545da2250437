'use client';

import { useActionState } from 'react';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { type FormState, initialFormState } from '@/components/ui/form-state';
import { Checkbox } from '@/components/ui/input';

type Choice = { id: string; label: string; note?: string };

function ProblemText({ state }: { state: FormState }) {
  if (!state.problem) return state.message ? <Alert tone="success">{state.message}</Alert> : null;
  return (
    <Alert tone="error" title={state.problem.title}>
      <p>{state.problem.detail}</p>
      {state.problem.errors && state.problem.errors.length > 0 && (
        <ul className="mt-1 list-disc pl-5 text-xs">
          {state.problem.errors.map((e) => (
            <li key={`${e.path}:${e.message}`}>
              <span className="font-mono">{e.path}</span>: {e.message}
            </li>
          ))}
        </ul>
      )}
    </Alert>
  );
}

/** An administrator's entry of what an air-gapped site runs (it cannot report by heartbeat). */
export function RunningEditor({ choices, selected, action }: { choices: Choice[]; selected: string[]; action: (state: FormState, form: FormData) => Promise<FormState> }) {
  const [state, formAction, pending] = useActionState(action, initialFormState);
  const chosen = new Set(selected);
  return (
    <form key={state.nonce} action={formAction} className="space-y-3" noValidate>
      <ProblemText state={state} />
      <fieldset>
        <legend className="text-sm font-medium text-slate-800">Versions the site runs now</legend>
        <ul className="mt-1 grid gap-x-4 sm:grid-cols-2">
          {choices.map((c) => (
            <li key={c.id}>
              <label className="flex items-center gap-2 rounded px-1 py-0.5 text-sm hover:bg-slate-50">
                <Checkbox name="modelVersionIds[]" value={c.id} defaultChecked={chosen.has(c.id)} />
                <span className="font-mono text-xs">{c.label}</span>
                {c.note && <span className="text-xs text-slate-500">{c.note}</span>}
              </label>
            </li>
          ))}
        </ul>
      </fieldset>
      <Button type="submit" variant="secondary" size="sm" disabled={pending}>
        {pending ? 'Saving…' : 'Save running versions'}
      </Button>
    </form>
  );
}

/** Import of the running-versions file the site exported (README "Running-versions file"). */
export function RunningImport({ action }: { action: (state: FormState, form: FormData) => Promise<FormState> }) {
  const [state, formAction, pending] = useActionState(action, initialFormState);
  return (
    <form key={state.nonce} action={formAction} className="space-y-2" noValidate>
      <ProblemText state={state} />
      <label className="block text-sm font-medium text-slate-800" htmlFor="running-file">
        Running-versions file (JSON)
      </label>
      <input id="running-file" type="file" name="file" accept="application/json,.json" required className="block text-sm file:mr-3 file:rounded-md file:border file:border-slate-300 file:bg-white file:px-3 file:py-1.5 file:text-sm" />
      <p className="text-xs text-slate-600">Written by the site&apos;s agent. The weights digests it measured must match the catalogue; an older file than the one on record is refused.</p>
      <Button type="submit" variant="secondary" size="sm" disabled={pending}>
        {pending ? 'Importing…' : 'Import file'}
      </Button>
    </form>
  );
}
