import { z } from 'zod';
import { ContractScope, ContractStatus, ContractType, Renewal } from '@/lib/generated/prisma/enums';
import { Approval, approvalReason } from '@/lib/approvals/schema';
import { blankAsText, choice, countryCode, pageOf, pageQuery, required, timestamp } from '@/lib/core/schema';

// Contracts and the entitlements they grant (README "Contracts and four-eyes approvals"), their immutable versions, and
// the DORA register-of-information details they carry (Commission Implementing Regulation (EU)
// 2024/2956; lib/modules/dora-register/service.ts maps them to the template's columns).

export const contractParams = z.object({ id: z.uuid('must be a contract id (UUID)') });

export const listContractsQuery = pageQuery.extend({
  tenantId: z.uuid().optional().meta({ description: 'Platform actors only; tenant actors always see their own tenant.' }),
  status: z.enum(ContractStatus).optional(),
  q: z.string().trim().max(100).optional().meta({ description: 'Case-insensitive search in the reference.' }),
});
export type ListContractsQuery = z.infer<typeof listContractsQuery>;

export const ContractSla = z
  .looseObject({
    availability: z.number().optional().meta({ description: 'Percent, e.g. 99.9' }),
    supportResponseHours: z.number().optional(),
    rtoHours: z.number().optional(),
    rpoHours: z.number().optional(),
  })
  .meta({ id: 'ContractSla' });

// ───────────────────────────── DORA register of information ─────────────────────────────

/** Annex III of Regulation (EU) 2024/2956: type of ICT services (S01 … S19). */
export const ICT_SERVICE_TYPES = {
  S01: 'ICT project management',
  S02: 'ICT development',
  S03: 'ICT help desk and first level support',
  S04: 'ICT security management services',
  S05: 'Provision of data',
  S06: 'Data analysis',
  S07: 'ICT, facilities and hosting services (excluding cloud services)',
  S08: 'Computation',
  S09: 'Non-cloud data storage',
  S10: 'Telecom carrier',
  S11: 'Network infrastructure',
  S12: 'Hardware and physical devices',
  S13: 'Software licensing (excluding SaaS)',
  S14: 'ICT operation management (including maintenance)',
  S15: 'ICT consulting',
  S16: 'ICT risk management',
  S17: 'Cloud services: IaaS',
  S18: 'Cloud services: PaaS',
  S19: 'Cloud services: SaaS',
} as const;
export type IctServiceType = keyof typeof ICT_SERVICE_TYPES;
const ictServiceTypes = Object.keys(ICT_SERVICE_TYPES) as [IctServiceType, ...IctServiceType[]];

/** LIST0202090: reasons for the termination or ending of an arrangement. */
export const TERMINATION_REASONS = {
  EXPIRED_NOT_RENEWED: 'Expired and not renewed (not for cause)',
  PROVIDER_BREACH: 'Provider in breach of applicable law, regulations or contractual provisions',
  PROVIDER_IMPEDIMENTS: 'Identified impediments of the provider capable of altering the supported function',
  PROVIDER_DATA_WEAKNESS: "Provider's weaknesses regarding the management and security of sensitive data or information",
  AUTHORITY_REQUEST: 'As requested by the competent authority',
  OTHER: 'Other reasons for termination',
} as const;
export type TerminationReason = keyof typeof TERMINATION_REASONS;
const terminationReasons = Object.keys(TERMINATION_REASONS) as [TerminationReason, ...TerminationReason[]];

const LEVELS = ['LOW', 'MEDIUM', 'HIGH'] as const;

/**
 * What the financial entity's register needs about this arrangement beyond the contract terms. All
 * optional: an export leaves an unknown column empty and says so.
 */
