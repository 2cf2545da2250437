import Link from 'next/link';
import { formatUtc } from '@/components/audit/audit-events-table';
import { EmptyRow, TBody, THead, Table, Td, Th, Tr } from '@/components/ui/table';
import type { ApprovalDto } from '@/lib/approvals/schema';
import { ApprovalStatusBadge } from './approval-status-badge';
import { ACTION_LABELS, relativeTime } from './labels';

type Props = { approvals: ApprovalDto[]; caption: string; empty: string; now?: number };

/** One row per request: what, for whom, who asked, and how long is left to decide. */
export function ApprovalsTable({ approvals, caption, empty, now = Date.now() }: Props) {
  return (
    <Table caption={caption}>
      <THead>
        <tr>
          <Th>Request</Th>
          <Th>Tenant</Th>
          <Th>Requested by</Th>
          <Th>Requested</Th>
          <Th>Status</Th>
          <Th>Deadline / decision</Th>
        </tr>
      </THead>
      <TBody>
        {approvals.length === 0 && <EmptyRow colSpan={6}>{empty}</EmptyRow>}
        {approvals.map((a) => (
          <Tr key={a.id} data-approval-id={a.id}>
            <Td className="max-w-md">
              <Link href={`/approvals/${a.id}`} className="font-medium text-brand-800 hover:underline">
                {a.summary || ACTION_LABELS[a.action]}
              </Link>
              <p className="text-xs text-slate-600">{ACTION_LABELS[a.action]}</p>
            </Td>
            <Td>{a.tenant ? a.tenant.legalName : <span className="text-slate-500">Platform</span>}</Td>
            <Td>
              <span className="block">{a.requestedBy.name}</span>
              <span className="text-xs text-slate-600">{a.requestedBy.email}</span>
            </Td>
            <Td>
              <time dateTime={a.requestedAt} className="font-mono text-xs whitespace-nowrap">
                {formatUtc(a.requestedAt)}
              </time>
            </Td>
            <Td>
              <ApprovalStatusBadge status={a.status} />
            </Td>
            <Td className="text-xs whitespace-nowrap">
              {a.status === 'PENDING' ? (
                <span title={formatUtc(a.expiresAt)}>expires {relativeTime(a.expiresAt, now)}</span>
              ) : a.decidedBy ? (
                <span>
                  by {a.decidedBy.name}
                  {a.decidedAt && <span className="block text-slate-600">{formatUtc(a.decidedAt)}</span>}
                </span>
              ) : (
                <span className="text-slate-600">{a.status === 'EXPIRED' ? `no decision by ${formatUtc(a.expiresAt)}` : '—'}</span>
              )}
            </Td>
          </Tr>
        ))}
      </TBody>
    </Table>
  );
}
