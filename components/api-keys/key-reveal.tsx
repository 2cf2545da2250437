'use client';

import { useId, useRef, useState } from 'react';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Checkbox } from '@/components/ui/input';

type KeyRevealProps = {
  /** The full key, as returned by the server action that created it. Never stored by the page. */
  secret: string;
  /** What to do once the user has stored the key (close a dialog, go back to the list). */
  onDone: () => void;
  doneLabel?: string;
};

/**
 * Copy-once reveal. The key lives only in this component's props (client memory): it is not put
 * in a URL, cookie or storage, and it is gone when the user leaves.
 */
export function KeyReveal({ secret, onDone, doneLabel = 'Done' }: KeyRevealProps) {
  const id = useId();
  const boxRef = useRef<HTMLElement>(null);
  const [copy, setCopy] = useState<'idle' | 'copied' | 'manual'>('idle');
  const [stored, setStored] = useState(false);

  const selectKey = () => {
    const box = boxRef.current;
    const selection = window.getSelection();
    if (!box || !selection) return;
    const range = document.createRange();
    range.selectNodeContents(box);
    selection.removeAllRanges();
    selection.addRange(range);
  };

  const copyKey = async () => {
    try {
      // Only in secure contexts (https, or http://localhost); otherwise fall back to a selection.
      if (!navigator.clipboard) throw new Error('no clipboard');
      await navigator.clipboard.writeText(secret);
      setCopy('copied');
    } catch {
      selectKey();
      setCopy('manual');
    }
  };

  return (
    <div className="space-y-3">
      <Alert tone="warning" title="Copy this key now. It will not be shown again.">
        Charter keeps only a SHA-256 digest of it, so nobody can show it to you later. Store it in your secret manager; if it is lost, rotate the key.
      </Alert>
      <div className="space-y-1">
        <p id={`${id}-label`} className="text-sm font-medium text-slate-800">
          API key
        </p>
        <div className="flex items-stretch gap-2">
          <code
            ref={boxRef}
            aria-labelledby={`${id}-label`}
            data-testid="api-key-secret"
            translate="no"
            className="block min-w-0 flex-1 rounded-md border border-slate-300 bg-slate-50 px-3 py-2 font-mono text-sm break-all text-slate-900 select-all"
          >
            {secret}
          </code>
          <Button variant="primary" onClick={() => void copyKey()} className="h-auto self-stretch">
            {copy === 'copied' ? 'Copied' : 'Copy'}
          </Button>
        </div>
        <p className="min-h-4 text-xs text-slate-600" aria-live="polite">
          {copy === 'copied' && 'Copied to the clipboard.'}
          {copy === 'manual' && 'The browser does not allow copying from this page: the key is selected, press Ctrl+C (⌘C) to copy it.'}
        </p>
      </div>
      <div className="flex flex-wrap items-center justify-between gap-3 border-t border-slate-200 pt-3">
        <label className="flex items-center gap-2 text-sm text-slate-800">
          <Checkbox checked={stored} onChange={(e) => setStored(e.target.checked)} />I have stored the key in a safe place
        </label>
        <Button variant="secondary" onClick={onDone} disabled={!stored}>
          {doneLabel}
        </Button>
      </div>
    </div>
  );
}
