'use client';

import { useState } from 'react';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Field, describedBy } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { ProblemSummary } from '@/components/ui/problem-summary';
import { Select, type SelectOption } from '@/components/ui/select';
import { type FormControls, useForm } from '@/components/ui/use-form';
import { type FormState, fieldError, valueOf } from '@/lib/http/form-state';
import { createRolloutForm } from '@/lib/modules/rollouts/schema';

type RolloutFormProps = {
  action: (state: FormState, form: FormData) => Promise<FormState>;
  /** Released catalogue versions; whether the tenant is entitled is the server's answer. */
  versions: SelectOption[];
  airgapped?: boolean;
};

/** Pin now, or schedule an upgrade with the date the tenant is given notice. */
export function RolloutForm(props: RolloutFormProps) {
  const form = useForm(props.action, createRolloutForm);
  return <RolloutFields key={form.key} {...props} form={form} />;
}

const LABELS = { modelVersionId: 'Model version', scheduledFor: 'Upgrade on', noticeAt: 'Notice given on', note: 'Note' };

function RolloutFields({ versions, airgapped, form: { state, pending, formProps } }: RolloutFormProps & { form: FormControls }) {
  const [when, setWhen] = useState(valueOf(state, 'when', 'now'));
  const err = (path: string) => fieldError(state, path);
  const problem = state.problem;
  return (
    <form {...formProps} className="space-y-3">
      <ProblemSummary
        state={state}
        labels={LABELS}
        fieldId={(path) => (path === 'note' ? 'rollout-note' : path)}
        // A refusal by the tenant's contract or the catalogue names its reason.
        title={(p) => (p.code === 'validation_failed' && p.reason ? 'This version cannot be pinned here' : undefined)}
        detailTestId="rollout-problem"
      />
      {state.message && <Alert tone="success">{state.message}</Alert>}
      <Field id="modelVersionId" label="Model version" required error={problem?.reason ? undefined : err('modelVersionId')}>
        <Select
          {...describedBy('modelVersionId', { error: err('modelVersionId') })}
          name="modelVersionId"
          defaultValue={valueOf(state, 'modelVersionId')}
          options={versions}
          placeholder="Choose a released version…"
          required
        />
      </Field>
      <fieldset className="space-y-1.5">
        <legend className="text-sm font-medium text-slate-800">When</legend>
        <label className="flex items-center gap-2 text-sm">
          <input type="radio" name="when" value="now" checked={when === 'now'} onChange={() => setWhen('now')} className="accent-brand-700" />
          {airgapped ? 'Pin now — the site installs it; enter or import its report when done' : 'Pin now — the agent installs it on its next check-in'}
        </label>
        <label className="flex items-center gap-2 text-sm">
          <input type="radio" name="when" value="scheduled" checked={when === 'scheduled'} onChange={() => setWhen('scheduled')} className="accent-brand-700" />
          Schedule an upgrade
        </label>
      </fieldset>
      {when === 'scheduled' && (
        <div className="grid gap-3 sm:grid-cols-2">
          <Field id="scheduledFor" label="Upgrade on" required error={err('scheduledFor')} hint="From midnight UTC.">
            <Input
              {...describedBy('scheduledFor', { error: err('scheduledFor'), hint: true })}
              type="date"
              name="scheduledFor"
              defaultValue={valueOf(state, 'scheduledFor')}
              required
            />
          </Field>
          <Field id="noticeAt" label="Notice given on" error={err('noticeAt')} hint="Default: today.">
            <Input {...describedBy('noticeAt', { error: err('noticeAt'), hint: true })} type="date" name="noticeAt" defaultValue={valueOf(state, 'noticeAt')} />
          </Field>
        </div>
      )}
      <Field id="rollout-note" label="Note" error={err('note')} hint="Why; kept with the rollout and in the audit trail.">
        <Input {...describedBy('rollout-note', { error: err('note'), hint: true })} name="note" maxLength={500} defaultValue={valueOf(state, 'note')} />
      </Field>
      <Button type="submit" variant="primary" disabled={pending}>
        {pending ? 'Saving…' : when === 'now' ? 'Pin version' : 'Schedule upgrade'}
      </Button>
    </form>
  );
}
