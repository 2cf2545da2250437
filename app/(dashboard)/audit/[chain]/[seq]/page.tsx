import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { ChangeLine, changesOf, formatUtc, show } from '@/components/audit/audit-events-table';
import { DetailItem, DetailList } from '@/components/ui/detail-list';
import { ButtonLink } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { PageHeader } from '@/components/ui/page-header';
import { hrefWith } from '@/components/ui/pagination';
import { requireCtx } from '@/lib/http/session';
import { toAppError } from '@/lib/core/errors';
import { getAuditEvent } from '@/lib/modules/audit-trail/search';

type Props = { params: Promise<{ chain: string; seq: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { seq } = await params;
  return { title: `Audit event ${seq}` };
}

const mono = (v: string | null) => (v ? <span className="font-mono text-xs">{v}</span> : <span className="text-slate-500">—</span>);

export default async function AuditEventPage({ params }: Props) {
  const ctx = await requireCtx();
  const { chain, seq } = await params;
  if (!/^\d{1,15}$/.test(seq)) notFound();
  const event = await getAuditEvent(ctx, decodeURIComponent(chain), Number(seq)).catch((err: unknown) => {
    if (toAppError(err).code === 'not_found') notFound();
    throw err;
  });
  const { changes, extra } = changesOf(event.data);
  const chainRef = event.chainLabel;

  return (
    <>
      <PageHeader
        title={`${event.action} · seq ${event.seq}`}
        description={<span className="font-mono text-xs">{formatUtc(event.occurredAt)}</span>}
        crumbs={[{ label: 'Audit log', href: '/audit' }, { label: chainRef, href: hrefWith('/audit', { chain: chainRef }) }, { label: `seq ${event.seq}` }]}
        actions={
          <>
            {event.seq > event.firstSeq && (
              <ButtonLink href={`/audit/${encodeURIComponent(chain)}/${event.seq - 1}`} variant="ghost">
                ‹ Previous
              </ButtonLink>
            )}
            {event.seq < event.lastSeq && (
              <ButtonLink href={`/audit/${encodeURIComponent(chain)}/${event.seq + 1}`} variant="ghost">
                Next ›
              </ButtonLink>
            )}
          </>
        }
      />
      <div className="grid gap-6 lg:grid-cols-2">
        <Card title="Event" titleId="event-details">
          <DetailList>
            <DetailItem label="Action">{mono(event.action)}</DetailItem>
            <DetailItem label="Occurred at">
              <time dateTime={event.occurredAt} className="font-mono text-xs">
                {event.occurredAt}
              </time>
            </DetailItem>
            <DetailItem label="Actor">
              {event.actor.label ?? '—'} <span className="text-xs text-slate-600">({event.actor.type})</span>
              <div>{mono(event.actor.id)}</div>
            </DetailItem>
            <DetailItem label="Target">
              {event.target.type ?? '—'} {mono(event.target.id)}
            </DetailItem>
            <DetailItem label="Chain">
              {chainRef} {chainRef !== event.chain && mono(event.chain)}
            </DetailItem>
            <DetailItem label="IP address">{mono(event.ip)}</DetailItem>
            <DetailItem label="User agent">{event.userAgent ?? <span className="text-slate-500">—</span>}</DetailItem>
            <DetailItem label="Request id">{mono(event.requestId)}</DetailItem>
            <DetailItem label="Event id">{mono(event.id)}</DetailItem>
          </DetailList>
        </Card>
        <div className="space-y-6">
          <Card title="Changes" titleId="event-changes">
            {changes.length === 0 && extra.length === 0 && <p className="text-sm text-slate-600">No details recorded.</p>}
            {changes.length > 0 && (
              <table className="w-full text-left text-xs" aria-label="Before and after">
                <thead>
                  <tr className="border-b border-slate-200 text-slate-600">
                    <th className="py-1 pr-2 font-semibold">Field</th>
                    <th className="py-1 pr-2 font-semibold">Before</th>
                    <th className="py-1 font-semibold">After</th>
                  </tr>
                </thead>
                <tbody className="divide-y divide-slate-100 font-mono">
                  {changes.map((c) => (
                    <tr key={c.key} className="align-top">
                      <td className="py-1 pr-2 text-slate-700">{c.key}</td>
                      <td className="py-1 pr-2 break-all">
                        {c.hasBefore ? <del className="bg-red-50 text-red-900 decoration-red-400">{show(c.before)}</del> : <span className="text-slate-400">—</span>}
                      </td>
                      <td className="py-1 break-all">
                        {c.hasAfter ? <ins className="bg-emerald-50 text-emerald-900 no-underline">{show(c.after)}</ins> : <span className="text-slate-400">—</span>}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            {extra.length > 0 && (
              <ul className="mt-2 space-y-0.5 font-mono text-xs">
                {extra.map(([k, v]) => (
                  <ChangeLine key={k} change={{ key: k, after: v, hasBefore: false, hasAfter: true }} />
                ))}
              </ul>
            )}
            <details className="mt-3">
              <summary className="cursor-pointer text-xs text-slate-700">Raw data (JSON)</summary>
              <pre className="mt-1 max-h-96 overflow-auto rounded bg-slate-50 p-2 text-xs">{JSON.stringify(event.data, null, 2)}</pre>
            </details>
          </Card>
          <Card title="Integrity" titleId="event-integrity">
            <DetailList>
              <DetailItem label="eventHash">
                <span className="font-mono text-xs break-all">{event.eventHash}</span>
              </DetailItem>
              <DetailItem label="Chain hash">
                <span className="font-mono text-xs break-all">{event.hash}</span>
              </DetailItem>
            </DetailList>
            <p className="mt-2 text-xs text-slate-600">
              eventHash = SHA-256 of the event&apos;s canonical JSON; chain hash = SHA-256(previous chain hash ‖ eventHash). An export of this chain proves both offline.
            </p>
          </Card>
        </div>
      </div>
    </>
  );
}
