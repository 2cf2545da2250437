'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { Alert } from '@/components/ui/alert';
import { Badge } from '@/components/ui/badge';
import { Button, ButtonLink } from '@/components/ui/button';
import { DetailItem, DetailList } from '@/components/ui/detail-list';
import { Field, FieldError, describedBy } from '@/components/ui/field';
import { Checkbox, Input, Textarea } from '@/components/ui/input';
import { ProblemSummary } from '@/components/ui/problem-summary';
import { Select } from '@/components/ui/select';
import { type FormControls, useForm } from '@/components/ui/use-form';
import { type FormState, type FormValues, fieldError, valueOf, valuesOf } from '@/lib/http/form-state';
import {
  API_KEY_SCOPES,
  type ApiKeyCreation,
  type CreatedApiKey,
  PLATFORM_KEY,
  PLATFORM_ONLY_SCOPES,
  createApiKeyForm,
  requestPlatformApiKeyForm,
} from '@/lib/modules/api-keys/schema';
import { type DeploymentChoice, type TenantChoice, tenantLabel } from './choices';
import { KeyReveal } from './key-reveal';
import { SCOPE_DESCRIPTIONS, expiryChoices } from './labels';

type CreateState = FormState<ApiKeyCreation>;

type CreateApiKeyFormProps = {
  action: (state: CreateState, form: FormData) => Promise<CreateState>;
  /** Platform actors choose a tenant (or a platform key) from these; null for tenant actors. */
  tenants: TenantChoice[] | null;
  /** A tenant actor's own tenant: fixed, and not even sent (the server takes it from the session). */
  ownTenant: TenantChoice | null;
  /** Pre-selected tenant id (from the list's filter). */
  defaultTenantId?: string;
  /** Deployments a key may be bound to, of every tenant on offer. */
  deployments: DeploymentChoice[];
  /** The longest validity the server allows, in days. */
  maxDays: number;
  /** Where Cancel and Done lead. */
  listHref: string;
};

const FIELD_LABELS: Record<string, string> = {
  name: 'Name',
  tenantId: 'Tenant',
  deploymentId: 'Deployment',
  scopes: 'Scopes',
  expiresInDays: 'Expires after',
  allowedCidrs: 'Allowed networks',
  reason: 'Reason',
};

const PLATFORM = PLATFORM_KEY;

/** The schema the server parses the submission with: a platform key is a request with a reason. */
const schemaFor = (values: FormValues) => (values.tenantId === PLATFORM ? requestPlatformApiKeyForm : createApiKeyForm);

