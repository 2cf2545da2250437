'use client';

import { useState } from 'react';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Field, describedBy } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { ProblemSummary } from '@/components/ui/problem-summary';
import { Select } from '@/components/ui/select';
import { EmptyRow, TBody, THead, Table, Td, Th, Tr } from '@/components/ui/table';
import { useForm } from '@/components/ui/use-form';
import { type FormState, fieldError } from '@/lib/http/form-state';
import { DORA_ENTITY_TYPES, type DoraExport, doraExportInput } from '@/lib/modules/dora-register/schema';

const LABELS = { entityType: 'Type of entity', competentAuthority: 'Competent authority', reportingDate: 'Reporting date' };

function save(fileName: string, csv: string) {
  const url = URL.createObjectURL(new Blob([csv], { type: 'text/csv' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.append(a);
  a.click();
  a.remove();
  URL.revokeObjectURL(url);
}

/** Runs the export once; then each template's CSV can be saved, and the empty columns are listed. */
export function DoraExportPanel({
  tenantId,
  tenantSlug,
  action,
}: {
  tenantId: string;
  tenantSlug: string;
  action: (state: FormState<DoraExport>, form: FormData) => Promise<FormState<DoraExport>>;
}) {
  const { state, pending, key, formProps } = useForm(action, doraExportInput);
  const err = (path: string) => fieldError(state, path);
  // Held here, so that the choices stay for the next export when the form is re-keyed after an answer.
  const [entityType, setEntityType] = useState('');
  const [authority, setAuthority] = useState('');
  const [reportingDate, setReportingDate] = useState('');
  const result = state.data && !state.problem ? state.data : null;
  return (
    <div className="space-y-5">
      <ProblemSummary state={state} labels={LABELS} />
      <form key={key} {...formProps} className="flex flex-wrap items-end gap-3">
        <input type="hidden" name="tenantId" value={tenantId} />
        <Field id="entityType" label="Type of entity (B_01.01.0040)" className="w-72" error={err('entityType')}>
          <Select
            {...describedBy('entityType', { error: err('entityType') })}
            name="entityType"
            value={entityType}
            onChange={(e) => setEntityType(e.target.value)}
            options={Object.entries(DORA_ENTITY_TYPES).map(([value, label]) => ({ value, label }))}
            placeholder="Not given"
          />
        </Field>
        <Field id="competentAuthority" label="Competent authority (B_01.01.0050)" className="w-80" error={err('competentAuthority')}>
          <Input
            {...describedBy('competentAuthority', { error: err('competentAuthority') })}
            name="competentAuthority"
            value={authority}
            onChange={(e) => setAuthority(e.target.value)}
            maxLength={200}
          />
        </Field>
        <Field id="reportingDate" label="Reporting date" className="w-44" error={err('reportingDate')}>
          <Input
            {...describedBy('reportingDate', { error: err('reportingDate') })}
            name="reportingDate"
            type="date"
            value={reportingDate}
            onChange={(e) => setReportingDate(e.target.value)}
          />
        </Field>
        <Button type="submit" variant="primary" disabled={pending}>
          {pending ? 'Exporting…' : 'Export register'}
        </Button>
      </form>
      {result && (
        <>
          <Alert tone="success" title={`Exported ${result.contracts} arrangement(s) of ${result.tenant.legalName}.`}>
            One CSV file per template, with the template&apos;s column codes (c0010 …) and EBA code values, to merge into your register.
          </Alert>
          <Table caption="Register files">
            <THead>
              <tr>
                <Th>Template</Th>
                <Th>Rows</Th>
                <Th>File</Th>
              </tr>
            </THead>
            <TBody>
              {result.files.map((f) => (
                <Tr key={f.template} data-template={f.template}>
                  <Td className="font-mono">{f.template.toUpperCase()}</Td>
                  <Td>{f.rows.length}</Td>
                  <Td>
                    <Button size="sm" variant="secondary" onClick={() => save(`${tenantSlug}-${f.fileName}`, f.csv)}>
                      Download {f.fileName}
                    </Button>
                  </Td>
                </Tr>
              ))}
            </TBody>
          </Table>
          <h2 className="text-sm font-semibold text-slate-900">Columns left empty</h2>
          <Table caption="Columns Charter left empty">
            <THead>
              <tr>
                <Th>Column</Th>
                <Th>Why</Th>
              </tr>
            </THead>
            <TBody>
              {result.gaps.length === 0 && <EmptyRow colSpan={2}>None.</EmptyRow>}
              {result.gaps.map((g) => (
                <Tr key={`${g.template}.${g.column}`}>
                  <Td className="font-mono text-xs whitespace-nowrap">
                    {g.template.toUpperCase()}.{g.column.slice(1)}
                  </Td>
                  <Td className="text-sm">{g.reason}</Td>
                </Tr>
              ))}
            </TBody>
          </Table>
        </>
      )}
    </div>
  );
}
