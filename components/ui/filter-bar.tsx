import { Button, ButtonLink } from './button';

// The filter form above every list page: GET, so that filters live in the URL (deep links), one
// labelled field per filter, and "Apply" / "Clear".

export function FilterBar({
  label,
  action,
  className = 'flex flex-wrap items-end gap-3',
  children,
}: {
  label: string;
  action?: string;
  className?: string;
  children: React.ReactNode;
}) {
  return (
    <form method="get" action={action} role="search" aria-label={label} className={`mb-4 rounded-lg border border-slate-200 bg-white p-3 shadow-sm ${className}`}>
      {children}
    </form>
  );
}

export function FilterField({ id, label, className = 'w-44', children }: { id: string; label: string; className?: string; children: React.ReactNode }) {
  return (
    <div className={`space-y-1 ${className}`}>
      <label htmlFor={id} className="block text-xs font-medium text-slate-700">
        {label}
      </label>
      {children}
    </div>
  );
}

/** "Apply" (or `applyLabel`), and "Clear" (back to `clearHref`) while any filter is set. */
export function FilterActions({ clearHref, filtered, applyLabel = 'Apply' }: { clearHref: string; filtered: boolean; applyLabel?: string }) {
  return (
    <div className="flex gap-2">
      <Button type="submit" variant="secondary">
        {applyLabel}
      </Button>
      {filtered && (
        <ButtonLink href={clearHref} variant="ghost">
          Clear
        </ButtonLink>
      )}
    </div>
  );
}
