import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import type { ReactNode } from 'react';
import { ApprovalStatusBadge } from '@/components/approvals/approval-status-badge';
import { CollectKey } from '@/components/approvals/collect-key';
import { DecisionForm } from '@/components/approvals/decision-form';
import { ACTION_LABELS, relativeTime } from '@/components/approvals/labels';
import { formatUtc } from '@/components/audit/audit-events-table';
import { DetailItem, DetailList } from '@/components/ui/detail-list';
import { Alert } from '@/components/ui/alert';
import { Card } from '@/components/ui/card';
import { PageHeader } from '@/components/ui/page-header';
import { requireCtx } from '@/lib/http/session';
import { toAppError } from '@/lib/core/errors';
import type { ApprovalDto } from '@/lib/approvals/schema';
import { canDecide, getApproval } from '@/lib/approvals/service';
import { collectPlatformKeyAction, decideApprovalAction } from '../actions';

export const metadata: Metadata = { title: 'Approval request' };

function targetLink(a: ApprovalDto): ReactNode {
  if (a.target.type === 'contract')
    return (
      <Link href={`/contracts/${a.target.id}`} className="text-brand-800 hover:underline">
        Contract
      </Link>
    );
  if (a.target.type === 'tenant' && a.tenant)
    return (
      <Link href={`/tenants/${a.tenant.slug}`} className="text-brand-800 hover:underline">
        {a.tenant.legalName}
      </Link>
    );
  return (
    <span>
      {a.target.type} <span className="font-mono text-xs">{a.target.id}</span>
    </span>
  );
}

export default async function ApprovalPage({ params }: { params: Promise<{ id: string }> }) {
  const ctx = await requireCtx();
  const { id } = await params;
  const approval = await getApproval(ctx, id).catch((err: unknown) => {
    if (toAppError(err).code === 'not_found') notFound();
    throw err;
  });
  const mayDecide = canDecide(ctx, approval);
  const mine = ctx.actor.type === 'user' && approval.requestedBy.id === ctx.actor.id;
  const collectable = mine && approval.action === 'PLATFORM_API_KEY_CREATE' && approval.status === 'APPROVED' && approval.executedAt === null;

  return (
    <>
      <PageHeader
        title={approval.summary || ACTION_LABELS[approval.action]}
        meta={<ApprovalStatusBadge status={approval.status} />}
        description={ACTION_LABELS[approval.action]}
        crumbs={[{ label: 'Approvals', href: '/approvals' }, { label: 'Request' }]}
      />
      <div className="grid gap-6 lg:grid-cols-3">
        <Card title="Request" titleId="approval-request" className="lg:col-span-2">
          <DetailList>
            <DetailItem label="Action">{ACTION_LABELS[approval.action]}</DetailItem>
            <DetailItem label="Target">{targetLink(approval)}</DetailItem>
            <DetailItem label="Tenant">{approval.tenant ? approval.tenant.legalName : 'Platform'}</DetailItem>
            <DetailItem label="Requested by">
              {approval.requestedBy.name} <span className="text-xs text-slate-600">{approval.requestedBy.email}</span>
            </DetailItem>
            <DetailItem label="Requested">
              <time dateTime={approval.requestedAt} className="font-mono text-xs">
                {formatUtc(approval.requestedAt)}
              </time>
            </DetailItem>
            <DetailItem label="Reason">
              <p className="whitespace-pre-wrap">{approval.reason}</p>
            </DetailItem>
            <DetailItem label="Expires">
              <time dateTime={approval.expiresAt} className="font-mono text-xs">
                {formatUtc(approval.expiresAt)}
              </time>
              {approval.status === 'PENDING' && <span className="ml-2 text-xs text-slate-600">({relativeTime(approval.expiresAt)})</span>}
            </DetailItem>
            {approval.decidedAt && (
              <DetailItem label="Decision">
                {approval.decidedBy ? `${approval.decidedBy.name} · ` : ''}
                <time dateTime={approval.decidedAt} className="font-mono text-xs">
                  {formatUtc(approval.decidedAt)}
                </time>
                {approval.decisionNote && <p className="mt-1 whitespace-pre-wrap text-slate-700">{approval.decisionNote}</p>}
              </DetailItem>
            )}
            {approval.executedAt && (
              <DetailItem label="Carried out">
                <time dateTime={approval.executedAt} className="font-mono text-xs">
                  {formatUtc(approval.executedAt)}
                </time>
              </DetailItem>
            )}
          </DetailList>
          <h3 className="mt-4 mb-1 text-xs font-semibold tracking-wide text-slate-600 uppercase">Exactly what will be carried out</h3>
          <pre className="max-h-96 overflow-auto rounded-md border border-slate-200 bg-slate-50 p-3 font-mono text-xs text-slate-800" data-testid="approval-payload">
            {JSON.stringify(approval.payload, null, 2)}
          </pre>
          {approval.result !== null && approval.result !== undefined && (
            <>
              <h3 className="mt-4 mb-1 text-xs font-semibold tracking-wide text-slate-600 uppercase">Result</h3>
              <pre className="overflow-auto rounded-md border border-slate-200 bg-slate-50 p-3 font-mono text-xs text-slate-800">{JSON.stringify(approval.result, null, 2)}</pre>
            </>
          )}
        </Card>

        <Card title="Decision" titleId="approval-decision" className="self-start">
          {approval.status === 'PENDING' && mayDecide && <DecisionForm mode="decide" action={decideApprovalAction.bind(null, approval.id)} />}
          {approval.status === 'PENDING' && mine && (
            <div className="space-y-3">
              <Alert tone="info">This is your own request: a different administrator must approve or reject it.</Alert>
              <DecisionForm mode="cancel" action={decideApprovalAction.bind(null, approval.id)} />
            </div>
          )}
          {approval.status === 'PENDING' && !mayDecide && !mine && <p className="text-sm text-slate-600">Waiting for an administrator’s decision.</p>}
          {collectable && <CollectKey action={collectPlatformKeyAction.bind(null, approval.id)} />}
          {approval.status !== 'PENDING' && !collectable && (
            <p className="text-sm text-slate-700">
              This request is <strong>{approval.status.toLowerCase()}</strong>
              {approval.status === 'EXPIRED' ? ': nobody decided within 72 hours, so nothing was changed. File a new request if it is still needed.' : '.'}
            </p>
          )}
        </Card>
      </div>
    </>
  );
}