function dayAfter(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

export function CreateApiKeyForm(props: CreateApiKeyFormProps) {
  const form = useForm(props.action, schemaFor);
  const data = form.state.data;
  if (data && 'requested' in data) {
    return (
      <div className="space-y-3">
        <Alert tone="success" title="Platform key requested.">
          A second administrator must approve it within 72 hours. Once approved, collect the key on{' '}
          <a href={`/approvals/${data.requested.approvalId}`} className="font-medium underline">
            the request’s page
          </a>
          : it is shown to you alone, once.
        </Alert>
        <ButtonLink href={props.listHref} variant="secondary">
          Back to the list
        </ButtonLink>
      </div>
    );
  }
  if (data && 'created' in data) {
    const { created } = data;
    const deployment = props.deployments.find((d) => d.id === created.apiKey.deploymentId);
    return <CreatedKey created={created} tenants={props.tenants} ownTenant={props.ownTenant} deployment={deployment} listHref={props.listHref} />;
  }
  // Re-keyed on every answer, so that the defaults below (what the user sent) are applied again.
  return <CreateApiKeyFields key={form.key} {...props} form={form} />;
}

function CreatedKey({
  created,
  tenants,
  ownTenant,
  deployment,
  listHref,
}: {
  created: CreatedApiKey;
  tenants: TenantChoice[] | null;
  ownTenant: TenantChoice | null;
  deployment: DeploymentChoice | undefined;
  listHref: string;
}) {
  const router = useRouter();
  const { apiKey } = created;
  const tenant = apiKey.tenantId ? [...(tenants ?? []), ...(ownTenant ? [ownTenant] : [])].find((t) => t.id === apiKey.tenantId) : null;
  return (
    <div className="space-y-5">
      <Alert tone="success" title={`API key “${apiKey.name}” created.`} />
      <DetailList>
        <DetailItem label="Prefix">
          <span className="font-mono">{apiKey.prefix}…</span>
        </DetailItem>
        <DetailItem label="Tenant">{apiKey.tenantId ? (tenant ? tenantLabel(tenant) : apiKey.tenantId) : 'Platform key (all tenants)'}</DetailItem>
        {apiKey.deploymentId && <DetailItem label="Deployment">{deployment ? deployment.name : apiKey.deploymentId}</DetailItem>}
        <DetailItem label="Scopes">
          <span className="flex flex-wrap gap-1">
            {apiKey.scopes.map((s) => (
              <Badge key={s} className="font-mono">
                {s}
              </Badge>
            ))}
          </span>
        </DetailItem>
        <DetailItem label="Expires">
          <span className="font-mono text-xs leading-5">{apiKey.expiresAt.replace('T', ' ').slice(0, 16)} UTC</span>
        </DetailItem>
        {apiKey.allowedCidrs.length > 0 && (
          <DetailItem label="Allowed networks">
            <span className="font-mono text-xs leading-5">{apiKey.allowedCidrs.join(', ')}</span>
          </DetailItem>
        )}
      </DetailList>
      <KeyReveal secret={created.key} onDone={() => router.push(listHref)} doneLabel="Done, back to the list" />
    </div>
  );
}

function CreateApiKeyFields({
  tenants,
  ownTenant,
  deployments,
  defaultTenantId,
  maxDays,
  listHref,
  form: { state, pending, formProps },
}: CreateApiKeyFormProps & { form: FormControls<ApiKeyCreation> }) {
  const sent = state.values !== undefined;
  const [tenant, setTenant] = useState(sent ? valueOf(state, 'tenantId') : (defaultTenantId ?? ''));
  const [scopes, setScopes] = useState<string[]>(sent ? valuesOf(state, 'scopes') : []);
  const choices = expiryChoices(maxDays);
  const defaultDays = String(choices.includes(90) ? 90 : choices.at(-1));
  const [days, setDays] = useState(sent ? valueOf(state, 'expiresInDays', defaultDays) : defaultDays);
  const platformKey = tenants !== null && tenant === PLATFORM;
  const [deployment, setDeployment] = useState(sent ? valueOf(state, 'deploymentId') : '');
  // A key can be bound to one deployment of its own tenant; a platform key to none.
  const keyTenantId = tenants === null ? ownTenant?.id : platformKey ? undefined : tenant;
  const tenantDeployments = keyTenantId ? deployments.filter((d) => d.tenantId === keyTenantId) : [];

  const err = (path: string) => fieldError(state, path);

  const toggleScope = (scope: string, on: boolean) => setScopes(on ? [...scopes, scope] : scopes.filter((s) => s !== scope));
  const chooseTenant = (value: string) => {
    setTenant(value);
    setDeployment('');
    // Platform-only scopes cannot stay checked on a tenant key.
    if (value !== PLATFORM) setScopes((s) => s.filter((x) => !(PLATFORM_ONLY_SCOPES as readonly string[]).includes(x)));
  };

  return (
    <form {...formProps} className="space-y-6">
      <ProblemSummary state={state} labels={FIELD_LABELS} />

      <div className="grid gap-4 md:grid-cols-2">
        <Field id="name" label="Name" required error={err('name')} hint="What uses the key, e.g. “Frankfurt deployment agent” or “SIEM export”.">
          <Input {...describedBy('name', { error: err('name'), hint: true })} name="name" defaultValue={valueOf(state, 'name')} required maxLength={80} autoComplete="off" />
        </Field>

        {tenants ? (
          <Field
            id="tenantId"
            label="Tenant"
            required
            error={err('tenantId')}
            hint={platformKey ? 'A platform key acts across all tenants. Give it only the scopes it needs.' : 'The key can only ever reach this tenant’s data.'}
          >
            <Select
              {...describedBy('tenantId', { error: err('tenantId'), hint: true })}
              name="tenantId"
              value={tenant}
              onChange={(e) => chooseTenant(e.target.value)}
              options={[{ value: PLATFORM, label: 'Platform key — all tenants' }, ...tenants.map((t) => ({ value: t.id, label: tenantLabel(t) }))]}
              placeholder="Choose a tenant…"
              required
            />
          </Field>
        ) : (
          <div className="space-y-1">
            {/* Sent for completeness; the server binds the key to the signed-in user's tenant whatever arrives. */}
            {ownTenant && <input type="hidden" name="tenantId" value={ownTenant.id} />}
            <p className="text-sm font-medium text-slate-800">Tenant</p>
            <p className="flex h-9 items-center text-sm text-slate-900">{ownTenant ? tenantLabel(ownTenant) : 'Your tenant'}</p>
            <p className="text-xs text-slate-600">Keys you create belong to your tenant.</p>
          </div>
        )}
      </div>

      {deployments.length > 0 && (
        <Field
          id="deploymentId"
          label="Deployment"
          error={err('deploymentId')}
          hint={
            platformKey
              ? 'Platform keys are not bound to a deployment.'
              : keyTenantId
                ? 'Optional. Binds the key to one deployment, e.g. for that deployment’s agent.'
                : 'Choose a tenant first.'
          }
          className="md:w-1/2 md:pr-2"
        >
          <Select
            {...describedBy('deploymentId', { error: err('deploymentId'), hint: true })}
            name="deploymentId"
            value={deployment}
            onChange={(e) => setDeployment(e.target.value)}
            disabled={tenantDeployments.length === 0}
            options={tenantDeployments.map((d) => ({ value: d.id, label: `${d.name} (${d.environment.toLowerCase()})` }))}
            placeholder={keyTenantId && tenantDeployments.length === 0 ? 'This tenant has no deployments' : 'Not bound to a deployment'}
          />
        </Field>
      )}

      <fieldset id="scopes" tabIndex={-1} className="space-y-2 outline-none" aria-describedby="scopes-hint" aria-invalid={err('scopes') ? true : undefined}>
        <legend className="text-sm font-medium text-slate-800">
          Scopes
          <span className="ml-0.5 text-red-700" aria-hidden="true">
            *
          </span>
        </legend>
        <p id="scopes-hint" className="text-xs text-slate-600">
          Least privilege: the key can do exactly what is checked here, nothing more.
        </p>
        <ul className="grid gap-1 rounded-md border border-slate-200 p-2 md:grid-cols-2">
          {API_KEY_SCOPES.map((scope) => {
            const platformOnly = (PLATFORM_ONLY_SCOPES as readonly string[]).includes(scope);
            const disabled = platformOnly && !platformKey;
            return (
              <li key={scope}>
                <label className={`flex gap-2 rounded px-2 py-1.5 ${disabled ? 'cursor-not-allowed opacity-60' : 'cursor-pointer hover:bg-slate-50'}`}>
                  <Checkbox
                    name="scopes[]"
                    value={scope}
                    checked={scopes.includes(scope)}
                    disabled={disabled}
                    onChange={(e) => toggleScope(scope, e.target.checked)}
                    className="mt-0.5 shrink-0"
                    aria-describedby={`scope-${scope.replace(':', '-')}-desc`}
                  />
                  <span className="min-w-0">
                    <span className="font-mono text-sm text-slate-900">{scope}</span>
                    {platformOnly && (
                      <Badge tone="warning" className="ml-1.5">
                        platform keys only
                      </Badge>
                    )}
                    <span id={`scope-${scope.replace(':', '-')}-desc`} className="block text-xs text-slate-600">
                      {SCOPE_DESCRIPTIONS[scope]}
                    </span>
                  </span>
                </label>
              </li>
            );
          })}
        </ul>
        <FieldError id="scopes" error={err('scopes')} />
      </fieldset>

      <fieldset id="expiresInDays" tabIndex={-1} className="space-y-2 outline-none" aria-invalid={err('expiresInDays') ? true : undefined}>
        <legend className="text-sm font-medium text-slate-800">
          Expires after
          <span className="ml-0.5 text-red-700" aria-hidden="true">
            *
          </span>
        </legend>
        <div className="flex flex-wrap gap-2">
          {choices.map((d) => (
            <label
              key={d}
              className="flex cursor-pointer items-center gap-2 rounded-md border border-slate-300 px-3 py-1.5 text-sm has-checked:border-brand-600 has-checked:bg-brand-50"
            >
              <input type="radio" name="expiresInDays" value={d} checked={days === String(d)} onChange={() => setDays(String(d))} className="accent-brand-700" />
              {d} days
            </label>
          ))}
        </div>
        <p className="text-xs text-slate-600">
          Every key expires; the longest validity allowed is {maxDays} days.{' '}
          {choices.includes(Number(days)) && (
            <span suppressHydrationWarning>
              This key would expire on <span className="font-mono">{dayAfter(Number(days))}</span>.
            </span>
          )}
        </p>
        <FieldError id="expiresInDays" error={err('expiresInDays')} />
      </fieldset>

      <Field
        id="allowedCidrs"
        label="Allowed networks"
        error={err('allowedCidrs')}
        hint="Optional. One IPv4 or IPv6 address or CIDR block per line, e.g. 10.20.0.0/16. Requests from anywhere else are refused. Leave empty to allow any address."
        className="md:w-1/2"
      >
        <Textarea
          {...describedBy('allowedCidrs', { error: err('allowedCidrs'), hint: true })}
          name="allowedCidrs"
          rows={3}
          defaultValue={valueOf(state, 'allowedCidrs')}
          spellCheck={false}
          autoComplete="off"
          className="font-mono"
        />
      </Field>

      {platformKey && (
        <div className="space-y-3 md:w-2/3">
          <Alert tone="info" title="Four-eyes: a platform key needs a second administrator’s approval.">
            Your request is sent to the Approvals inbox. Once another administrator approves it, you collect the key there; it is shown to you alone, once.
          </Alert>
          <Field id="reason" label="Reason" required error={err('reason')} hint="Shown to the approver; recorded in the audit trail.">
            <Textarea {...describedBy('reason', { error: err('reason'), hint: true })} name="reason" rows={2} maxLength={1000} defaultValue={valueOf(state, 'reason')} />
          </Field>
        </div>
      )}

      <div className="flex items-center gap-2 border-t border-slate-200 pt-4">
        <Button type="submit" variant="primary" disabled={pending}>
          {pending ? (platformKey ? 'Requesting…' : 'Creating…') : platformKey ? 'Request platform key' : 'Create key'}
        </Button>
        <ButtonLink href={listHref} variant="ghost">
          Cancel
        </ButtonLink>
      </div>
    </form>
  );
}
