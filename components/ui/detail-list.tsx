import type { ReactNode } from 'react';
import { cn } from './cn';

/** The label/value list of a detail page's card: a <dl> of DetailItems. */
export function DetailList({ className, children }: { className?: string; children: ReactNode }) {
  return <dl className={cn('divide-y divide-slate-100 text-sm', className)}>{children}</dl>;
}

/** One label and its value; long values (hashes, ids) wrap instead of widening the card. */
export function DetailItem({ label, children }: { label: ReactNode; children: ReactNode }) {
  return (
    <div className="grid grid-cols-3 gap-3 py-2">
      <dt className="text-slate-600">{label}</dt>
      <dd className="col-span-2 min-w-0 break-words text-slate-900">{children}</dd>
    </div>
  );
}
