'use client';

import { useState } from 'react';
import { CountryPicker } from '@/components/tenants/country-picker';
import type { CountryOption } from '@/components/tenants/labels';
import { Button, ButtonLink } from '@/components/ui/button';
import { Field, describedBy } from '@/components/ui/field';
import { Input, Textarea } from '@/components/ui/input';
import { ProblemSummary } from '@/components/ui/problem-summary';
import { Select, type SelectOption } from '@/components/ui/select';
import { type FormControls, useForm } from '@/components/ui/use-form';
import { type FormState, fieldError, valueOf, valuesOf } from '@/lib/http/form-state';
import { createModelVersionInput, updateModelVersionForm } from '@/lib/modules/models/schema';

const LABELS: Record<string, string> = {
  family: 'Model family',
  version: 'Version',
  weightsDigest: 'Weights digest',
  techDocDigest: 'Technical-documentation digest',
  parameterCount: 'Parameters',
  contextLength: 'Context length',
  licence: 'Licence',
  releaseNotes: 'Release notes',
  exportRestrictions: 'Export restrictions',
};

export type VersionFormValues = {
  family: string;
  version: string;
  weightsDigest: string;
  techDocDigest: string;
  parameterCount: string;
  contextLength: string;
  licence: string;
  releaseNotes: string;
  exportRestrictions: string[];
};

type VersionFormProps = {
  action: (state: FormState, form: FormData) => Promise<FormState>;
  families: SelectOption[];
  family?: string;
  countries: CountryOption[];
  /** Editing an existing version: its values, and whether its released fields are fixed. */
  initial?: VersionFormValues;
  fixed?: boolean;
  cancelHref?: string;
};

/** A new catalogue version (DRAFT), or the edit of one, checked with the server's schema; a refusal keeps the input. */
export function VersionForm(props: VersionFormProps) {
  const form = useForm(props.action, props.initial ? updateModelVersionForm : createModelVersionInput);
  return <VersionFields key={form.key} {...props} form={form} />;
}

function VersionFields({
  families,
  family,
  countries,
  initial,
  fixed = false,
  cancelHref = '/models',
  form: { state, pending, formProps },
}: VersionFormProps & { form: FormControls }) {
  const err = (path: string) => fieldError(state, path);
  const sent = state.values !== undefined;
  const initialOf = (id: string): string => {
    const value = initial?.[id as keyof VersionFormValues];
    return typeof value === 'string' ? value : (value?.join(',') ?? '');
  };
  const [restrictions, setRestrictions] = useState<string[]>(sent ? valuesOf(state, 'exportRestrictions') : (initial?.exportRestrictions ?? []));
  // Disabled inputs are not submitted: a released version's fixed fields are never sent.
  const FIXED = new Set(['version', 'weightsDigest', 'parameterCount', 'contextLength', 'licence']);
  const text = (id: string, props: { hint?: string; required?: boolean; mono?: boolean; placeholder?: string; inputMode?: 'numeric' } = {}) => (
    <Field id={id} label={LABELS[id] ?? id} required={props.required} error={err(id)} hint={fixed && FIXED.has(id) ? 'Fixed once released.' : props.hint}>
      <Input
        {...describedBy(id, { error: err(id), hint: Boolean(props.hint) || (fixed && FIXED.has(id)) })}
        name={id}
        disabled={fixed && FIXED.has(id)}
        defaultValue={sent ? valueOf(state, id) : initialOf(id)}
        required={props.required}
        placeholder={props.placeholder}
        inputMode={props.inputMode}
        autoComplete="off"
        spellCheck={false}
        className={props.mono ? 'font-mono' : undefined}
      />
    </Field>
  );
  return (
    <form {...formProps} className="space-y-6">
      <ProblemSummary state={state} labels={LABELS} />
      <section aria-labelledby="version-identity" className="space-y-4">
        <h2 id="version-identity" className="text-sm font-semibold text-slate-900">
          Identity
        </h2>
        <div className="grid gap-4 md:grid-cols-2">
          {initial ? (
            <div className="space-y-1">
              <p className="text-sm font-medium text-slate-800">Model family</p>
              <p className="flex h-9 items-center font-mono text-slate-700">{initial.family}</p>
            </div>
          ) : (
            <Field id="family" label="Model family" required error={err('family')}>
              <Select
                {...describedBy('family', { error: err('family') })}
                name="family"
                defaultValue={valueOf(state, 'family', family ?? '')}
                options={families}
                placeholder="Choose a family…"
                required
              />
            </Field>
          )}
          {text('version', { required: true, mono: true, hint: 'e.g. 4.2.0 or 4.2.0-rc.1: letters and digits separated by dots, hyphens or plus signs.' })}
          {text('weightsDigest', { required: true, mono: true, placeholder: 'sha256:…', hint: 'sha256: followed by 64 hex digits. Fixed once released.' })}
          {text('techDocDigest', { mono: true, placeholder: 'sha256:…', hint: 'EU AI Act Annex XI documentation. Required before release.' })}
        </div>
      </section>
      <section aria-labelledby="version-spec" className="space-y-4">
        <h2 id="version-spec" className="text-sm font-semibold text-slate-900">
          Specification and licence
        </h2>
        <div className="grid gap-4 md:grid-cols-3">
          {text('parameterCount', { required: true, inputMode: 'numeric', hint: 'Whole number, e.g. 70000000000 for 70 B.' })}
          {text('contextLength', { required: true, inputMode: 'numeric', hint: 'Tokens, e.g. 131072.' })}
          {text('licence', { required: true, hint: 'The licence text the version ships under.' })}
        </div>
        <Field id="releaseNotes" label="Release notes" error={err('releaseNotes')} hint="Markdown. Rendered without HTML or images.">
          <Textarea
            {...describedBy('releaseNotes', { error: err('releaseNotes'), hint: true })}
            name="releaseNotes"
            rows={8}
            maxLength={20000}
            defaultValue={sent ? valueOf(state, 'releaseNotes') : initialOf('releaseNotes')}
            className="font-mono text-xs"
          />
        </Field>
      </section>
      <section aria-labelledby="version-export" className="space-y-4">
        <h2 id="version-export" className="text-sm font-semibold text-slate-900">
          Export control
        </h2>
        <CountryPicker
          id="exportRestrictions"
          name="exportRestrictions"
          legend="Export restrictions"
          hint="Countries this version must not be deployed in. No deployment there can be pinned to it."
          countries={countries}
          selected={restrictions}
          onChange={setRestrictions}
          error={err('exportRestrictions')}
          optional
        />
      </section>
      <div className="flex items-center gap-2 border-t border-slate-200 pt-4">
        <Button type="submit" variant="primary" disabled={pending}>
          {pending ? 'Saving…' : initial ? 'Save changes' : 'Create draft version'}
        </Button>
        <ButtonLink href={cancelHref} variant="ghost">
          Cancel
        </ButtonLink>
      </div>
    </form>
  );
}
