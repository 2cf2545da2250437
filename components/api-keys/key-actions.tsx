'use client';

import { useRouter } from 'next/navigation';
import { type ReactNode, createContext, use, useEffect, useState } from 'react';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Field, describedBy } from '@/components/ui/field';
import { Textarea } from '@/components/ui/input';
import { ProblemSummary } from '@/components/ui/problem-summary';
import { useForm } from '@/components/ui/use-form';
import { type FormState, fieldError, valueOf } from '@/lib/http/form-state';
import { type RotatedApiKey, revokeApiKeyForm, rotateApiKeyInput } from '@/lib/modules/api-keys/schema';
import { KeyReveal } from './key-reveal';
import { relativeTime } from './key-status';
import { OVERLAP_OPTIONS } from './labels';
import { Modal } from './modal';

/** What the dialogs show about the key they act on. */
export type KeyRef = { id: string; prefix: string; name: string; expiresAt: string };

type Mode = 'rotate' | 'revoke';
type Open = (mode: Mode, key: KeyRef) => void;

const OpenContext = createContext<Open | null>(null);

/** The key's id is bound to the action when a dialog opens: the server checks it, and 404s a stranger's. */
type KeyActionsProviderProps = {
  rotateAction: (keyId: string, state: FormState<RotatedApiKey>, form: FormData) => Promise<FormState<RotatedApiKey>>;
  revokeAction: (keyId: string, state: FormState, form: FormData) => Promise<FormState>;
  children: ReactNode;
};

function utc(iso: string): string {
  return `${iso.replace('T', ' ').slice(0, 16)} UTC`;
}

/**
 * Holds the rotate and revoke dialogs above the table, so that a dialog (and a key it is showing
 * once) survives the list re-rendering after the action, even when the row it came from leaves it.
 */
export function KeyActionsProvider({ rotateAction, revokeAction, children }: KeyActionsProviderProps) {
  const [target, setTarget] = useState<{ mode: Mode; key: KeyRef; session: number } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [session, setSession] = useState(0);
  // While a new key is on screen, Escape must not throw it away: only "Done" closes the dialog.
  const [revealing, setRevealing] = useState(false);

  const open: Open = (mode, key) => {
    setNotice(null);
    setSession((s) => s + 1);
    setTarget({ mode, key, session: session + 1 });
  };
  const close = () => {
    setTarget(null);
    setRevealing(false);
  };

  return (
    <OpenContext value={open}>
      {notice && (
        <Alert tone="success" className="mb-4">
          {notice}
        </Alert>
      )}
      {children}
      <Modal
        open={target?.mode === 'rotate'}
        onClose={close}
        title={target ? `Rotate ${target.key.prefix}… (${target.key.name})` : ''}
        titleId="rotate-key-title"
        dismissible={!revealing}
      >
        {target?.mode === 'rotate' && <RotateForm key={target.session} target={target.key} action={rotateAction} onClose={close} onReveal={() => setRevealing(true)} />}
      </Modal>
      <Modal open={target?.mode === 'revoke'} onClose={close} title={target ? `Revoke ${target.key.prefix}… (${target.key.name})` : ''} titleId="revoke-key-title">
        {target?.mode === 'revoke' && (
          <RevokeForm
            key={target.session}
            target={target.key}
            action={revokeAction}
            onCancel={close}
            onDone={(message) => {
              setNotice(message);
              close();
            }}
          />
        )}
      </Modal>
    </OpenContext>
  );
}

/** The Rotate and Revoke buttons of one row. */
export function KeyRowActions({ apiKey, canRotate, canRevoke }: { apiKey: KeyRef; canRotate: boolean; canRevoke: boolean }) {
  const open = use(OpenContext);
  if (!open || (!canRotate && !canRevoke)) return null;
  return (
    <div className="flex flex-col items-stretch gap-1">
      {canRotate && (
        <Button size="sm" variant="secondary" onClick={() => open('rotate', apiKey)} aria-label={`Rotate ${apiKey.prefix} (${apiKey.name})`}>
          Rotate
        </Button>
      )}
      {canRevoke && (
        <Button
          size="sm"
          variant="secondary"
          className="text-red-800 hover:bg-red-50"
          onClick={() => open('revoke', apiKey)}
          aria-label={`Revoke ${apiKey.prefix} (${apiKey.name})`}
        >
          Revoke
        </Button>
      )}
    </div>
  );
}

