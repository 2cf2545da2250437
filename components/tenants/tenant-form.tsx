'use client';

import { useState } from 'react';
import { ProblemSummary } from '@/components/ui/problem-summary';
import { Button, ButtonLink } from '@/components/ui/button';
import { Field, describedBy } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { Select } from '@/components/ui/select';
import { type FormControls, useForm } from '@/components/ui/use-form';
import { type FormState, fieldError, valueOf, valuesOf } from '@/lib/http/form-state';
import { createTenantInput, updateTenantForm } from '@/lib/modules/tenants/schema';
import { CountryPicker } from './country-picker';
import { type CountryOption, SECTOR_OPTIONS, SENSITIVITY_OPTIONS } from './labels';

export type TenantFormValues = {
  slug: string;
  legalName: string;
  lei: string | null;
  sector: string;
  sensitivity: string;
  homeCountry: string;
  allowedCountries: string[];
};

type TenantFormProps = {
  mode: 'create' | 'edit';
  action: (state: FormState, form: FormData) => Promise<FormState>;
  countries: CountryOption[];
  initial?: TenantFormValues;
  cancelHref: string;
};

const FIELD_LABELS: Record<string, string> = {
  legalName: 'Legal name',
  slug: 'Slug',
  lei: 'LEI',
  sector: 'Sector',
  sensitivity: 'Sensitivity',
  homeCountry: 'Home country',
  allowedCountries: 'Allowed data-processing countries',
};

/** Suggests a slug from a legal name: "Bank of Example AG" → "bank-of-example-ag". */
function slugify(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48)
    .replace(/-+$/, '');
}

/** The one tenant form, for create and edit, checked with the server's schema before it is sent. */
export function TenantForm(props: TenantFormProps) {
  const form = useForm(props.action, props.mode === 'create' ? createTenantInput : updateTenantForm);
  // Re-keyed on every answer, so that the defaults below (what the user sent) are applied again.
  return <TenantFormFields key={form.key} {...props} form={form} />;
}

