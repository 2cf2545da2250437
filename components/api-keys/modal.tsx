'use client';

import { type ReactNode, useEffect, useRef } from 'react';

type ModalProps = {
  open: boolean;
  /** Called when the dialog closes, by Escape or by the code that opened it. */
  onClose: () => void;
  title: ReactNode;
  titleId: string;
  /** False while closing would lose something (a key shown once): Escape is then ignored. */
  dismissible?: boolean;
  children: ReactNode;
};

/**
 * A native modal <dialog>: the browser traps focus, makes the page behind it inert and returns
 * focus to the opener when it closes, with no library.
 */
export function Modal({ open, onClose, title, titleId, dismissible = true, children }: ModalProps) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);

  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      onCancel={(e) => {
        if (!dismissible) e.preventDefault();
      }}
      onClose={onClose}
      className="m-auto w-[calc(100%-2rem)] max-w-xl rounded-lg border border-slate-200 bg-white p-0 text-slate-900 shadow-xl backdrop:bg-slate-900/50"
    >
      {open && (
        <>
          <div className="border-b border-slate-200 px-5 py-3">
            <h2 id={titleId} className="text-base font-semibold text-slate-900">
              {title}
            </h2>
          </div>
          <div className="px-5 py-4">{children}</div>
        </>
      )}
    </dialog>
  );
}
