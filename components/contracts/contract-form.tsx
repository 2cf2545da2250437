'use client';

import { useState } from 'react';
import { CountryPicker } from '@/components/tenants/country-picker';
import type { CountryOption } from '@/components/tenants/labels';
import { Alert } from '@/components/ui/alert';
import { Button, ButtonLink } from '@/components/ui/button';
import { Field, describedBy } from '@/components/ui/field';
import { Checkbox, Input, Textarea } from '@/components/ui/input';
import { ProblemSummary } from '@/components/ui/problem-summary';
import { Select } from '@/components/ui/select';
import { useForm } from '@/components/ui/use-form';
import { type FormState, fieldError } from '@/lib/http/form-state';
import { amendContractForm, createContractForm, limitsText, updateContractForm } from '@/lib/modules/contracts/schema';
import { ICT_SERVICE_OPTIONS, REGISTER_CHOICES, REGISTER_FIELD_LABELS, RENEWAL_OPTIONS, SCOPE_OPTIONS, TYPE_OPTIONS } from './labels';

export type TenantOption = { id: string; slug: string; legalName: string; allowedCountries: string[] };
export type FamilyOption = { id: string; slug: string; name: string; versions: { id: string; version: string; status: string }[] };

type EntitlementRow = { key: string; kind: 'family' | 'version'; familyId: string; versionId: string; maxDeployments: string; limits: string };

export type ContractFormValues = {
  tenantId: string;
  reference: string;
  type: string;
  scope: string;
  validFrom: string;
  validUntil: string;
  renewal: string;
  noticePeriodDays: string;
  graceDays: string;
  exitPeriodDays: string;
  governingLaw: string;
  dataProcessingCountries: string[];
  sla: { availability: string; supportResponseHours: string; rtoHours: string; rpoHours: string };
  auditRights: string;
  entitlements: { modelFamilyId: string | null; modelVersionId: string | null; maxDeployments: number; limits: Record<string, unknown> }[];
  registerInfo: Record<string, unknown>;
};

type ContractFormProps = {
  /** create: a new draft; edit: a new version of a draft; amend: a four-eyes amendment of an active contract. */
  mode: 'create' | 'edit' | 'amend';
  tenants: TenantOption[];
  families: FamilyOption[];
  countries: CountryOption[];
  initial: ContractFormValues;
  cancelHref: string;
  /** Redirects to the contract (or, for an amendment, the approval request) when it succeeds. */
  action: (state: FormState, form: FormData) => Promise<FormState>;
};

const SCHEMAS = { create: createContractForm, edit: updateContractForm, amend: amendContractForm };

const LABELS: Record<string, string> = {
  tenantId: 'Tenant',
  reference: 'Reference',
  type: 'Type',
  scope: 'Scope',
  validFrom: 'Valid from',
  validUntil: 'Valid until',
  renewal: 'Renewal',
  noticePeriodDays: 'Notice period',
  graceDays: 'Grace period',
  exitPeriodDays: 'Exit period',
  governingLaw: 'Governing law',
  dataProcessingCountries: 'Data-processing countries',
  auditRights: 'Audit rights',
  sla: 'SLA',
  entitlements: 'Entitlements',
  registerInfo: 'DORA register details',
  reason: 'Reason',
};

let rowSeq = 0;
const newKey = () => `row-${++rowSeq}`;

/** The register fields this form edits; any other the contract has are sent back unchanged. */
const REGISTER_EDITED = new Set([
  'ictServiceType',
  'functionIdentifier',
  'governingLawCountry',
  'annualCost',
  'currency',
  'providerNoticePeriodDays',
  ...Object.keys(REGISTER_CHOICES),
  'lastAuditDate',
  'exitPlan',
  'providerStoresData',
]);

/** The control an error's path belongs to: the fields are named by path, their ids are shorter. */
function fieldIdOf(path: string): string {
  const [head, second, third] = path.split('.');
  if (head === 'sla' && second) return `sla-${second}`;
  if (head === 'registerInfo' && second) return `reg-${second}`;
  if (head === 'entitlements' && second !== undefined) {
    const part = { modelFamilyId: 'family', modelVersionId: 'version', maxDeployments: 'max', limits: 'limits' }[third ?? ''] ?? 'kind';
    return `ent-${second}-${part}`;
  }
  return head ?? path;
}

