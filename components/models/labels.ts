import type { SelectOption } from '@/components/ui/select';
import { ModelVersionStatus } from '@/lib/generated/prisma/enums';

export const VERSION_STATUS_LABELS: Record<ModelVersionStatus, string> = {
  DRAFT: 'Draft',
  RELEASED: 'Released',
  DEPRECATED: 'Deprecated',
  RETIRED: 'Retired',
};

export const VERSION_STATUS_OPTIONS: SelectOption[] = Object.values(ModelVersionStatus).map((v) => ({ value: v, label: VERSION_STATUS_LABELS[v] }));

/** 70000000000 → "70 B", 600000000 → "600 M": how model sizes are spoken of. */
export function formatParameters(n: number): string {
  if (n >= 1e12) return `${trim(n / 1e12)} T`;
  if (n >= 1e9) return `${trim(n / 1e9)} B`;
  if (n >= 1e6) return `${trim(n / 1e6)} M`;
  return n.toLocaleString('en');
}

const trim = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(1));

/** 131072 → "128k" tokens, the usual way context windows are given. */
export function formatContext(n: number): string {
  return n >= 1024 && n % 1024 === 0 ? `${n / 1024}k` : n.toLocaleString('en');
}

/** "2026-11-29" from an RFC 3339 timestamp: lifecycle dates are calendar dates (UTC). */
export function formatDate(iso: string | null | undefined): string {
  return iso ? iso.slice(0, 10) : '—';
}

/** A short, stable form of a digest for tables: "sha256:1a2b3c4d…9f8e". The full value goes in a title. */
export function shortDigest(digest: string): string {
  const hex = digest.replace(/^sha256:/, '');
  return `sha256:${hex.slice(0, 8)}…${hex.slice(-4)}`;
}
