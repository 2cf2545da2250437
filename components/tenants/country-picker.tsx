'use client';

import { useId, useState } from 'react';
import { Checkbox, Input } from '@/components/ui/input';
import { cn } from '@/components/ui/cn';
import type { CountryOption } from './labels';

type CountryPickerProps = {
  id: string;
  /** Form field name; submitted as `<name>[]`, one entry per checked country. */
  name: string;
  legend: string;
  countries: CountryOption[];
  selected: string[];
  onChange: (codes: string[]) => void;
  error?: string;
  hint?: string;
  /** No "required" mark (e.g. export restrictions, which may be empty). */
  optional?: boolean;
};

/**
 * A filterable checkbox list: plain form controls, so it works with a keyboard and a screen reader
 * and submits like any other field. Filtered-out countries stay in the form (hidden inputs still
 * submit), so narrowing the list never drops a selection.
 */
export function CountryPicker({ id: fieldsetId, name, legend, countries, selected, onChange, error, hint, optional = false }: CountryPickerProps) {
  const id = useId();
  const [filter, setFilter] = useState('');
  const chosen = new Set(selected);
  const needle = filter.trim().toLowerCase();
  const matches = (c: CountryOption) => !needle || c.name.toLowerCase().includes(needle) || c.code.toLowerCase() === needle;
  const byCode = new Map(countries.map((c) => [c.code, c]));
  const visible = countries.filter(matches).length;

  const toggle = (code: string, on: boolean) => {
    const next = new Set(chosen);
    if (on) next.add(code);
    else next.delete(code);
    onChange([...next].sort());
  };

  const describedBy = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(' ') || undefined;

  return (
    <fieldset id={fieldsetId} tabIndex={-1} className="space-y-2 outline-none" aria-describedby={describedBy} aria-invalid={error ? true : undefined}>
      <legend className="text-sm font-medium text-slate-800">
        {legend}
        {!optional && (
          <span className="ml-0.5 text-red-700" aria-hidden="true">
            *
          </span>
        )}
      </legend>
      {hint && (
        <p id={`${id}-hint`} className="text-xs text-slate-600">
          {hint}
        </p>
      )}

      <div className="flex min-h-7 flex-wrap items-center gap-1.5" aria-live="polite">
        <span className="text-xs text-slate-600">{selected.length === 0 ? 'None selected.' : `${selected.length} selected:`}</span>
        {selected.map((code) => (
          <button
            key={code}
            type="button"
            onClick={() => toggle(code, false)}
            className="inline-flex items-center gap-1 rounded bg-brand-50 px-1.5 py-0.5 text-xs font-medium text-brand-800 ring-1 ring-brand-100 ring-inset hover:bg-brand-100"
            aria-label={`Remove ${byCode.get(code)?.name ?? code}`}
          >
            {byCode.get(code)?.name ?? code} <span className="font-mono text-[11px] text-brand-700">{code}</span>
            <span aria-hidden="true">×</span>
          </button>
        ))}
      </div>

      {/* Always sent, so that no country ticked arrives as an empty list rather than as nothing. */}
      <input type="hidden" name={`${name}[]`} value="" />
      <div className={cn('rounded-md border bg-white shadow-sm', error ? 'border-red-600' : 'border-slate-300')}>
        <div className="border-b border-slate-200 p-2">
          <label htmlFor={`${id}-filter`} className="sr-only">
            Filter countries
          </label>
          <Input
            id={`${id}-filter`}
            type="search"
            placeholder="Filter by name or code…"
            value={filter}
            onChange={(e) => setFilter(e.target.value)}
            onKeyDown={(e) => {
              // Enter in the filter must not submit the whole form.
              if (e.key === 'Enter') e.preventDefault();
            }}
            autoComplete="off"
            className="h-8"
          />
        </div>
        <ul className="grid max-h-56 grid-cols-1 gap-x-4 overflow-y-auto p-2 sm:grid-cols-2 lg:grid-cols-3">
          {countries.map((c) => (
            <li key={c.code} hidden={!matches(c)}>
              <label className="flex cursor-pointer items-center gap-2 rounded px-1.5 py-1 hover:bg-slate-50">
                <Checkbox name={`${name}[]`} value={c.code} checked={chosen.has(c.code)} onChange={(e) => toggle(c.code, e.target.checked)} />
                <span className="truncate">{c.name}</span>
                <span className="ml-auto font-mono text-xs text-slate-500">{c.code}</span>
              </label>
            </li>
          ))}
        </ul>
        {visible === 0 && <p className="px-3 pb-3 text-xs text-slate-600">No country matches “{filter}”.</p>}
      </div>
      {error && (
        <p id={`${id}-error`} className="text-xs font-medium text-red-700" data-field-error={name}>
          {error}
        </p>
      )}
    </fieldset>
  );
}