function TenantFormFields({ mode, countries, initial, cancelHref, form: { state, pending, formProps } }: TenantFormProps & { form: FormControls }) {
  const sent = state.values !== undefined;
  const [legalName, setLegalName] = useState(sent ? valueOf(state, 'legalName') : (initial?.legalName ?? ''));
  const [slug, setSlug] = useState(sent ? valueOf(state, 'slug') : (initial?.slug ?? ''));
  const [slugTouched, setSlugTouched] = useState(sent || mode === 'edit');
  const [homeCountry, setHomeCountry] = useState(sent ? valueOf(state, 'homeCountry') : (initial?.homeCountry ?? ''));
  const [allowed, setAllowed] = useState<string[]>(sent ? valuesOf(state, 'allowedCountries') : (initial?.allowedCountries ?? []));

  const err = (path: string) => fieldError(state, path);
  return (
    <form {...formProps} className="space-y-6">
      <ProblemSummary state={state} labels={FIELD_LABELS} />

      <section aria-labelledby="tenant-identity" className="space-y-4">
        <h2 id="tenant-identity" className="text-sm font-semibold text-slate-900">
          Identity
        </h2>
        <div className="grid gap-4 md:grid-cols-2">
          <Field id="legalName" label="Legal name" required error={err('legalName')} className="md:col-span-2">
            <Input
              {...describedBy('legalName', { error: err('legalName') })}
              name="legalName"
              value={legalName}
              onChange={(e) => {
                setLegalName(e.target.value);
                if (!slugTouched) setSlug(slugify(e.target.value));
              }}
              required
              maxLength={200}
              autoComplete="organization"
            />
          </Field>

          {mode === 'create' ? (
            <Field
              id="slug"
              label="Slug"
              required
              error={err('slug')}
              hint="The tenant's permanent handle in URLs and the CLI: lowercase letters, digits and hyphens. It cannot be changed later."
            >
              <Input
                {...describedBy('slug', { error: err('slug'), hint: true })}
                name="slug"
                value={slug}
                onChange={(e) => {
                  setSlug(e.target.value);
                  setSlugTouched(true);
                }}
                required
                maxLength={48}
                autoComplete="off"
                spellCheck={false}
                className="font-mono"
              />
            </Field>
          ) : (
            <div className="space-y-1">
              <p className="text-sm font-medium text-slate-800">Slug</p>
              <p className="flex h-9 items-center font-mono text-slate-700">{initial?.slug}</p>
              <p className="text-xs text-slate-600">Fixed at creation.</p>
            </div>
          )}

          <Field
            id="lei"
            label="LEI"
            error={err('lei')}
            hint={mode === 'edit' ? 'ISO 17442 Legal Entity Identifier, 20 characters. Leave empty to remove it.' : 'ISO 17442 Legal Entity Identifier, 20 characters. Optional.'}
          >
            <Input
              {...describedBy('lei', { error: err('lei'), hint: true })}
              name="lei"
              defaultValue={sent ? valueOf(state, 'lei') : (initial?.lei ?? '')}
              maxLength={20}
              autoComplete="off"
              spellCheck={false}
              className="font-mono uppercase"
            />
          </Field>
        </div>
      </section>

      <section aria-labelledby="tenant-classification" className="space-y-4">
        <h2 id="tenant-classification" className="text-sm font-semibold text-slate-900">
          Classification
        </h2>
        <div className="grid gap-4 md:grid-cols-2">
          <Field id="sector" label="Sector" required error={err('sector')}>
            <Select
              {...describedBy('sector', { error: err('sector') })}
              name="sector"
              defaultValue={sent ? valueOf(state, 'sector') : (initial?.sector ?? '')}
              options={SECTOR_OPTIONS}
              placeholder="Choose a sector…"
              required
            />
          </Field>
          <Field id="sensitivity" label="Sensitivity" required error={err('sensitivity')} hint="The highest classification of data this tenant processes.">
            <Select
              {...describedBy('sensitivity', { error: err('sensitivity'), hint: true })}
              name="sensitivity"
              defaultValue={sent ? valueOf(state, 'sensitivity') : (initial?.sensitivity ?? '')}
              options={SENSITIVITY_OPTIONS}
              placeholder="Choose a level…"
              required
            />
          </Field>
        </div>
      </section>

      <section aria-labelledby="tenant-jurisdiction" className="space-y-4">
        <h2 id="tenant-jurisdiction" className="text-sm font-semibold text-slate-900">
          Jurisdiction
        </h2>
        <Field id="homeCountry" label="Home country" required error={err('homeCountry')} className="md:w-1/2 md:pr-2">
          <Select
            {...describedBy('homeCountry', { error: err('homeCountry') })}
            name="homeCountry"
            value={homeCountry}
            onChange={(e) => {
              setHomeCountry(e.target.value);
              // The home country must be an allowed processing country; pre-select it.
              if (e.target.value && !allowed.includes(e.target.value)) setAllowed([...allowed, e.target.value].sort());
            }}
            options={countries.map((c) => ({ value: c.code, label: `${c.name} (${c.code})` }))}
            placeholder="Choose a country…"
            required
          />
        </Field>
        <CountryPicker
          id="allowedCountries"
          name="allowedCountries"
          legend="Allowed data-processing countries"
          hint="Where this tenant's data may be processed. Deployments must lie in one of these countries."
          countries={countries}
          selected={allowed}
          onChange={setAllowed}
          error={err('allowedCountries')}
        />
      </section>

      <div className="flex items-center gap-2 border-t border-slate-200 pt-4">
        <Button type="submit" variant="primary" disabled={pending}>
          {pending ? 'Saving…' : mode === 'create' ? 'Create tenant' : 'Save changes'}
        </Button>
        <ButtonLink href={cancelHref} variant="ghost">
          Cancel
        </ButtonLink>
      </div>
    </form>
  );
}
