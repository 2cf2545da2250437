import { db, transaction } from '@/lib/core/db';
import type { Ctx } from '@/lib/access/actor';
import { authorize } from '@/lib/access/guard';
import { inTenantScope } from '@/lib/access/scope';
import { record } from '@/lib/audit/record';
import { getEnv } from '@/lib/core/env';
import { AppError, notFound } from '@/lib/core/errors';
import { type ContractRegisterInfoDto, ContractRegisterInfo, type TerminationReason } from '@/lib/modules/contracts/schema';
import { type DoraExport, type DoraExportInput, type DoraFile, type DoraGap, type DoraTemplate } from '@/lib/modules/dora-register/schema';

// The DORA register of information (Commission Implementing Regulation (EU) 2024/2956) for a tenant
// that is a financial entity: the data Charter holds about its arrangements with the vendor, as one
// CSV file per template with the template's column codes (c0010 …, as in xBRL-CSV reporting) and
// the EBA code lists (eba_GA:DE, eba_TA:S13 …). Charter is one of many providers in the entity's
// register: the files are meant to be merged into it, not submitted alone. Columns Charter cannot
// know are left empty and listed in `gaps` (and in README.md "DORA register of information").
//
// Rows: one per arrangement (contract) that is or was in force — ACTIVE, EXPIRED or TERMINATED —
// except B_02.02, which has one row per data-processing country (Article 4(2) of the regulation: a
// data element with several valid values takes one row per value).