/**
 * The one contract form: create a draft, edit it (a new version), or propose an amendment
 * (four-eyes). Its fields are named by the paths of the terms ("sla.rtoHours",
 * "entitlements.0.maxDeployments"), checked with the action's schema before they are sent.
 */
export function ContractForm({ mode, tenants, families, countries, initial, cancelHref, action }: ContractFormProps) {
  const { state, pending, key, formProps } = useForm(action, SCHEMAS[mode]);
  // Everything typed is held here, above the <form>, which is re-keyed on every answer of the server.
  const [v, setV] = useState(initial);
  const [reason, setReason] = useState('');
  const [rows, setRows] = useState<EntitlementRow[]>(() =>
    initial.entitlements.map((e) => ({
      key: newKey(),
      kind: e.modelVersionId ? 'version' : 'family',
      familyId: e.modelFamilyId ?? families.find((f) => f.versions.some((x) => x.id === e.modelVersionId))?.id ?? '',
      versionId: e.modelVersionId ?? '',
      maxDeployments: String(e.maxDeployments),
      limits: limitsText(e.limits),
    })),
  );
  const [register, setRegister] = useState<Record<string, unknown>>(initial.registerInfo);
  const [registerOpen, setRegisterOpen] = useState(Object.keys(initial.registerInfo).length > 0);

  const tenant = tenants.find((t) => t.id === v.tenantId);
  const countryChoices = tenant ? countries.filter((c) => tenant.allowedCountries.includes(c.code)) : countries;
  const err = (path: string) => fieldError(state, path);
  const set = <K extends keyof ContractFormValues>(k: K, value: ContractFormValues[K]) => setV((prev) => ({ ...prev, [k]: value }));
  const setSla = (k: keyof ContractFormValues['sla'], value: string) => setV((prev) => ({ ...prev, sla: { ...prev.sla, [k]: value } }));
  const setReg = (k: string, value: unknown) => setRegister((prev) => ({ ...prev, [k]: value === '' ? undefined : value }));
  const regText = (k: string) => (typeof register[k] === 'string' || typeof register[k] === 'number' ? String(register[k]) : '');

  return (
    <form key={key} {...formProps} className="space-y-8">
      <ProblemSummary state={state} labels={LABELS} fieldId={fieldIdOf} />

      {mode === 'amend' && (
        <Alert tone="info" title="This contract is active: your changes are an amendment.">
          A different administrator must approve it within 72 hours. On approval the amended terms become a new, hashed version; until then the current version stays in force.
        </Alert>
      )}

      <section aria-labelledby="contract-parties" className="space-y-4">
        <h2 id="contract-parties" className="text-sm font-semibold text-slate-900">
          Parties and scope
        </h2>
        <div className="grid gap-4 md:grid-cols-2">
          {mode === 'create' ? (
            <Field id="tenantId" label="Tenant" required error={err('tenantId')}>
              <Select
                {...describedBy('tenantId', { error: err('tenantId') })}
                name="tenantId"
                value={v.tenantId}
                onChange={(e) => {
                  const next = tenants.find((t) => t.id === e.target.value);
                  setV((prev) => ({
                    ...prev,
                    tenantId: e.target.value,
                    dataProcessingCountries: next ? prev.dataProcessingCountries.filter((c) => next.allowedCountries.includes(c)) : prev.dataProcessingCountries,
                  }));
                }}
                options={tenants.map((t) => ({ value: t.id, label: `${t.legalName} (${t.slug})` }))}
                placeholder="Choose a tenant…"
              />
            </Field>
          ) : (
            <Field id="tenantId" label="Tenant">
              <Input id="tenantId" value={tenant ? `${tenant.legalName} (${tenant.slug})` : v.tenantId} readOnly disabled />
            </Field>
          )}
          <Field id="reference" label="Reference" required error={err('reference')} hint="Unique, e.g. C-2026-014.">
            <Input
              {...describedBy('reference', { error: err('reference'), hint: true })}
              name="reference"
              value={v.reference}
              onChange={(e) => set('reference', e.target.value)}
              maxLength={64}
              autoComplete="off"
            />
          </Field>
          <Field id="type" label="Type" required error={err('type')}>
            <Select {...describedBy('type', { error: err('type') })} name="type" value={v.type} onChange={(e) => set('type', e.target.value)} options={TYPE_OPTIONS} />
          </Field>
          <Field id="scope" label="Scope" required error={err('scope')} hint="A tenant has at most one active contract per scope.">
            <Select
              {...describedBy('scope', { error: err('scope'), hint: true })}
              name="scope"
              value={v.scope}
              onChange={(e) => set('scope', e.target.value)}
              options={SCOPE_OPTIONS}
            />
          </Field>
        </div>
      </section>

      <section aria-labelledby="contract-term" className="space-y-4">
        <h2 id="contract-term" className="text-sm font-semibold text-slate-900">
          Term
        </h2>
        <div className="grid gap-4 md:grid-cols-3">
          <Field id="validFrom" label="Valid from" required error={err('validFrom')}>
            <Input {...describedBy('validFrom', { error: err('validFrom') })} type="date" name="validFrom" value={v.validFrom} onChange={(e) => set('validFrom', e.target.value)} />
          </Field>
          <Field id="validUntil" label="Valid until" required error={err('validUntil')} hint="Expiry happens by this date.">
            <Input
              {...describedBy('validUntil', { error: err('validUntil'), hint: true })}
              type="date"
              name="validUntil"
              value={v.validUntil}
              onChange={(e) => set('validUntil', e.target.value)}
            />
          </Field>
          <Field id="renewal" label="Renewal" error={err('renewal')}>
            <Select
              {...describedBy('renewal', { error: err('renewal') })}
              name="renewal"
              value={v.renewal}
              onChange={(e) => set('renewal', e.target.value)}
              options={RENEWAL_OPTIONS}
            />
          </Field>
          <Field id="noticePeriodDays" label="Notice period (days)" required error={err('noticePeriodDays')} hint="For termination by the tenant.">
            <Input
              {...describedBy('noticePeriodDays', { error: err('noticePeriodDays'), hint: true })}
              inputMode="numeric"
              name="noticePeriodDays"
              value={v.noticePeriodDays}
              onChange={(e) => set('noticePeriodDays', e.target.value)}
            />
          </Field>
          <Field id="graceDays" label="Grace period (days)" required error={err('graceDays')} hint="Deployments keep running this long after the end; never a shutdown.">
            <Input
              {...describedBy('graceDays', { error: err('graceDays'), hint: true })}
              inputMode="numeric"
              name="graceDays"
              value={v.graceDays}
              onChange={(e) => set('graceDays', e.target.value)}
            />
          </Field>
          <Field id="exitPeriodDays" label="Exit / transition period (days)" required error={err('exitPeriodDays')}>
            <Input
              {...describedBy('exitPeriodDays', { error: err('exitPeriodDays') })}
              inputMode="numeric"
              name="exitPeriodDays"
              value={v.exitPeriodDays}
              onChange={(e) => set('exitPeriodDays', e.target.value)}
            />
          </Field>
        </div>
      </section>

      <section aria-labelledby="contract-law" className="space-y-4">
        <h2 id="contract-law" className="text-sm font-semibold text-slate-900">
          Law, data and audit
        </h2>
        <Field id="governingLaw" label="Governing law" required error={err('governingLaw')}>
          <Input
            {...describedBy('governingLaw', { error: err('governingLaw') })}
            name="governingLaw"
            value={v.governingLaw}
            onChange={(e) => set('governingLaw', e.target.value)}
            maxLength={200}
            placeholder="Law of Denmark"
          />
        </Field>
        <CountryPicker
          id="dataProcessingCountries"
          name="dataProcessingCountries"
          legend="Data-processing countries"
          countries={countryChoices}
          selected={v.dataProcessingCountries}
          onChange={(codes) => set('dataProcessingCountries', codes)}
          error={err('dataProcessingCountries')}
          hint={
            tenant
              ? `Within ${tenant.legalName}'s allowed countries. Bundles are refused for deployments outside these countries.`
              : 'Choose the tenant first: only its allowed countries are offered.'
          }
        />
        <Field id="auditRights" label="Audit rights" error={err('auditRights')}>
          <Textarea
            {...describedBy('auditRights', { error: err('auditRights') })}
            rows={2}
            name="auditRights"
            value={v.auditRights}
            onChange={(e) => set('auditRights', e.target.value)}
            maxLength={2000}
          />
        </Field>
      </section>

      <section aria-labelledby="contract-sla" className="space-y-4">
        <h2 id="contract-sla" className="text-sm font-semibold text-slate-900">
          Service levels
        </h2>
        <div className="grid gap-4 md:grid-cols-4">
          {(
            [
              ['availability', 'Availability (%)'],
              ['supportResponseHours', 'Support response (h)'],
              ['rtoHours', 'RTO (h)'],
              ['rpoHours', 'RPO (h)'],
            ] as const
          ).map(([k, label]) => (
            <Field key={k} id={`sla-${k}`} label={label} error={err(`sla.${k}`)}>
              <Input {...describedBy(`sla-${k}`, { error: err(`sla.${k}`) })} inputMode="decimal" name={`sla.${k}`} value={v.sla[k]} onChange={(e) => setSla(k, e.target.value)} />
            </Field>
          ))}
        </div>
      </section>

      <section aria-labelledby="contract-entitlements" className="space-y-3">
        <div className="flex items-center justify-between">
          <h2 id="contract-entitlements" className="text-sm font-semibold text-slate-900">
            Entitlements
          </h2>
          <Button size="sm" onClick={() => setRows((r) => [...r, { key: newKey(), kind: 'family', familyId: '', versionId: '', maxDeployments: '1', limits: '' }])}>
            Add entitlement
          </Button>
        </div>
        {err('entitlements') && !rows.length && <p className="text-xs font-medium text-red-700">{err('entitlements')}</p>}
        {rows.length === 0 && <p className="text-sm text-slate-600">No model is granted yet.</p>}
        <ol className="space-y-3">
          {rows.map((r, i) => {
            const family = families.find((f) => f.id === r.familyId);
            const update = (patch: Partial<EntitlementRow>) => setRows((all) => all.map((x) => (x.key === r.key ? { ...x, ...patch } : x)));
            // An error about the row as a whole; those about one of its fields show at that field.
            const rowErr = state.problem?.errors?.find((e) => e.path === `entitlements.${i}`)?.message;
            return (
              <li key={r.key} className="rounded-md border border-slate-200 p-3" data-entitlement-row={i}>
                <fieldset className="grid gap-3 md:grid-cols-12">
                  <legend className="sr-only">Entitlement {i + 1}</legend>
                  <Field id={`ent-${i}-kind`} label="Grants" className={r.kind === 'version' ? 'md:col-span-2' : 'md:col-span-3'}>
                    <Select
                      id={`ent-${i}-kind`}
                      name={`entitlements.${i}.kind`}
                      value={r.kind}
                      onChange={(e) => update({ kind: e.target.value as EntitlementRow['kind'] })}
                      options={[
                        { value: 'family', label: 'A whole family' },
                        { value: 'version', label: 'One version' },
                      ]}
                    />
                  </Field>
                  <Field id={`ent-${i}-family`} label="Model family" className="md:col-span-3" error={err(`entitlements.${i}.modelFamilyId`)}>
                    <Select
                      {...describedBy(`ent-${i}-family`, { error: err(`entitlements.${i}.modelFamilyId`) })}
                      name={`entitlements.${i}.modelFamilyId`}
                      value={r.familyId}
                      onChange={(e) => update({ familyId: e.target.value, versionId: '' })}
                      options={families.map((f) => ({ value: f.id, label: `${f.name} (${f.slug})` }))}
                      placeholder="Choose…"
                    />
                  </Field>
                  {r.kind === 'version' && (
                    <Field id={`ent-${i}-version`} label="Version" className="md:col-span-2" error={err(`entitlements.${i}.modelVersionId`)}>
                      <Select
                        {...describedBy(`ent-${i}-version`, { error: err(`entitlements.${i}.modelVersionId`) })}
                        name={`entitlements.${i}.modelVersionId`}
                        value={r.versionId}
                        onChange={(e) => update({ versionId: e.target.value })}
                        options={(family?.versions ?? []).filter((x) => x.status !== 'RETIRED').map((x) => ({ value: x.id, label: `${x.version} (${x.status.toLowerCase()})` }))}
                        placeholder="Choose…"
                      />
                    </Field>
                  )}
                  <Field id={`ent-${i}-max`} label="Max deployments" className="md:col-span-2" error={err(`entitlements.${i}.maxDeployments`)}>
                    <Input
                      {...describedBy(`ent-${i}-max`, { error: err(`entitlements.${i}.maxDeployments`) })}
                      inputMode="numeric"
                      name={`entitlements.${i}.maxDeployments`}
                      value={r.maxDeployments}
                      onChange={(e) => update({ maxDeployments: e.target.value })}
                    />
                  </Field>
                  <Field
                    id={`ent-${i}-limits`}
                    label="Other limits"
                    className={r.kind === 'version' ? 'md:col-span-2' : 'md:col-span-3'}
                    hint="name=value, one per line"
                    error={err(`entitlements.${i}.limits`)}
                  >
                    <Textarea
                      {...describedBy(`ent-${i}-limits`, { error: err(`entitlements.${i}.limits`), hint: true })}
                      rows={2}
                      name={`entitlements.${i}.limits`}
                      value={r.limits}
                      onChange={(e) => update({ limits: e.target.value })}
                      placeholder="maxGpus=8"
                      className="font-mono text-xs"
                    />
                  </Field>
                  <div className="flex items-end md:col-span-1">
                    <Button size="sm" variant="ghost" onClick={() => setRows((all) => all.filter((x) => x.key !== r.key))} aria-label={`Remove entitlement ${i + 1}`}>
                      Remove
                    </Button>
                  </div>
                </fieldset>
                {rowErr && <p className="mt-1 text-xs font-medium text-red-700">{rowErr}</p>}
              </li>
            );
          })}
        </ol>
      </section>

      <details className="rounded-md border border-slate-200 p-3" open={registerOpen || Boolean(err('registerInfo'))} onToggle={(e) => setRegisterOpen(e.currentTarget.open)}>
        <summary className="cursor-pointer text-sm font-semibold text-slate-900">DORA register of information (financial entities)</summary>
        <p className="mt-2 text-xs text-slate-600">
          What a bank or insurer needs for its register under Regulation (EU) 2024/2956 beyond the terms above. Optional; unknown fields stay empty in the export.
        </p>
        {Object.entries(register)
          .filter(([k, x]) => !REGISTER_EDITED.has(k) && x !== undefined)
          .flatMap(([k, x]) =>
            Array.isArray(x)
              ? [
                  <input key={k} type="hidden" name={`registerInfo.${k}[]`} value="" />,
                  ...x.map((item, j) => <input key={`${k}-${j}`} type="hidden" name={`registerInfo.${k}[]`} value={String(item)} />),
                ]
              : [<input key={k} type="hidden" name={`registerInfo.${k}`} value={String(x)} />],
          )}
        <div className="mt-3 grid gap-4 md:grid-cols-3">
          <Field id="reg-ictServiceType" label="Type of ICT services" error={err('registerInfo.ictServiceType')}>
            <Select
              id="reg-ictServiceType"
              name="registerInfo.ictServiceType"
              value={regText('ictServiceType')}
              onChange={(e) => setReg('ictServiceType', e.target.value)}
              options={ICT_SERVICE_OPTIONS}
              placeholder="Not set"
            />
          </Field>
          <Field id="reg-functionIdentifier" label="Function identifier" error={err('registerInfo.functionIdentifier')}>
            <Input
              id="reg-functionIdentifier"
              name="registerInfo.functionIdentifier"
              value={regText('functionIdentifier')}
              onChange={(e) => setReg('functionIdentifier', e.target.value)}
              maxLength={255}
            />
          </Field>
          <Field id="reg-governingLawCountry" label="Governing-law country" error={err('registerInfo.governingLawCountry')}>
            <Select
              id="reg-governingLawCountry"
              name="registerInfo.governingLawCountry"
              value={regText('governingLawCountry')}
              onChange={(e) => setReg('governingLawCountry', e.target.value)}
              options={countries.map((c) => ({ value: c.code, label: `${c.name} (${c.code})` }))}
              placeholder="Not set"
            />
          </Field>
          <Field id="reg-annualCost" label="Annual cost" error={err('registerInfo.annualCost')}>
            <Input id="reg-annualCost" name="registerInfo.annualCost" inputMode="decimal" value={regText('annualCost')} onChange={(e) => setReg('annualCost', e.target.value)} />
          </Field>
          <Field id="reg-currency" label="Currency (ISO 4217)" error={err('registerInfo.currency')}>
            <Input
              id="reg-currency"
              name="registerInfo.currency"
              value={regText('currency')}
              onChange={(e) => setReg('currency', e.target.value.toUpperCase())}
              maxLength={3}
              placeholder="EUR"
            />
          </Field>
          <Field id="reg-providerNoticePeriodDays" label="Provider's notice period (days)" error={err('registerInfo.providerNoticePeriodDays')}>
            <Input
              id="reg-providerNoticePeriodDays"
              name="registerInfo.providerNoticePeriodDays"
              inputMode="numeric"
              value={regText('providerNoticePeriodDays')}
              onChange={(e) => setReg('providerNoticePeriodDays', e.target.value)}
            />
          </Field>
          {(Object.keys(REGISTER_CHOICES) as (keyof typeof REGISTER_CHOICES)[]).map((k) => (
            <Field key={k} id={`reg-${k}`} label={REGISTER_FIELD_LABELS[k] ?? k} error={err(`registerInfo.${k}`)}>
              <Select
                id={`reg-${k}`}
                name={`registerInfo.${k}`}
                value={regText(k)}
                onChange={(e) => setReg(k, e.target.value)}
                options={REGISTER_CHOICES[k]}
                placeholder="Not set"
              />
            </Field>
          ))}
          <Field id="reg-lastAuditDate" label="Last audit of the provider" error={err('registerInfo.lastAuditDate')}>
            <Input
              id="reg-lastAuditDate"
              name="registerInfo.lastAuditDate"
              type="date"
              value={regText('lastAuditDate')}
              onChange={(e) => setReg('lastAuditDate', e.target.value)}
            />
          </Field>
          <div className="flex flex-col justify-end gap-2 text-sm text-slate-800">
            {/* Yes, no, or not known: a checkbox alone cannot send "no", so its value travels in a hidden field once set. */}
            {(['exitPlan', 'providerStoresData'] as const).map(
              (k) => typeof register[k] === 'boolean' && <input key={k} type="hidden" name={`registerInfo.${k}`} value={String(register[k])} />,
            )}
            <label className="flex items-center gap-2">
              <Checkbox checked={register.exitPlan === true} onChange={(e) => setReg('exitPlan', e.target.checked)} /> An exit plan exists
            </label>
            <label className="flex items-center gap-2">
              <Checkbox checked={register.providerStoresData === true} onChange={(e) => setReg('providerStoresData', e.target.checked)} /> The vendor stores the tenant&apos;s data
            </label>
          </div>
        </div>
      </details>

      {mode === 'amend' && (
        <Field id="reason" label="Reason for the amendment" required error={err('reason')} hint="Shown to the approver and recorded in the audit trail.">
          <Textarea
            {...describedBy('reason', { error: err('reason'), hint: true })}
            rows={2}
            name="reason"
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            maxLength={1000}
          />
        </Field>
      )}

      <div className="flex flex-wrap items-center gap-2 border-t border-slate-200 pt-4">
        <Button type="submit" variant="primary" disabled={pending}>
          {mode === 'create' ? 'Create draft' : mode === 'edit' ? 'Save as new version' : 'Request amendment'}
        </Button>
        <ButtonLink href={cancelHref} variant="ghost">
          Cancel
        </ButtonLink>
      </div>
    </form>
  );
}