export const ContractRegisterInfo = z
  .object({
    ictServiceType: z
      .enum(ictServiceTypes)
      .optional()
      .meta({ description: 'Annex III type of ICT services (B_02.02.0060, B_05.02.0020, B_07.01.0040). Self-hosted model licences are usually S13.' }),
    functionIdentifier: z
      .string()
      .trim()
      .max(255)
      .optional()
      .meta({ description: "The financial entity's identifier of the function the service supports (B_02.02.0050, B_06.01.0010)." }),
    annualCost: z.number().nonnegative().optional().meta({ description: 'Annual expense or estimated cost (B_02.01.0050).' }),
    currency: z
      .string()
      .trim()
      .toUpperCase()
      .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 currency code')
      .optional()
      .meta({ description: 'ISO 4217 (B_02.01.0040).' }),
    providerNoticePeriodDays: z
      .number()
      .int()
      .min(0)
      .max(3650)
      .optional()
      .meta({ description: "The provider's notice period for termination, in days (B_02.02.0110); the contract's noticePeriodDays is the entity's (B_02.02.0100)." }),
    governingLawCountry: countryCode.optional().meta({ description: 'Country of the governing law (B_02.02.0120).' }),
    serviceCountries: z
      .array(countryCode)
      .max(60)
      .optional()
      .meta({ description: "Countries of provision of the ICT services (B_02.02.0130). Default: the countries of the tenant's deployments." }),
    providerStoresData: z.boolean().optional().meta({ description: "Whether the provider stores the entity's data (B_02.02.0140). Self-hosted: usually no." }),
    dataStorageCountries: z.array(countryCode).max(60).optional().meta({ description: 'Location of the data at rest (B_02.02.0150), if the provider stores data.' }),
    dataSensitiveness: z.enum(LEVELS).optional().meta({ description: 'B_02.02.0170' }),
    relianceLevel: z.enum(['NOT_SIGNIFICANT', 'LOW', 'MATERIAL', 'FULL']).optional().meta({ description: 'B_02.02.0180' }),
    substitutability: z.enum(['NOT_SUBSTITUTABLE', 'HIGHLY_COMPLEX', 'MEDIUM', 'EASY']).optional().meta({ description: 'B_07.01.0050' }),
    nonSubstitutabilityReason: z.enum(['NO_ALTERNATIVES', 'MIGRATION_DIFFICULT', 'BOTH']).optional().meta({ description: 'B_07.01.0060' }),
    lastAuditDate: z.iso.date().optional().meta({ description: 'Date of the last audit on the provider (B_07.01.0070).' }),
    exitPlan: z.boolean().optional().meta({ description: 'Existence of an exit plan (B_07.01.0080).' }),
    reintegration: z.enum(['EASY', 'DIFFICULT', 'HIGHLY_COMPLEX']).optional().meta({ description: 'Possibility of reintegration of the service (B_07.01.0090).' }),
    discontinuingImpact: z
      .enum([...LEVELS, 'NOT_ASSESSED'])
      .optional()
      .meta({ description: 'Impact of discontinuing the ICT services (B_07.01.0100).' }),
    alternativeProviders: z.enum(['YES', 'NO', 'NOT_ASSESSED']).optional().meta({ description: 'B_07.01.0110' }),
    alternativeProvidersNote: z.string().trim().max(500).optional().meta({ description: 'B_07.01.0120' }),
  })
  .meta({ id: 'ContractRegisterInfo' });
export type ContractRegisterInfoDto = z.infer<typeof ContractRegisterInfo>;

// ───────────────────────────── read models ─────────────────────────────

export const Entitlement = z
  .object({
    id: z.uuid(),
    modelFamily: z.object({ id: z.uuid(), slug: z.string(), name: z.string() }).nullable().meta({ description: 'Set when the whole family is granted.' }),
    modelVersion: z.object({ id: z.uuid(), family: z.string(), version: z.string() }).nullable().meta({ description: 'Set when one version is granted.' }),
    maxDeployments: z.number().int(),
    limits: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'Entitlement' });
export type EntitlementDto = z.infer<typeof Entitlement>;

