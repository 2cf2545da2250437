'use client';

import { useState, useTransition } from 'react';
import { Button } from '@/components/ui/button';
import type { Problem } from '@/lib/core/errors';

type IssueResult = { ok: true; json: string; fileName: string; kid: string } | { ok: false; problem?: Problem };

/**
 * Issues the deployment's bundle and saves it as a file — what an operator carries into an
 * air-gapped site. A refusal (residency, export restriction, no active contract) shows its reason.
 */
export function BundleDownload({ deploymentName, issue }: { deploymentName: string; issue: () => Promise<IssueResult> }) {
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const download = () =>
    startTransition(async () => {
      setError(null);
      const result = await issue();
      if (!result.ok) {
        setError(result.problem?.detail ?? 'The bundle could not be issued.');
        return;
      }
      const url = URL.createObjectURL(new Blob([result.json], { type: 'application/json' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = result.fileName;
      document.body.append(a);
      a.click();
      a.remove();
      URL.revokeObjectURL(url);
      setDone(`Saved ${result.fileName} (signed by key ${result.kid}).`);
    });
  return (
    <div className="space-y-1">
      <Button size="sm" variant="secondary" onClick={download} disabled={pending} aria-label={`Download the bundle of ${deploymentName}`}>
        {pending ? 'Signing…' : 'Download bundle'}
      </Button>
      <p className="max-w-md text-xs" aria-live="polite">
        {error && (
          <span className="font-medium text-red-700" role="alert">
            {error}
          </span>
        )}
        {done && !error && <span className="text-slate-600">{done}</span>}
      </p>
    </div>
  );
}
