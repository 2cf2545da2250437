import Link from 'next/link';
import { Card } from '@/components/ui/card';
import { cn } from '@/components/ui/cn';
import type { NotificationDto } from '@/lib/modules/notifications/service';

const DOT: Record<NotificationDto['severity'], string> = { danger: 'bg-red-600', warning: 'bg-amber-500', info: 'bg-sky-500' };

/** What needs someone's attention: expiring contracts, waiting approvals, end-of-life models. */
export function NotificationsPanel({ notifications, limit = 8 }: { notifications: NotificationDto[]; limit?: number }) {
  if (notifications.length === 0) return null;
  const shown = notifications.slice(0, limit);
  return (
    <Card title={`Needs attention (${notifications.length})`} titleId="notifications" className="mb-6">
      <ul className="divide-y divide-slate-100" data-testid="notifications">
        {shown.map((n, i) => (
          <li key={`${n.kind}-${i}`} className="flex items-start gap-3 py-2" data-kind={n.kind}>
            <span aria-hidden="true" className={cn('mt-1.5 size-2 shrink-0 rounded-full', DOT[n.severity])} />
            <div className="min-w-0">
              <Link href={n.href} className="text-sm font-medium text-brand-800 hover:underline">
                {n.title}
              </Link>
              <p className="text-xs text-slate-600">{n.detail}</p>
            </div>
          </li>
        ))}
      </ul>
      {notifications.length > limit && <p className="pt-2 text-xs text-slate-600">and {notifications.length - limit} more.</p>}
    </Card>
  );
}