export const Contract = z
  .object({
    id: z.uuid(),
    tenantId: z.uuid(),
    reference: z.string(),
    type: z.enum(ContractType),
    status: z.enum(ContractStatus).meta({ description: 'An ACTIVE contract past validUntil reads as EXPIRED (expiry happens by date).' }),
    scope: z.enum(ContractScope).meta({ description: 'ALL deployments of the tenant, or those of one environment. At most one ACTIVE contract per tenant and scope.' }),
    currentVersion: z.number().int(),
    currentVersionHash: z.string().nullable().meta({ description: "SHA-256 (lowercase hex) of the JCS encoding of the current version's terms." }),
    validFrom: timestamp,
    validUntil: timestamp,
    renewal: z.enum(Renewal),
    noticePeriodDays: z.number().int(),
    graceDays: z.number().int(),
    governingLaw: z.string(),
    dataProcessingCountries: z.array(z.string()),
    sla: ContractSla,
    exitPeriodDays: z.number().int(),
    auditRights: z.string().nullable(),
    registerInfo: ContractRegisterInfo,
    activatedAt: timestamp.nullable(),
    terminatedAt: timestamp.nullable(),
    terminationReason: z.enum(terminationReasons).nullable(),
    expiredAt: timestamp.nullable(),
    entitlements: z.array(Entitlement),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .meta({ id: 'Contract' });
export type ContractDto = z.infer<typeof Contract>;

export const ContractPage = pageOf(Contract).meta({ id: 'ContractPage' });

export const ContractVersion = z
  .object({
    version: z.number().int(),
    hash: z.string().meta({ description: 'SHA-256 (lowercase hex) of the JCS encoding (RFC 8785) of `terms`.' }),
    terms: z.record(z.string(), z.unknown()),
    createdAt: timestamp,
    createdBy: z.string(),
  })
  .meta({ id: 'ContractVersion' });
export type ContractVersionDto = z.infer<typeof ContractVersion>;

export const ContractVersionList = z.object({ data: z.array(ContractVersion) }).meta({ id: 'ContractVersionList' });

// ───────────────────────────── inputs ─────────────────────────────

/** A calendar date (valid from 00:00 UTC) or an RFC 3339 timestamp. */
const dateInput = z
  .union([z.iso.date(), z.iso.datetime({ offset: true })], {
    error: (issue) => (issue.input === undefined ? 'is required' : 'must be a date (YYYY-MM-DD) or an RFC 3339 timestamp'),
  })
  .transform((s) => new Date(s.length === 10 ? `${s}T00:00:00.000Z` : s));

const days = (max: number) => z.coerce.number({ error: 'must be a whole number of days' }).int('must be a whole number of days').min(0, 'must not be negative').max(max);

const limitValue = z.union([z.number(), z.string().max(200), z.boolean()]);

export const entitlementInput = z
  .object({
    modelFamilyId: z.uuid().nullable().default(null),
    modelVersionId: z.uuid().nullable().default(null),
    maxDeployments: z.coerce.number().int().min(1, 'must be at least 1').max(10_000),
    limits: z
      .record(
        z
          .string()
          .trim()
          .regex(/^[a-zA-Z][a-zA-Z0-9_]{0,63}$/, 'limit names are letters, digits and underscores'),
        limitValue,
      )
      .default({})
      .refine((l) => Object.keys(l).length <= 32, 'at most 32 limits')
      .meta({ description: 'Other limits, e.g. { "maxGpus": 8, "maxRequestsPerDay": 100000 }.' }),
  })
  .refine((e) => (e.modelFamilyId === null) !== (e.modelVersionId === null), { message: 'grant either a model family or one model version', path: ['modelFamilyId'] })
  .meta({ id: 'EntitlementInput' });
export type EntitlementInput = z.infer<typeof entitlementInput>;

const slaInput = z.object({
  availability: z.number().min(0).max(100).optional().meta({ description: 'Percent, e.g. 99.9' }),
  supportResponseHours: z
    .number()
    .min(0)
    .max(24 * 90)
    .optional(),
  rtoHours: z
    .number()
    .min(0)
    .max(24 * 365)
    .optional(),
  rpoHours: z
    .number()
    .min(0)
    .max(24 * 365)
    .optional(),
});

/** The terms of a contract: everything a version snapshots and hashes. */
const termsFields = z.object({
  reference: z
    .string(required)
    .trim()
    .min(3, 'must be at least 3 characters')
    .max(64)
    .regex(/^[A-Za-z0-9][A-Za-z0-9._/-]*$/, 'use letters, digits, dots, slashes, underscores and hyphens')
    .meta({ example: 'C-2026-014' }),
  type: choice(ContractType, 'contract type'),
  scope: choice(ContractScope, 'scope').default('ALL'),
  validFrom: dateInput,
  validUntil: dateInput,
  renewal: choice(Renewal, 'renewal').default('NONE'),
  noticePeriodDays: days(3650).meta({ description: 'Notice period for termination by the tenant, in days.' }),
  graceDays: days(365).default(30).meta({ description: 'How long a deployment keeps running after validUntil (bundle grace).' }),
  governingLaw: z.string(required).trim().min(2, 'must be at least 2 characters').max(200).meta({ example: 'Law of Denmark' }),
  dataProcessingCountries: z
    .array(countryCode)
    .min(1, 'list at least one country where data may be processed')
    .max(60)
    .transform((cs) => [...new Set(cs)].sort()),
  sla: slaInput.default({}),
  exitPeriodDays: days(3650).meta({ description: 'Exit/transition period after the end of the contract, in days.' }),
  auditRights: z.string().trim().max(2000).nullable().default(null),
  entitlements: z.array(entitlementInput).max(100).default([]),
  registerInfo: ContractRegisterInfo.default({}),
});

const datesInOrder = (t: { validFrom: Date; validUntil: Date }) => t.validUntil.getTime() > t.validFrom.getTime();
const datesIssue = { message: 'must be after validFrom', path: ['validUntil'] };

export const createContractInput = termsFields
  .extend({ tenantId: z.uuid(required).meta({ description: 'The tenant the contract is with (platform administrators only).' }) })
  .refine(datesInOrder, datesIssue)
  .meta({ id: 'CreateContractInput' });
export type CreateContractInput = z.infer<typeof createContractInput>;

/** The full new terms of a draft (a new version) or of an amendment of an active contract. */
export const updateContractInput = termsFields.refine(datesInOrder, datesIssue).meta({ id: 'UpdateContractInput' });
export type UpdateContractInput = z.infer<typeof updateContractInput>;
export type ContractTermsInput = UpdateContractInput;

/** An amendment of an ACTIVE contract is a four-eyes request, so it carries a reason. */
export const amendContractInput = updateContractInput.and(z.object({ reason: approvalReason })).meta({ id: 'AmendContractInput' });
export type AmendContractInput = z.infer<typeof amendContractInput>;

// ───────────────────────────── the contract form ─────────────────────────────

/** { maxGpus: 8 } → "maxGpus=8" lines, as the form edits an entitlement's other limits. */
export function limitsText(limits: Record<string, unknown>): string {
  return Object.entries(limits)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join('\n');
}

/** "maxGpus=8" lines → { maxGpus: 8 }; numbers and booleans are typed, the rest stay text. */
export function parseLimits(text: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*([^=\s]+)\s*=\s*(.*?)\s*$/.exec(line);
    if (!m) continue;
    const [, k, raw] = m as unknown as [string, string, string];
    out[k] = raw === 'true' ? true : raw === 'false' ? false : raw !== '' && Number.isFinite(Number(raw)) ? Number(raw) : raw;
  }
  return out;
}

const REGISTER_NUMBERS = new Set(['annualCost', 'providerNoticePeriodDays']);
const REGISTER_BOOLEANS = new Set(['exitPlan', 'providerStoresData']);
const asNumber = (v: unknown) => (v === undefined ? undefined : Number(v));
const record = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

/**
 * The contract form's fields → the terms as the inputs below read them. The form names its fields
 * by their paths ("sla.rtoHours", "entitlements.0.maxDeployments", "registerInfo.currency"), so an
 * error comes back to the field it is about; this only types what a form can only send as text.
 */
export function contractFromForm(v: Record<string, unknown>): Record<string, unknown> {
  const sla = record(v.sla);
  const entitlements = Array.isArray(v.entitlements) ? v.entitlements.map(record) : [];
  const register = Object.entries(record(v.registerInfo))
    .filter(([, x]) => x !== undefined)
    .map(([k, x]) => [k, REGISTER_NUMBERS.has(k) ? asNumber(x) : REGISTER_BOOLEANS.has(k) ? x === 'true' : x]);
  return {
    ...v,
    sla: { availability: asNumber(sla.availability), supportResponseHours: asNumber(sla.supportResponseHours), rtoHours: asNumber(sla.rtoHours), rpoHours: asNumber(sla.rpoHours) },
    auditRights: typeof v.auditRights === 'string' && v.auditRights.trim() !== '' ? v.auditRights : null,
    entitlements: entitlements.map((e) => ({
      // A row grants a whole family or one version; the family select also narrows the versions offered.
      modelFamilyId: e.kind === 'version' ? null : (e.modelFamilyId ?? null),
      modelVersionId: e.kind === 'version' ? (e.modelVersionId ?? null) : null,
      maxDeployments: e.maxDeployments,
      limits: parseLimits(typeof e.limits === 'string' ? e.limits : ''),
    })),
    registerInfo: Object.fromEntries(register),
  };
}

export const requestActivationInput = z.object({ reason: approvalReason }).meta({ id: 'RequestContractActivationInput' });
export type RequestActivationInput = z.infer<typeof requestActivationInput>;

export const requestTerminationInput = z
  .object({
    reason: approvalReason,
    terminationReason: z.enum(terminationReasons).default('OTHER').meta({ description: 'The DORA register reason (LIST0202090).' }),
  })
  .meta({ id: 'RequestContractTerminationInput' });
export type RequestTerminationInput = z.infer<typeof requestTerminationInput>;

/** The lifecycle form: one reason, and a button to request activation (of a draft) or termination. */
export const requestActivationForm = blankAsText(requestActivationInput, 'reason');
export const requestTerminationForm = blankAsText(requestTerminationInput, 'reason');

/** What a four-eyes contract request returns: the request filed (or, for the CLI, the change made). */
export const ContractChange = z
  .object({
    kind: z
      .enum(['requested', 'performed'])
      .meta({ description: '`requested`: waiting for a second administrator; `performed`: carried out at once (a draft edit, or the operator CLI).' }),
    approval: Approval.nullable(),
    contract: Contract,
  })
  .meta({ id: 'ContractChange' });
export type ContractChangeDto = z.infer<typeof ContractChange>;

export const createContractForm = z.preprocess(contractFromForm, createContractInput);
export const updateContractForm = z.preprocess(contractFromForm, updateContractInput);
export const amendContractForm = blankAsText(z.preprocess(contractFromForm, amendContractInput), 'reason');
