import type { Metadata } from 'next';
import Link from 'next/link';
import { ApprovalsTable } from '@/components/approvals/approvals-table';
import { VIEW_LABELS } from '@/components/approvals/labels';
import { Alert } from '@/components/ui/alert';
import { cn } from '@/components/ui/cn';
import { PageHeader } from '@/components/ui/page-header';
import { Pagination, hrefWith } from '@/components/ui/pagination';
import { requireCtx } from '@/lib/http/session';
import { can } from '@/lib/access/guard';
import { toAppError } from '@/lib/core/errors';
import { APPROVAL_VIEWS, type ApprovalDto, type ApprovalView, listApprovalsQuery } from '@/lib/approvals/schema';
import type { Page } from '@/lib/core/schema';
import { countApprovalsAwaiting, listApprovals } from '@/lib/approvals/service';
import { type SearchParams, firstParam } from '@/lib/http/search-params';

export const metadata: Metadata = { title: 'Approvals' };

const PAGE_SIZE = 25;

const EMPTY: Record<ApprovalView, string> = {
  inbox: 'Nothing is waiting for your decision.',
  mine: 'You have not requested anything that needs a second approver.',
  history: 'No request has been decided yet.',
  all: 'No approval requests yet.',
};

export default async function ApprovalsPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const ctx = await requireCtx();
  const params = await searchParams;
  const canDecide = can(ctx.actor, 'approvals:decide');
  const requested = firstParam(params.view);
  const view: ApprovalView = APPROVAL_VIEWS.includes(requested as ApprovalView) ? (requested as ApprovalView) : canDecide ? 'inbox' : 'all';
  const views = APPROVAL_VIEWS.filter((v) => canDecide || v === 'all' || v === 'history');

  let page: Page<ApprovalDto> = { data: [], nextCursor: null };
  let notice: string | null = null;
  try {
    page = await listApprovals(ctx, listApprovalsQuery.parse({ view, limit: PAGE_SIZE, cursor: firstParam(params.cursor) }));
  } catch (err) {
    if (toAppError(err).code !== 'validation_failed') throw err;
    notice = 'This page link is no longer valid. Start again from the newest requests.';
  }
  const waiting = await countApprovalsAwaiting(ctx);

  return (
    <>
      <PageHeader
        title="Approvals"
        description="Four-eyes control: sensitive actions are carried out only when a different administrator approves them within 72 hours. Nobody can approve their own request, also not from a second session or with their own API key."
      />
      <nav aria-label="Approval views" className="mb-4 flex flex-wrap gap-1 border-b border-slate-200">
        {views.map((v) => (
          <Link
            key={v}
            href={hrefWith('/approvals', { view: v })}
            aria-current={v === view ? 'page' : undefined}
            className={cn(
              '-mb-px border-b-2 px-3 py-2 text-sm font-medium',
              v === view ? 'border-brand-700 text-brand-800' : 'border-transparent text-slate-600 hover:text-slate-900',
            )}
          >
            {VIEW_LABELS[v]}
            {v === 'inbox' && waiting > 0 && <span className="ml-1.5 rounded-full bg-amber-100 px-1.5 text-xs text-amber-900">{waiting}</span>}
          </Link>
        ))}
      </nav>
      {notice && (
        <Alert tone="warning" className="mb-3">
          {notice}
        </Alert>
      )}
      <ApprovalsTable approvals={page.data} caption={`Approval requests: ${VIEW_LABELS[view]}`} empty={EMPTY[view]} />
      <Pagination
        label="Approval request pages"
        firstLabel="Newest"
        nextLabel="Older"
        firstHref={firstParam(params.cursor) ? hrefWith('/approvals', { view }) : null}
        nextHref={page.nextCursor ? hrefWith('/approvals', { view, cursor: page.nextCursor }) : null}
      />
    </>
  );
}
