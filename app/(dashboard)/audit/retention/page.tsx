import type { Metadata } from 'next';
import { LegalHoldControl, RetentionChange } from '@/components/audit/retention-controls';
import { Badge } from '@/components/ui/badge';
import { PageHeader } from '@/components/ui/page-header';
import { EmptyRow, TBody, THead, Table, Td, Th, Tr } from '@/components/ui/table';
import { requireCtx } from '@/lib/http/session';
import { can } from '@/lib/access/guard';
import { listRetention } from '@/lib/modules/audit-trail/retention';
import { changeRetentionAction, setLegalHoldAction } from '../actions';

export const metadata: Metadata = { title: 'Audit retention' };

function years(days: number): string {
  return days % 365 === 0 || days >= 730 ? `${(days / 365).toFixed(days % 365 === 0 ? 0 : 1)} years` : `${Math.round(days / 30.4)} months`;
}

export default async function RetentionPage() {
  const ctx = await requireCtx();
  const rows = await listRetention(ctx);
  const canChange = can(ctx.actor, 'settings:write');
  return (
    <>
      <PageHeader
        title="Audit retention"
        crumbs={[{ label: 'Audit log', href: '/audit' }, { label: 'Retention' }]}
        description="How long each tenant's audit log is kept: at least six months (EU AI Act Art. 19 and 26), at most ten years. Expired months are purged as whole partitions by npx charter audit purge, which is itself audited; the chain keeps verifying from the first retained event. A legal hold blocks every purge. Changing a retention period needs a second administrator's approval."
      />
      <Table caption="Audit retention per tenant">
        <THead>
          <tr>
            <Th>Tenant</Th>
            <Th>Retention</Th>
            <Th>Legal hold</Th>
            <Th>Retained seqs</Th>
            <Th>Purge before</Th>
          </tr>
        </THead>
        <TBody>
          {rows.length === 0 && <EmptyRow colSpan={5}>No tenants.</EmptyRow>}
          {rows.map((r) => (
            <Tr key={r.tenantId} className="align-top" data-tenant={r.slug}>
              <Td className="min-w-48">
                <div className="text-sm text-slate-900">{r.legalName}</div>
                <div className="font-mono text-xs text-slate-600">{r.slug}</div>
              </Td>
              <Td className="text-sm">
                <div className="mb-1 whitespace-nowrap">
                  {r.retentionDays} days <span className="text-xs text-slate-600">({years(r.retentionDays)})</span>
                </div>
                {canChange && <RetentionChange slug={r.slug} retentionDays={r.retentionDays} action={changeRetentionAction.bind(null, r.slug)} />}
              </Td>
              <Td>
                <div className="mb-1">{r.legalHold ? <Badge tone="warning">On hold</Badge> : <span className="text-xs text-slate-600">None</span>}</div>
                {canChange && <LegalHoldControl slug={r.slug} legalHold={r.legalHold} action={setLegalHoldAction.bind(null, r.slug)} />}
              </Td>
              <Td className="font-mono text-xs whitespace-nowrap">{r.lastSeq >= r.firstSeq ? `${r.firstSeq}..${r.lastSeq}` : '—'}</Td>
              <Td className="font-mono text-xs whitespace-nowrap" title={r.cutoff}>
                {r.legalHold ? 'nothing (hold)' : r.cutoff.slice(0, 10)}
              </Td>
            </Tr>
          ))}
        </TBody>
      </Table>
    </>
  );
}
