import { z } from 'zod';
import { ContractStatus, ContractType, Renewal } from '@/lib/generated/prisma/enums';
import { pageOf, pageQuery, timestamp } from './common';

// Contracts and the entitlements they grant (DESIGN.md "Contract"). Read-only for now.

export const contractParams = z.object({ id: z.uuid('must be a contract id (UUID)') });

export const listContractsQuery = pageQuery.extend({
  tenantId: z.uuid().optional().meta({ description: 'Platform actors only; tenant actors always see their own tenant.' }),
  status: z.enum(ContractStatus).optional(),
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
    status: z.enum(ContractStatus),
    currentVersion: z.number().int(),
    currentVersionHash: z
      .string()
      .nullable()
      .meta({ description: 'SHA-256 (lowercase hex) of the JCS encoding of the current version\'s terms.' }),
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
    activatedAt: timestamp.nullable(),
    terminatedAt: timestamp.nullable(),
    entitlements: z.array(Entitlement),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .meta({ id: 'Contract' });
export type ContractDto = z.infer<typeof Contract>;

export const ContractPage = pageOf(Contract).meta({ id: 'ContractPage' });
