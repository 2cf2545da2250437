'use client';

import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Checkbox } from '@/components/ui/input';
import { ProblemSummary } from '@/components/ui/problem-summary';
import { useForm } from '@/components/ui/use-form';
import type { FormState } from '@/lib/http/form-state';
import { setRunningVersionsInput } from '@/lib/modules/deployments/schema';

type Choice = { id: string; label: string; note?: string };

/** The refusal (its errors listed by path: they are about versions or lines of a file, not fields), or the success message. */
function Outcome({ state }: { state: FormState }) {
  if (state.problem) return <ProblemSummary state={state} />;
  return state.message ? <Alert tone="success">{state.message}</Alert> : null;
}

/** An administrator's entry of what an air-gapped site runs (it cannot report by heartbeat). */
export function RunningEditor({ choices, selected, action }: { choices: Choice[]; selected: string[]; action: (state: FormState, form: FormData) => Promise<FormState> }) {
  const { state, pending, key, formProps } = useForm(action, setRunningVersionsInput);
  const chosen = new Set(selected);
  return (
    <form key={key} {...formProps} className="space-y-3">
      <Outcome state={state} />
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

/**
 * Import of the running-versions file the site exported (README "Running-versions file"). Its
 * content is checked on the server (runningVersionsFile), where the file is read.
 */
export function RunningImport({ action }: { action: (state: FormState, form: FormData) => Promise<FormState> }) {
  const { state, pending, key, formProps } = useForm(action);
  return (
    <form key={key} {...formProps} className="space-y-2">
      <Outcome state={state} />
      <label className="block text-sm font-medium text-slate-800" htmlFor="running-file">
        Running-versions file (JSON)
      </label>
      <input
        id="running-file"
        type="file"
        name="file"
        accept="application/json,.json"
        required
        className="block text-sm file:mr-3 file:rounded-md file:border file:border-slate-300 file:bg-white file:px-3 file:py-1.5 file:text-sm"
      />
      <p className="text-xs text-slate-600">
        Written by the site&apos;s agent. The weights digests it measured must match the catalogue; an older file than the one on record is refused.
      </p>
      <Button type="submit" variant="secondary" size="sm" disabled={pending}>
        {pending ? 'Importing…' : 'Import file'}
      </Button>
    </form>
  );
}
