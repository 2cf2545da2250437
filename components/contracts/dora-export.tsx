'use client';

import { useState, useTransition } from 'react';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { Select } from '@/components/ui/select';
import { EmptyRow, TBody, THead, Table, Td, Th, Tr } from '@/components/ui/table';
import type { Problem } from '@/lib/errors';
import { DORA_ENTITY_TYPES, type DoraExport } from '@/lib/schemas/dora';

type Result = { ok: true; data: DoraExport } | { ok: false; problem?: Problem };

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
export function DoraExportPanel({ tenantId, tenantSlug, run }: { tenantId: string; tenantSlug: string; run: (input: Record<string, unknown>) => Promise<Result> }) {
  const [pending, startTransition] = useTransition();
  const [entityType, setEntityType] = useState('');
  const [authority, setAuthority] = useState('');
  const [reportingDate, setReportingDate] = useState('');
  const [result, setResult] = useState<Result | null>(null);
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    startTransition(async () =>
      setResult(await run({ tenantId, entityType: entityType || undefined, competentAuthority: authority || undefined, reportingDate: reportingDate || undefined })),
    );
  };
  return (
    <div className="space-y-5">
      <form onSubmit={submit} className="flex flex-wrap items-end gap-3" noValidate>
        <Field id="entityType" label="Type of entity (B_01.01.0040)" className="w-72">
          <Select id="entityType" value={entityType} onChange={(e) => setEntityType(e.target.value)} options={Object.entries(DORA_ENTITY_TYPES).map(([value, label]) => ({ value, label }))} placeholder="Not given" />
        </Field>
        <Field id="competentAuthority" label="Competent authority (B_01.01.0050)" className="w-80">
          <Input id="competentAuthority" value={authority} onChange={(e) => setAuthority(e.target.value)} maxLength={200} />
        </Field>
        <Field id="reportingDate" label="Reporting date" className="w-44">
          <Input id="reportingDate" type="date" value={reportingDate} onChange={(e) => setReportingDate(e.target.value)} />
        </Field>
        <Button type="submit" variant="primary" disabled={pending}>
          {pending ? 'Exporting…' : 'Export register'}
        </Button>
      </form>
      {result && !result.ok && (
        <Alert tone="error" title={result.problem?.title ?? 'Export failed'}>
          {result.problem?.detail}
        </Alert>
      )}
      {result?.ok && (
        <>
          <Alert tone="success" title={`Exported ${result.data.contracts} arrangement(s) of ${result.data.tenant.legalName}.`}>
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
              {result.data.files.map((f) => (
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
              {result.data.gaps.length === 0 && <EmptyRow colSpan={2}>None.</EmptyRow>}
              {result.data.gaps.map((g) => (
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
