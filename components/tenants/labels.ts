import { Sector, Sensitivity, TenantStatus } from '@/lib/generated/prisma/enums';
import { COUNTRY_CODES, countryName } from '@/lib/core/countries';
import { TENANT_STATUS_LABELS } from '@/lib/modules/tenants/schema';
import type { SelectOption } from '@/components/ui/select';

export const SECTOR_LABELS: Record<Sector, string> = {
  GOVERNMENT: 'Government',
  DEFENCE: 'Defence',
  FINANCE: 'Finance',
  HEALTH: 'Health',
  ENERGY: 'Energy',
  TELECOM: 'Telecommunications',
  RESEARCH: 'Research',
  OTHER: 'Other',
};

export const SENSITIVITY_LABELS: Record<Sensitivity, string> = {
  OFFICIAL: 'Official',
  CONFIDENTIAL: 'Confidential',
  SECRET: 'Secret',
  TOP_SECRET: 'Top secret',
};

export const STATUS_LABELS = TENANT_STATUS_LABELS;

export const SECTOR_OPTIONS: SelectOption[] = Object.values(Sector).map((v) => ({ value: v, label: SECTOR_LABELS[v] }));
export const SENSITIVITY_OPTIONS: SelectOption[] = Object.values(Sensitivity).map((v) => ({ value: v, label: SENSITIVITY_LABELS[v] }));
export const STATUS_OPTIONS: SelectOption[] = Object.values(TenantStatus).map((v) => ({ value: v, label: STATUS_LABELS[v] }));

export type CountryOption = { code: string; name: string };

/** Every ISO 3166-1 country with its English name, sorted by name. Built on the server and passed down. */
export function countryOptions(): CountryOption[] {
  return COUNTRY_CODES.map((code) => ({ code, name: countryName(code) })).sort((a, b) => a.name.localeCompare(b.name, 'en'));
}
