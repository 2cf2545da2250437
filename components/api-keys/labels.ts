import type { ApiKeyScope } from '@/lib/modules/api-keys/schema';

/** One line per scope, shown next to its checkbox: what a key holding it may do. */
export const SCOPE_DESCRIPTIONS: Record<ApiKeyScope, string> = {
  'tenants:read': "Read the tenant's profile: legal name, LEI, status and allowed countries.",
  'tenants:write': 'Create and change tenants. Acts across tenants, so platform keys only.',
  'deployments:read': 'List deployments, their running model versions and last heartbeat.',
  'deployments:write': 'Register and change deployments and report heartbeats (deployment agents).',
  'models:read': 'Read the model catalogue: families, versions, digests and lifecycle dates.',
  'contracts:read': 'Read contracts, their terms and the entitlements they grant.',
  'contracts:write': 'Create draft contracts and request their activation, amendment or termination (four-eyes). Platform keys only.',
  'entitlements:read': 'Fetch signed entitlement bundles, all an air-gapped site needs to run.',
  'audit:read': 'Search and read audit events.',
  'audit:write': "Upload audit events from a deployment into the tenant's hash chain.",
  'approvals:read': 'List four-eyes approval requests. Platform keys only.',
  'approvals:decide': "Approve or reject others' requests; the key counts as the user who created it, so never their own. Platform keys only.",
};

/** Validity presets (days); the form offers those up to the server's maximum. */
export const EXPIRY_PRESETS = [30, 90, 180, 365] as const;

/** How long a rotated key keeps working next to its successor. */
export const OVERLAP_OPTIONS = [
  { hours: 0, label: 'None', hint: 'The old key stops working at once.' },
  { hours: 1, label: '1 hour', hint: 'Enough to restart one agent.' },
  { hours: 24, label: '24 hours', hint: 'Time to roll the new key out everywhere.' },
  { hours: 168, label: '7 days', hint: 'For sites that are only reached by a weekly change window.' },
] as const;

/** The presets a form offers under a maximum validity (at least the maximum itself). */
export function expiryChoices(maxDays: number): number[] {
  const within = EXPIRY_PRESETS.filter((d) => d <= maxDays);
  return within.length > 0 ? [...within] : [maxDays];
}
