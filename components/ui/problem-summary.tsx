'use client';

import { useEffect, useRef } from 'react';
import { Alert } from '@/components/ui/alert';
import type { FormState } from '@/components/ui/form-state';

/** The refusal at the top of a form, focused so that it is read out first, with links to the fields. */
export function ProblemSummary({ state, labels }: { state: FormState; labels: Record<string, string> }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (state.problem) ref.current?.focus();
  }, [state.problem]);
  const problem = state.problem;
  if (!problem) return null;
  const errors = problem.errors ?? [];
  return (
    <div ref={ref} tabIndex={-1} className="outline-none">
      <Alert tone="error" title={errors.length ? 'Please correct the highlighted fields.' : problem.title}>
        {errors.length ? (
          <ul className="list-disc pl-5">
            {errors.map((e) => {
              const field = e.path.split('.')[0] ?? e.path;
              return (
                <li key={`${e.path}:${e.message}`}>
                  <a href={`#${field}`} className="font-medium underline">
                    {labels[field] ?? field}
                  </a>{' '}
                  {e.message}
                </li>
              );
            })}
          </ul>
        ) : (
          <p>{problem.detail}</p>
        )}
        {problem.code === 'internal' && problem.requestId && <p className="mt-1 text-xs opacity-80">Reference: {problem.requestId}</p>}
      </Alert>
    </div>
  );
}
