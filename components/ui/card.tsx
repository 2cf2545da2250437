import type { ReactNode } from 'react';
import { cn } from './cn';

type CardProps = { title?: ReactNode; titleId?: string; actions?: ReactNode; className?: string; children: ReactNode };

/** A bordered section; with a title it is a labelled region. */
export function Card({ title, titleId, actions, className, children }: CardProps) {
  return (
    <section aria-labelledby={title ? titleId : undefined} className={cn('rounded-lg border border-slate-200 bg-white shadow-sm', className)}>
      {title && (
        <div className="flex items-center justify-between gap-3 border-b border-slate-200 px-4 py-2.5">
          <h2 id={titleId} className="text-sm font-semibold text-slate-900">
            {title}
          </h2>
          {actions}
        </div>
      )}
      <div className="p-4">{children}</div>
    </section>
  );
}
