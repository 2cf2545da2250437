import { sha256Hex } from '@/lib/core/crypto/hash';
import { canonicalize } from '@/lib/core/crypto/jcs';

// The terms of a contract version: the immutable, hashed snapshot of README "Contracts and four-eyes approvals". Pure (no
// database), so services, pages and tests share one definition of the hash and of the diff.

export type TermsEntitlement = {
  modelFamily: { id: string; slug: string } | null;
  modelVersion: { id: string; family: string; version: string } | null;
  maxDeployments: number;
  limits: Record<string, unknown>;
};

export type ContractTerms = {
  v: 1;
  contractId: string;
  tenantId: string;
  reference: string;
  type: string;
  scope: string;
  validFrom: string;
  validUntil: string;
  renewal: string;
  noticePeriodDays: number;
  graceDays: number;
  governingLaw: string;
  dataProcessingCountries: string[];
  sla: Record<string, unknown>;
  exitPeriodDays: number;
  auditRights: string | null;
  entitlements: TermsEntitlement[];
  registerInfo: Record<string, unknown>;
};

/** JSON-normalised (undefined dropped), so that the terms survive jsonb and hash the same after. */
export function normaliseTerms(terms: ContractTerms): ContractTerms {
  return JSON.parse(JSON.stringify(terms)) as ContractTerms;
}

/** SHA-256 (lowercase hex) of the JCS (RFC 8785) encoding of the terms. */
export function hashTerms(terms: unknown): string {
  return sha256Hex(canonicalize(terms));
}

const entitlementKey = (e: TermsEntitlement) => (e.modelFamily ? `family:${e.modelFamily.slug}` : `version:${e.modelVersion?.family}@${e.modelVersion?.version}`);

/** Entitlements in a stable order, so that the same grants always hash the same. */
export function sortEntitlements(list: TermsEntitlement[]): TermsEntitlement[] {
  return [...list].sort((a, b) => entitlementKey(a).localeCompare(entitlementKey(b)));
}

export type TermsChange = { path: string; before: unknown; after: unknown };

function flatten(value: unknown, prefix: string, out: Map<string, unknown>): void {
  if (Array.isArray(value)) {
    // Entitlements are compared by what they grant, not by position.
    if (prefix === 'entitlements') {
      for (const e of value as TermsEntitlement[]) flatten({ maxDeployments: e.maxDeployments, limits: e.limits }, `entitlements[${entitlementKey(e)}]`, out);
      if (value.length === 0) out.set(prefix, []);
      return;
    }
    out.set(prefix, value);
    return;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0 && prefix) out.set(prefix, {});
    for (const [k, v] of entries) flatten(v, prefix ? `${prefix}.${k}` : k, out);
    return;
  }
  out.set(prefix, value);
}

/** What changed between two versions' terms, field by field (arrays compared whole). */
export function diffTerms(before: unknown, after: unknown): TermsChange[] {
  const a = new Map<string, unknown>();
  const b = new Map<string, unknown>();
  flatten(before, '', a);
  flatten(after, '', b);
  const paths = [...new Set([...a.keys(), ...b.keys()])].sort();
  const changes: TermsChange[] = [];
  for (const path of paths) {
    const x = a.get(path);
    const y = b.get(path);
    if (JSON.stringify(x) !== JSON.stringify(y)) changes.push({ path, before: x ?? null, after: y ?? null });
  }
  return changes;
}
