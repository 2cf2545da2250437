import type { ContractFormValues } from '@/components/contracts/contract-form';
import type { ContractDto } from '@/lib/modules/contracts/schema';

const text = (n: unknown) => (typeof n === 'number' ? String(n) : '');

/** A contract as the form edits it (dates as YYYY-MM-DD, numbers as text). */
export function formValuesOf(c: ContractDto): ContractFormValues {
  return {
    tenantId: c.tenantId,
    reference: c.reference,
    type: c.type,
    scope: c.scope,
    validFrom: c.validFrom.slice(0, 10),
    validUntil: c.validUntil.slice(0, 10),
    renewal: c.renewal,
    noticePeriodDays: String(c.noticePeriodDays),
    graceDays: String(c.graceDays),
    exitPeriodDays: String(c.exitPeriodDays),
    governingLaw: c.governingLaw,
    dataProcessingCountries: c.dataProcessingCountries,
    sla: { availability: text(c.sla.availability), supportResponseHours: text(c.sla.supportResponseHours), rtoHours: text(c.sla.rtoHours), rpoHours: text(c.sla.rpoHours) },
    auditRights: c.auditRights ?? '',
    entitlements: c.entitlements.map((e) => ({
      modelFamilyId: e.modelFamily?.id ?? null,
      modelVersionId: e.modelVersion?.id ?? null,
      maxDeployments: e.maxDeployments,
      limits: e.limits,
    })),
    registerInfo: c.registerInfo,
  };
}

/** A new draft: today for one year, common defaults. */
export function emptyFormValues(tenantId = ''): ContractFormValues {
  const today = new Date();
  const inAYear = new Date(Date.UTC(today.getUTCFullYear() + 1, today.getUTCMonth(), today.getUTCDate()));
  return {
    tenantId,
    reference: '',
    type: 'SUBSCRIPTION',
    scope: 'ALL',
    validFrom: today.toISOString().slice(0, 10),
    validUntil: inAYear.toISOString().slice(0, 10),
    renewal: 'BY_AGREEMENT',
    noticePeriodDays: '90',
    graceDays: '30',
    exitPeriodDays: '180',
    governingLaw: '',
    dataProcessingCountries: [],
    sla: { availability: '99.9', supportResponseHours: '4', rtoHours: '', rpoHours: '' },
    auditRights: '',
    entitlements: [],
    registerInfo: {},
  };
}
