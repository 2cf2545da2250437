import { z } from 'zod';

// The DORA register-of-information export (Commission Implementing Regulation (EU) 2024/2956), for
// a tenant that is a financial entity. The column codes and code lists are the EBA template's
// (reporting in xBRL-CSV uses the short codes c0010 … as column headers); lib/modules/dora-register/service.ts
// maps Charter's data to them and README.md documents the mapping.

/** LIST0101040: type of entity maintaining the register (B_01.01.0040). */
export const DORA_ENTITY_TYPES = {
  'eba_CT:x12': 'Credit institution',
  'eba_CT:x599': 'Investment firm',
  'eba_CT:x643': 'Central counterparty (CCP)',
  'eba_CT:x639': 'Asset management company',
  'eba_CT:x301': 'Account information service provider',
  'eba_CT:x302': 'Electronic money institution',
  'eba_CT:x303': 'Crypto-asset service provider',
  'eba_CT:x304': 'Central securities depository',
  'eba_CT:x305': 'Trading venue',
  'eba_CT:x306': 'Trade repository',
  'eba_CT:x300': 'Payment institution',
  'eba_CT:x316': 'Other financial entity',
  'eba_CT:x315': 'Securitisation repository',
  'eba_CT:x314': 'Crowdfunding service provider',
  'eba_CT:x313': 'Administrator of critical benchmarks',
  'eba_CT:x312': 'Credit rating agency',
  'eba_CT:x311': 'Institution for occupational retirement provision',
  'eba_CT:x320': 'Insurance or reinsurance intermediary',
  'eba_CT:x309': 'Insurance or reinsurance undertaking',
  'eba_CT:x308': 'Data reporting service provider',
  'eba_CT:x307': 'Manager of alternative investment funds',
  'eba_CT:x310': 'Issuer of asset-referenced tokens',
} as const;
export type DoraEntityType = keyof typeof DORA_ENTITY_TYPES;

/** The templates Charter fills, each a CSV file named after it (b_02.02.csv …). */
export const DORA_TEMPLATES = ['b_01.01', 'b_02.01', 'b_02.02', 'b_03.01', 'b_03.02', 'b_04.01', 'b_05.01', 'b_07.01'] as const;
export type DoraTemplate = (typeof DORA_TEMPLATES)[number];

export const doraExportInput = z
  .object({
    tenantId: z.uuid(),
    entityType: z
      .enum(Object.keys(DORA_ENTITY_TYPES) as [DoraEntityType, ...DoraEntityType[]])
      .optional()
      .meta({ description: 'B_01.01.0040: the financial entity type (LIST0101040). Charter does not know it.' }),
    competentAuthority: z.string().trim().max(200).optional().meta({ description: 'B_01.01.0050. Charter does not know it.' }),
    reportingDate: z.iso.date().optional().meta({ description: 'B_01.01.0060 (default: today).' }),
  })
  .meta({ id: 'DoraExportInput' });
export type DoraExportInput = z.infer<typeof doraExportInput>;

export type DoraFile = { template: DoraTemplate; fileName: string; columns: string[]; rows: string[][]; csv: string };
/** A column the export leaves empty, and why. */
export type DoraGap = { template: DoraTemplate; column: string; reason: string };
export type DoraExport = { tenant: { id: string; slug: string; legalName: string }; files: DoraFile[]; gaps: DoraGap[]; contracts: number };