const csvCell = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/** RFC 4180: CRLF line ends, fields quoted only when needed. */
export function toCsv(columns: string[], rows: string[][]): string {
  return [columns, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

const country = (c: string | undefined | null) => (c ? `eba_GA:${c}` : '');
const currency = (c: string | undefined) => (c ? `eba_CU:${c}` : '');
const yesNo = (b: boolean | undefined) => (b === undefined ? '' : b ? 'eba_BT:x28' : 'eba_BT:x29');
const date = (d: Date | string) => (typeof d === 'string' ? d.slice(0, 10) : d.toISOString().slice(0, 10));

const LEVEL = { LOW: 'eba_ZZ:x791', MEDIUM: 'eba_ZZ:x792', HIGH: 'eba_ZZ:x793', NOT_ASSESSED: 'eba_ZZ:x799' } as const;
const RELIANCE = { NOT_SIGNIFICANT: 'eba_ZZ:x794', LOW: 'eba_ZZ:x795', MATERIAL: 'eba_ZZ:x796', FULL: 'eba_ZZ:x797' } as const;
const SUBSTITUTABILITY = { NOT_SUBSTITUTABLE: 'eba_ZZ:x959', HIGHLY_COMPLEX: 'eba_ZZ:x960', MEDIUM: 'eba_ZZ:x961', EASY: 'eba_ZZ:x962' } as const;
const NON_SUBSTITUTABILITY = { NO_ALTERNATIVES: 'eba_ZZ:x963', MIGRATION_DIFFICULT: 'eba_ZZ:x964', BOTH: 'eba_ZZ:x965' } as const;
const REINTEGRATION = { EASY: 'eba_ZZ:x798', DIFFICULT: 'eba_ZZ:x966', HIGHLY_COMPLEX: 'eba_ZZ:x967' } as const;
const ALTERNATIVES = { YES: 'eba_BT:x28', NO: 'eba_BT:x29', NOT_ASSESSED: 'eba_BT:x21' } as const;
const TERMINATION: Record<TerminationReason, string> = {
  EXPIRED_NOT_RENEWED: 'eba_CO:x4',
  PROVIDER_BREACH: 'eba_CO:x5',
  PROVIDER_IMPEDIMENTS: 'eba_CO:x6',
  PROVIDER_DATA_WEAKNESS: 'eba_CO:x7',
  AUTHORITY_REQUEST: 'eba_CO:x8',
  OTHER: 'eba_CO:x9',
};
/** Type of code identifying the provider: Charter identifies the vendor by its LEI. */
const LEI_CODE_TYPE = 'LEI';

/** The column codes of each template, in order (the header row of its CSV). */
export const DORA_COLUMNS: Record<DoraTemplate, string[]> = {
  'b_01.01': ['c0010', 'c0020', 'c0030', 'c0040', 'c0050', 'c0060'],
  'b_02.01': ['c0010', 'c0020', 'c0030', 'c0040', 'c0050'],
  'b_02.02': ['c0010', 'c0020', 'c0030', 'c0040', 'c0050', 'c0060', 'c0070', 'c0080', 'c0090', 'c0100', 'c0110', 'c0120', 'c0130', 'c0140', 'c0150', 'c0160', 'c0170', 'c0180'],
  'b_03.01': ['c0010', 'c0020', 'c0030'],
  'b_03.02': ['c0010', 'c0020', 'c0030'],
  'b_04.01': ['c0010', 'c0020', 'c0030', 'c0040'],
  'b_05.01': ['c0010', 'c0020', 'c0030', 'c0040', 'c0050', 'c0060', 'c0070', 'c0080', 'c0090'],
  'b_07.01': ['c0010', 'c0020', 'c0030', 'c0040', 'c0050', 'c0060', 'c0070', 'c0080', 'c0090', 'c0100', 'c0110', 'c0120'],
};

type Row = Record<string, string>;

/** Exports the register of a financial-entity tenant (contracts:read; a tenant actor its own only). */
export async function exportDoraRegister(ctx: Ctx, input: DoraExportInput): Promise<DoraExport> {
  authorize(ctx.actor, 'contracts:read');
  if (!inTenantScope(ctx.actor, input.tenantId)) throw notFound('Tenant');
  const tenant = await db.tenant.findUnique({ where: { id: input.tenantId } });
  if (!tenant) throw notFound('Tenant');
  if (tenant.sector !== 'FINANCE') {
    throw new AppError('invalid_transition', `${tenant.legalName} is not a financial entity (sector ${tenant.sector}): DORA's register of information does not apply.`, {
      extra: { reason: 'not_financial_entity' },
    });
  }
  const contracts = await db.contract.findMany({
    where: { tenantId: tenant.id, status: { in: ['ACTIVE', 'EXPIRED', 'TERMINATED'] } },
    orderBy: { reference: 'asc' },
    include: { tenant: { select: { deployments: { where: { archivedAt: null }, select: { country: true } } } } },
  });
  const env = getEnv();
  const vendor = { lei: env.CHARTER_VENDOR_LEI ?? '', name: env.CHARTER_VENDOR_NAME ?? '', country: env.CHARTER_VENDOR_COUNTRY ?? '' };
  const gaps: DoraGap[] = [];
  const gap = (template: DoraTemplate, column: string, reason: string) => {
    if (!gaps.some((g) => g.template === template && g.column === column)) gaps.push({ template, column, reason });
  };
  const rows: Record<DoraTemplate, Row[]> = { 'b_01.01': [], 'b_02.01': [], 'b_02.02': [], 'b_03.01': [], 'b_03.02': [], 'b_04.01': [], 'b_05.01': [], 'b_07.01': [] };

  // B_01.01: the entity maintaining the register.
  rows['b_01.01'].push({
    c0010: tenant.lei ?? '',
    c0020: tenant.legalName,
    c0030: country(tenant.homeCountry),
    c0040: input.entityType ?? '',
    c0050: input.competentAuthority ?? '',
    c0060: input.reportingDate ?? date(new Date()),
  });
  if (!tenant.lei) gap('b_01.01', 'c0010', "The tenant's LEI is not recorded in Charter.");
  if (!input.entityType) gap('b_01.01', 'c0040', 'Type of entity: Charter does not know it; give it with the export (entityType).');
  if (!input.competentAuthority) gap('b_01.01', 'c0050', 'Competent authority: Charter does not know it; give it with the export.');

  let totalCost = 0;
  let costCurrency: string | undefined;
  for (const c of contracts) {
    const info: ContractRegisterInfoDto = ContractRegisterInfo.safeParse(c.registerInfo).data ?? {};
    const ref = c.reference;
    const ended = c.status === 'EXPIRED' || (c.status === 'ACTIVE' && c.validUntil <= new Date());
    rows['b_02.01'].push({
      c0010: ref,
      c0020: c.type === 'FRAMEWORK' ? 'eba_CO:x2' : 'eba_CO:x1',
      c0030: '',
      c0040: currency(info.currency),
      c0050: info.annualCost === undefined ? '' : String(info.annualCost),
    });
    if (info.annualCost !== undefined) {
      totalCost += info.annualCost;
      costCurrency ??= info.currency;
    }

    const termination = c.status === 'TERMINATED' ? TERMINATION[(c.terminationReason as TerminationReason | null) ?? 'OTHER'] : ended ? TERMINATION.EXPIRED_NOT_RENEWED : '';
    const deploymentCountries = [...new Set(c.tenant.deployments.map((d) => d.country))].sort();
    const serviceCountries = info.serviceCountries?.length ? info.serviceCountries : deploymentCountries;
    const storage = info.providerStoresData ? (info.dataStorageCountries ?? []) : [];
    // One row per data-processing country; the other multi-valued columns take the value at the same position (or their first).
    const processing = c.dataProcessingCountries.length ? c.dataProcessingCountries : [''];
    processing.forEach((pc, i) => {
      rows['b_02.02'].push({
        c0010: ref,
        c0020: tenant.lei ?? '',
        c0030: vendor.lei,
        c0040: vendor.lei ? LEI_CODE_TYPE : '',
        c0050: info.functionIdentifier ?? '',
        c0060: info.ictServiceType ? `eba_TA:${info.ictServiceType}` : '',
        c0070: date(c.validFrom),
        c0080: date(c.validUntil),
        c0090: termination,
        c0100: String(c.noticePeriodDays),
        c0110: info.providerNoticePeriodDays === undefined ? '' : String(info.providerNoticePeriodDays),
        c0120: country(info.governingLawCountry),
        c0130: country(serviceCountries[i] ?? serviceCountries[0]),
        c0140: yesNo(info.providerStoresData),
        c0150: country(storage[i] ?? storage[0]),
        c0160: country(pc),
        c0170: info.dataSensitiveness ? LEVEL[info.dataSensitiveness] : '',
        c0180: info.relianceLevel ? RELIANCE[info.relianceLevel] : '',
      });
    });
    rows['b_03.01'].push({ c0010: ref, c0020: tenant.lei ?? '', c0030: 'true' });
    rows['b_03.02'].push({ c0010: ref, c0020: vendor.lei, c0030: vendor.lei ? LEI_CODE_TYPE : '' });
    rows['b_04.01'].push({ c0010: ref, c0020: tenant.lei ?? '', c0030: 'eba_ZZ:x839', c0040: '' });
    rows['b_07.01'].push({
      c0010: ref,
      c0020: vendor.lei,
      c0030: vendor.lei ? LEI_CODE_TYPE : '',
      c0040: info.ictServiceType ? `eba_TA:${info.ictServiceType}` : '',
      c0050: info.substitutability ? SUBSTITUTABILITY[info.substitutability] : '',
      c0060: info.nonSubstitutabilityReason ? NON_SUBSTITUTABILITY[info.nonSubstitutabilityReason] : '',
      c0070: info.lastAuditDate ?? '',
      c0080: yesNo(info.exitPlan),
      c0090: info.reintegration ? REINTEGRATION[info.reintegration] : '',
      c0100: info.discontinuingImpact ? LEVEL[info.discontinuingImpact] : '',
      c0110: info.alternativeProviders ? ALTERNATIVES[info.alternativeProviders] : '',
      c0120: info.alternativeProvidersNote ?? '',
    });

    const missing: [DoraTemplate, string, keyof ContractRegisterInfoDto, string][] = [
      ['b_02.01', 'c0050', 'annualCost', 'Annual expense'],
      ['b_02.02', 'c0050', 'functionIdentifier', "Function identifier (the entity's own function, B_06.01)"],
      ['b_02.02', 'c0060', 'ictServiceType', 'Type of ICT services'],
      ['b_02.02', 'c0110', 'providerNoticePeriodDays', "Provider's notice period"],
      ['b_02.02', 'c0120', 'governingLawCountry', 'Country of the governing law'],
      ['b_02.02', 'c0170', 'dataSensitiveness', 'Sensitiveness of the data'],
      ['b_02.02', 'c0180', 'relianceLevel', 'Level of reliance'],
      ['b_07.01', 'c0050', 'substitutability', 'Substitutability'],
      ['b_07.01', 'c0070', 'lastAuditDate', 'Date of the last audit'],
      ['b_07.01', 'c0080', 'exitPlan', 'Existence of an exit plan'],
      ['b_07.01', 'c0090', 'reintegration', 'Possibility of reintegration'],
      ['b_07.01', 'c0100', 'discontinuingImpact', 'Impact of discontinuing'],
      ['b_07.01', 'c0110', 'alternativeProviders', 'Alternative providers identified'],
    ];
    for (const [template, column, field, label] of missing) {
      if (info[field] === undefined) gap(template, column, `${label}: not recorded on contract ${ref} (DORA register details).`);
    }
  }
  if (!vendor.lei) gap('b_05.01', 'c0010', "The vendor's LEI: set CHARTER_VENDOR_LEI.");

  // B_05.01: the vendor as the one direct ICT third-party service provider of these arrangements.
  if (contracts.length > 0) {
    rows['b_05.01'].push({
      c0010: vendor.lei,
      c0020: vendor.lei ? LEI_CODE_TYPE : '',
      c0030: vendor.name,
      c0040: 'eba_CT:x212',
      c0050: country(vendor.country),
      c0060: currency(costCurrency),
      c0070: costCurrency ? String(totalCost) : '',
      c0080: '',
      c0090: '',
    });
    gap('b_05.01', 'c0080', "The provider's ultimate parent undertaking: not held by Charter.");
    gap('b_04.01', 'c0040', 'Branches of the entity making use of the service: not held by Charter (rows say "not a branch").');
  }
  gap('b_02.01', 'c0030', 'Overarching arrangement: Charter contracts are standalone (FRAMEWORK type = overarching).');

  const files: DoraFile[] = (Object.keys(rows) as DoraTemplate[]).map((template) => {
    const columns = DORA_COLUMNS[template];
    const values = rows[template].map((r) => columns.map((col) => r[col] ?? ''));
    return { template, fileName: `${template}.csv`, columns, rows: values, csv: toCsv(columns, values) };
  });

  await transaction((tx) =>
    record(tx, ctx, {
      action: 'dora.register_exported',
      tenantId: tenant.id,
      target: { type: 'tenant', id: tenant.id },
      data: { contracts: contracts.map((c) => c.reference), templates: files.map((f) => f.template), gaps: gaps.length },
    }),
  );
  return { tenant: { id: tenant.id, slug: tenant.slug, legalName: tenant.legalName }, files, gaps, contracts: contracts.length };
}