function RotateForm({ target, action, onClose, onReveal }: { target: KeyRef; action: KeyActionsProviderProps['rotateAction']; onClose: () => void; onReveal: () => void }) {
  const router = useRouter();
  const { state, pending, formProps } = useForm(action.bind(null, target.id), rotateApiKeyInput);
  const [overlap, setOverlap] = useState('24');
  const revealed = Boolean(state.data);
  useEffect(() => {
    if (revealed) onReveal();
  }, [revealed, onReveal]);

  if (state.data) {
    const { previous, apiKey, key } = state.data;
    const now = Date.now();
    const oldStillValid = Date.parse(previous.expiresAt) > now;
    return (
      <div className="space-y-4">
        <p className="text-sm text-slate-800">
          New key <span className="font-mono">{apiKey.prefix}…</span> has the same name, tenant, scopes and networks, and expires on{' '}
          <span className="font-mono">{utc(apiKey.expiresAt)}</span>.
        </p>
        <Alert tone="info" title={oldStillValid ? 'The old key keeps working for now.' : 'The old key no longer works.'}>
          {oldStillValid ? (
            <>
              <span className="font-mono">{previous.prefix}…</span> stays valid until <span className="font-mono">{utc(previous.expiresAt)}</span> (
              {relativeTime(previous.expiresAt, now)}). Roll the new key out before then.
            </>
          ) : (
            <>
              <span className="font-mono">{previous.prefix}…</span> was retired at once. Anything still using it is refused.
            </>
          )}
        </Alert>
        <KeyReveal
          secret={key}
          onDone={() => {
            onClose();
            router.refresh();
          }}
        />
      </div>
    );
  }

  return (
    <form {...formProps} className="space-y-4">
      <ProblemSummary state={state} labels={{ overlapHours: 'Overlap' }} />
      <p className="text-sm text-slate-700">
        A new key with the same name, tenant, scopes and networks replaces this one, valid for as long as this one was. You will see the new key once.
      </p>
      <fieldset className="space-y-2">
        <legend className="text-sm font-medium text-slate-800">How long may the old key keep working?</legend>
        <div className="grid gap-1.5 sm:grid-cols-2">
          {OVERLAP_OPTIONS.map((o) => (
            <label key={o.hours} className="flex cursor-pointer gap-2 rounded-md border border-slate-300 px-3 py-2 text-sm has-checked:border-brand-600 has-checked:bg-brand-50">
              <input
                type="radio"
                name="overlapHours"
                value={o.hours}
                checked={overlap === String(o.hours)}
                onChange={() => setOverlap(String(o.hours))}
                className="mt-0.5 accent-brand-700"
              />
              <span>
                <span className="font-medium text-slate-900">{o.label}</span>
                <span className="block text-xs text-slate-600">{o.hint}</span>
              </span>
            </label>
          ))}
        </div>
        <p className="text-xs text-slate-600">
          The overlap never extends the old key beyond its own expiry (<span className="font-mono">{utc(target.expiresAt)}</span>).
        </p>
      </fieldset>
      <div className="flex justify-end gap-2 border-t border-slate-200 pt-3">
        <Button variant="ghost" onClick={onClose} disabled={pending}>
          Cancel
        </Button>
        <Button type="submit" variant="primary" disabled={pending}>
          {pending ? 'Rotating…' : 'Rotate key'}
        </Button>
      </div>
    </form>
  );
}

function RevokeForm({
  target,
  action,
  onCancel,
  onDone,
}: {
  target: KeyRef;
  action: KeyActionsProviderProps['revokeAction'];
  onCancel: () => void;
  onDone: (message: string) => void;
}) {
  const { state, pending, key, formProps } = useForm(async (prev: FormState, form: FormData) => {
    const next = await action(target.id, prev, form);
    if (next.message) onDone(next.message);
    return next;
  }, revokeApiKeyForm);
  const reasonError = fieldError(state, 'reason');

  return (
    <form key={key} {...formProps} className="space-y-4">
      <ProblemSummary state={state} labels={{ reason: 'Reason' }} fieldId={() => 'revoke-reason'} />
      <Alert tone="warning" title="This cannot be undone.">
        Requests with this key are refused at once (by other Charter instances within seconds), with the same answer as an unknown key. To replace a key without an outage, rotate
        it instead.
      </Alert>
      <Field id="revoke-reason" label="Reason" required error={reasonError} hint="Recorded in the audit trail, e.g. “leaked in a support ticket”.">
        <Textarea {...describedBy('revoke-reason', { error: reasonError, hint: true })} name="reason" rows={2} maxLength={500} required defaultValue={valueOf(state, 'reason')} />
      </Field>
      <div className="flex justify-end gap-2 border-t border-slate-200 pt-3">
        <Button variant="ghost" onClick={onCancel} disabled={pending}>
          Cancel
        </Button>
        <Button type="submit" variant="danger" disabled={pending}>
          {pending ? 'Revoking…' : 'Revoke key'}
        </Button>
      </div>
    </form>
  );
}
