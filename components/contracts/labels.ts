import type { BadgeTone } from '@/components/ui/badge';
import type { SelectOption } from '@/components/ui/select';
import { ContractScope, ContractStatus, ContractType, Renewal } from '@/lib/generated/prisma/enums';
import { ICT_SERVICE_TYPES, TERMINATION_REASONS } from '@/lib/modules/contracts/schema';

export const CONTRACT_STATUS_LABELS: Record<ContractStatus, string> = {
  DRAFT: 'Draft',
  PENDING_APPROVAL: 'Pending approval',
  ACTIVE: 'Active',
  EXPIRED: 'Expired',
  TERMINATED: 'Terminated',
};

export const CONTRACT_STATUS_TONES: Record<ContractStatus, BadgeTone> = {
  DRAFT: 'neutral',
  PENDING_APPROVAL: 'warning',
  ACTIVE: 'success',
  EXPIRED: 'muted',
  TERMINATED: 'danger',
};

export const TYPE_LABELS: Record<ContractType, string> = {
  SUBSCRIPTION: 'Subscription',
  PERPETUAL: 'Perpetual licence',
  EVALUATION: 'Evaluation',
  FRAMEWORK: 'Framework agreement',
};

export const SCOPE_LABELS: Record<ContractScope, string> = {
  ALL: 'All deployments',
  PRODUCTION: 'Production deployments',
  STAGING: 'Staging deployments',
  AIRGAPPED: 'Air-gapped deployments',
};

export const RENEWAL_LABELS: Record<Renewal, string> = {
  NONE: 'None',
  AUTOMATIC: 'Automatic',
  BY_AGREEMENT: 'By agreement',
};

const options = <T extends string>(labels: Record<T, string>, values: readonly T[]): SelectOption[] => values.map((v) => ({ value: v, label: labels[v] }));

export const TYPE_OPTIONS = options(TYPE_LABELS, Object.values(ContractType));
export const SCOPE_OPTIONS = options(SCOPE_LABELS, Object.values(ContractScope));
export const RENEWAL_OPTIONS = options(RENEWAL_LABELS, Object.values(Renewal));
export const STATUS_FILTER_OPTIONS = options(CONTRACT_STATUS_LABELS, Object.values(ContractStatus));
export const ICT_SERVICE_OPTIONS: SelectOption[] = Object.entries(ICT_SERVICE_TYPES).map(([value, label]) => ({ value, label: `${value} · ${label}` }));
export const TERMINATION_REASON_OPTIONS: SelectOption[] = Object.entries(TERMINATION_REASONS).map(([value, label]) => ({ value, label }));

/** The DORA register choices, in words (the export writes the EBA codes). */
export const REGISTER_CHOICES = {
  dataSensitiveness: [
    { value: 'LOW', label: 'Low' },
    { value: 'MEDIUM', label: 'Medium' },
    { value: 'HIGH', label: 'High' },
  ],
  relianceLevel: [
    { value: 'NOT_SIGNIFICANT', label: 'Not significant' },
    { value: 'LOW', label: 'Low reliance' },
    { value: 'MATERIAL', label: 'Material reliance' },
    { value: 'FULL', label: 'Full reliance' },
  ],
  substitutability: [
    { value: 'NOT_SUBSTITUTABLE', label: 'Not substitutable' },
    { value: 'HIGHLY_COMPLEX', label: 'Highly complex' },
    { value: 'MEDIUM', label: 'Medium complexity' },
    { value: 'EASY', label: 'Easily substitutable' },
  ],
  nonSubstitutabilityReason: [
    { value: 'NO_ALTERNATIVES', label: 'Lack of real alternatives' },
    { value: 'MIGRATION_DIFFICULT', label: 'Difficulties in migrating or reintegrating' },
    { value: 'BOTH', label: 'Both' },
  ],
  reintegration: [
    { value: 'EASY', label: 'Easy' },
    { value: 'DIFFICULT', label: 'Difficult' },
    { value: 'HIGHLY_COMPLEX', label: 'Highly complex' },
  ],
  discontinuingImpact: [
    { value: 'LOW', label: 'Low' },
    { value: 'MEDIUM', label: 'Medium' },
    { value: 'HIGH', label: 'High' },
    { value: 'NOT_ASSESSED', label: 'Assessment not performed' },
  ],
  alternativeProviders: [
    { value: 'YES', label: 'Yes' },
    { value: 'NO', label: 'No' },
    { value: 'NOT_ASSESSED', label: 'Assessment not performed' },
  ],
} as const satisfies Record<string, SelectOption[]>;

/** "in 25 days", "today", "12 days ago". */
export function daysFromNow(iso: string, now: number = Date.now()): string {
  const days = Math.round((new Date(iso).getTime() - now) / 86_400_000);
  if (days === 0) return 'today';
  return days > 0 ? `in ${days} day${days === 1 ? '' : 's'}` : `${-days} day${days === -1 ? '' : 's'} ago`;
}

export function formatDate(iso: string): string {
  return iso.slice(0, 10);
}

/** Names of the DORA register details, for display. */
export const REGISTER_FIELD_LABELS: Record<string, string> = {
  ictServiceType: 'Type of ICT services',
  functionIdentifier: 'Function identifier',
  annualCost: 'Annual cost',
  currency: 'Currency',
  providerNoticePeriodDays: "Provider's notice period (days)",
  governingLawCountry: 'Governing-law country',
  serviceCountries: 'Countries of service provision',
  providerStoresData: 'Vendor stores data',
  dataStorageCountries: 'Data storage countries',
  dataSensitiveness: 'Sensitiveness of the data',
  relianceLevel: 'Level of reliance',
  substitutability: 'Substitutability',
  nonSubstitutabilityReason: 'Reason if hard to substitute',
  lastAuditDate: 'Last audit of the provider',
  exitPlan: 'Exit plan exists',
  reintegration: 'Possibility of reintegration',
  discontinuingImpact: 'Impact of discontinuing',
  alternativeProviders: 'Alternative providers identified',
  alternativeProvidersNote: 'Alternative providers',
};
