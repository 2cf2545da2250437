'use client';

import { Button, ButtonLink } from '@/components/ui/button';
import { Field, describedBy } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { ProblemSummary } from '@/components/ui/problem-summary';
import { Select, type SelectOption } from '@/components/ui/select';
import { type FormControls, useForm } from '@/components/ui/use-form';
import { type FormState, fieldError, valueOf } from '@/lib/http/form-state';
import { createDeploymentInput } from '@/lib/modules/deployments/schema';
import { CONNECTIVITY_LABELS, ENVIRONMENT_OPTIONS, HOSTING_LABELS } from './labels';

type DeploymentFormProps = {
  action: (state: FormState, form: FormData) => Promise<FormState>;
  /** Platform actors choose the tenant; absent for tenant actors (the service takes their own). */
  tenants?: SelectOption[];
  countries: SelectOption[];
  cancelHref: string;
};

const FIELD_LABELS: Record<string, string> = {
  tenantId: 'Tenant',
  name: 'Name',
  environment: 'Environment',
  country: 'Country',
  hosting: 'Hosting',
  connectivity: 'Connectivity',
};

const HOSTING_OPTIONS: SelectOption[] = Object.entries(HOSTING_LABELS).map(([value, label]) => ({ value, label }));
const CONNECTIVITY_OPTIONS: SelectOption[] = Object.entries(CONNECTIVITY_LABELS).map(([value, label]) => ({ value, label }));

/** The new-deployment form: checked with createDeploymentInput before it is sent; the service's rules (the tenant's countries) answer from the server. */
export function DeploymentForm(props: DeploymentFormProps) {
  const form = useForm(props.action, createDeploymentInput);
  // Re-keyed on every answer, so that the defaults below (what the user sent) are applied again.
  return <DeploymentFormFields key={form.key} {...props} form={form} />;
}

function DeploymentFormFields({ tenants, countries, cancelHref, form: { state, pending, formProps } }: DeploymentFormProps & { form: FormControls }) {
  const err = (path: string) => fieldError(state, path);
  return (
    <form {...formProps} className="space-y-6">
      <ProblemSummary state={state} labels={FIELD_LABELS} />

      <div className="grid gap-4 md:grid-cols-2">
        {tenants && (
          <Field id="tenantId" label="Tenant" required error={err('tenantId')} className="md:col-span-2">
            <Select
              {...describedBy('tenantId', { error: err('tenantId') })}
              name="tenantId"
              defaultValue={valueOf(state, 'tenantId')}
              options={tenants}
              placeholder="Choose a tenant…"
              required
            />
          </Field>
        )}
        <Field
          id="name"
          label="Name"
          required
          error={err('name')}
          hint="Unique within the tenant; lowercase letters and digits, with single dots, hyphens or underscores between them (e.g. fra-prod-1)."
          className="md:col-span-2"
        >
          <Input
            {...describedBy('name', { error: err('name'), hint: true })}
            name="name"
            defaultValue={valueOf(state, 'name')}
            required
            maxLength={63}
            autoComplete="off"
            spellCheck={false}
            className="font-mono"
          />
        </Field>
        <Field id="environment" label="Environment" required error={err('environment')}>
          <Select
            {...describedBy('environment', { error: err('environment') })}
            name="environment"
            defaultValue={valueOf(state, 'environment')}
            options={ENVIRONMENT_OPTIONS}
            placeholder="Choose an environment…"
            required
          />
        </Field>
        <Field id="country" label="Country" required error={err('country')} hint="Must be one of the tenant's allowed data-processing countries.">
          <Select
            {...describedBy('country', { error: err('country'), hint: true })}
            name="country"
            defaultValue={valueOf(state, 'country')}
            options={countries}
            placeholder="Choose a country…"
            required
          />
        </Field>
        <Field id="hosting" label="Hosting" required error={err('hosting')}>
          <Select
            {...describedBy('hosting', { error: err('hosting') })}
            name="hosting"
            defaultValue={valueOf(state, 'hosting')}
            options={HOSTING_OPTIONS}
            placeholder="Choose hosting…"
            required
          />
        </Field>
        <Field id="connectivity" label="Connectivity" error={err('connectivity')} hint="Left empty: air-gapped for an air-gapped environment, connected otherwise.">
          <Select
            {...describedBy('connectivity', { error: err('connectivity'), hint: true })}
            name="connectivity"
            defaultValue={valueOf(state, 'connectivity')}
            options={CONNECTIVITY_OPTIONS}
            placeholder="Default for the environment"
          />
        </Field>
      </div>

      <div className="flex items-center gap-2 border-t border-slate-200 pt-4">
        <Button type="submit" variant="primary" disabled={pending}>
          {pending ? 'Saving…' : 'Create deployment'}
        </Button>
        <ButtonLink href={cancelHref} variant="ghost">
          Cancel
        </ButtonLink>
      </div>
    </form>
  );
}
