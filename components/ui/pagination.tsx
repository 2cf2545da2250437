import Link from 'next/link';
import { buttonClasses } from './button';

type PaginationProps = {
  /** Link to the first page (no cursor); omitted when already on it. */
  firstHref?: string | null;
  /** Link to the next page (with the next cursor); omitted on the last page. */
  nextHref?: string | null;
  label: string;
  firstLabel?: string;
  nextLabel?: string;
};

/** Keyset pagination: only "first" and "next", because cursors never skip ahead or count. */
export function Pagination({ firstHref, nextHref, label, firstLabel = 'First page', nextLabel = 'Next page' }: PaginationProps) {
  if (!firstHref && !nextHref) return null;
  return (
    <nav aria-label={label} className="flex items-center justify-end gap-2 pt-3">
      {firstHref ? (
        <Link href={firstHref} className={buttonClasses('secondary', 'sm')}>
          <span aria-hidden="true">«</span> {firstLabel}
        </Link>
      ) : null}
      {nextHref ? (
        <Link href={nextHref} className={buttonClasses('secondary', 'sm')} rel="next">
          {nextLabel} <span aria-hidden="true">›</span>
        </Link>
      ) : null}
    </nav>
  );
}

/** `base?k=v&…`, skipping empty values, so that links carry only the filters in use. */
export function hrefWith(base: string, params: Record<string, string | undefined | null | false>): string {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) search.set(k, v);
  const qs = search.toString();
  return qs ? `${base}?${qs}` : base;
}
