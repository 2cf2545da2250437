'use client';

import { useEffect, useRef } from 'react';
import { Alert } from '@/components/ui/alert';
import { cn } from '@/components/ui/cn';
import type { Problem } from '@/lib/core/errors';
import { type FormState, INVALID_FIELDS_DETAIL } from '@/lib/http/form-state';

type ProblemSummaryProps = {
  state: Pick<FormState<unknown>, 'problem'>;
  /** The form's fields by name (the first segment of an error's path); an error on one of them links to it. */
  labels?: Record<string, string>;
  /** The id of the control an error's path belongs to (default: the path's first segment). */
  fieldId?: (path: string) => string;
  /** A title for a problem this form knows better than the generic one (e.g. a refusal by a contract). */
  title?: (problem: Problem) => string | undefined;
  /** No title, small type: for a form inside a table row or a narrow panel. */
  compact?: boolean;
  /** A test id for the problem's detail. */
  detailTestId?: string;
  className?: string;
};

const top = (path: string) => path.split('.')[0] ?? path;

/**
 * Every form's refusal, at the top of the form (or beside a compact one), focused so that it is read
 * out first. A refusal by the schema lists its errors, each linking to its field (a nested one, such
 * as an entitlement row's field, also names its path); a refusal by a rule says why in its detail,
 * then links the fields it names. Errors about data the form has no field for (the entries of an
 * imported file) are listed by path.
 */
export function ProblemSummary({ state, labels = {}, fieldId = top, title, compact = false, detailTestId, className }: ProblemSummaryProps) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (state.problem) ref.current?.focus();
  }, [state.problem]);
  const problem = state.problem;
  if (!problem) return null;

  const errors = problem.errors ?? [];
  const bySchema = problem.detail === INVALID_FIELDS_DETAIL;
  // A rule's refusal often repeats its detail as the field's message; once is enough here.
  // In the order of the form's fields (that of `labels`), not the order the schema checked them in.
  const order = Object.keys(labels);
  const onFields = errors
    .filter((e) => top(e.path) in labels && (bySchema || e.message !== problem.detail))
    .sort((a, b) => order.indexOf(top(a.path)) - order.indexOf(top(b.path)));
  const others = errors.filter((e) => !(top(e.path) in labels));
  const heading = title?.(problem) ?? (bySchema && onFields.length > 0 ? 'Please correct the highlighted fields.' : problem.title);

  return (
    <div ref={ref} tabIndex={-1} className={cn('outline-none', className)}>
      <Alert tone="error" title={compact ? undefined : heading} className={compact ? 'px-2 py-1 text-xs' : undefined}>
        {(!bySchema || onFields.length === 0) && <p data-testid={detailTestId}>{problem.detail}</p>}
        {onFields.length > 0 && (
          <ul className={compact ? 'space-y-0.5' : cn('list-disc pl-5', !bySchema && 'mt-1')}>
            {onFields.map((e) => (
              <li key={`${e.path}:${e.message}`}>
                <a href={`#${fieldId(e.path)}`} className="font-medium underline">
                  {labels[top(e.path)]}
                </a>
                {e.path.includes('.') && <span className="font-mono text-xs"> ({e.path})</span>}
                {compact ? ': ' : ' '}
                {e.message}
              </li>
            ))}
          </ul>
        )}
        {others.length > 0 && (
          <ul className={cn('mt-1 list-disc text-xs', compact ? 'pl-4' : 'pl-5')}>
            {others.map((e) => (
              <li key={`${e.path}:${e.message}`}>
                <span className="font-mono">{e.path}</span>: {e.message}
              </li>
            ))}
          </ul>
        )}
        {problem.code === 'internal' && problem.requestId && <p className="mt-1 text-xs opacity-80">Reference: {problem.requestId}</p>}
      </Alert>
    </div>
  );
}
