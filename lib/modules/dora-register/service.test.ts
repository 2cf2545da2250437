import { describe, expect, it } from 'vitest';
import { systemCtx } from '@/lib/access/system';
import { db } from '@/lib/core/db';
import { makeContract, makeKey, makeModelVersion, makeTenant, makeUser, randomLei } from '@/lib/testing/factories';
import { requestContractTermination } from '@/lib/modules/contracts/service';
import { exportDoraRegister, toCsv } from './service';

describe('DORA register of information export', () => {
  it('writes the template column codes and EBA code values, and lists what Charter cannot know', async () => {
    const lei = randomLei();
    const tenant = await makeTenant({ lei, sector: 'FINANCE', homeCountry: 'DE', allowedCountries: ['DE', 'FR'] });
    const v = await makeModelVersion();
    const contract = await makeContract(tenant.id, { familyIds: [v.familyId], countries: ['DE', 'FR'] });
    await db.contract.update({
      where: { id: contract.id },
      data: {
        registerInfo: {
          ictServiceType: 'S13',
          annualCost: 120000,
          currency: 'EUR',
          governingLawCountry: 'DE',
          substitutability: 'MEDIUM',
          exitPlan: true,
          relianceLevel: 'MATERIAL',
        },
      },
    });
    const { ctx } = await makeUser('TENANT_ADMIN', tenant.id);
    const out = await exportDoraRegister(ctx, { tenantId: tenant.id, entityType: 'eba_CT:x12', reportingDate: '2026-12-31' });
    const file = (t: string) => out.files.find((f) => f.template === t);
    expect(out.files.map((f) => f.fileName)).toEqual(['b_01.01.csv', 'b_02.01.csv', 'b_02.02.csv', 'b_03.01.csv', 'b_03.02.csv', 'b_04.01.csv', 'b_05.01.csv', 'b_07.01.csv']);
    expect(file('b_02.02')?.csv.split('\r\n')[0]).toBe('c0010,c0020,c0030,c0040,c0050,c0060,c0070,c0080,c0090,c0100,c0110,c0120,c0130,c0140,c0150,c0160,c0170,c0180');
    expect(file('b_01.01')?.rows).toEqual([[lei, tenant.legalName, 'eba_GA:DE', 'eba_CT:x12', '', '2026-12-31']]);
    expect(file('b_02.01')?.rows).toEqual([[contract.reference, 'eba_CO:x1', '', 'eba_CU:EUR', '120000']]);
    // One B_02.02 row per data-processing country.
    const specific = file('b_02.02')?.rows ?? [];
    expect(specific.map((r) => r[15])).toEqual(['eba_GA:DE', 'eba_GA:FR']);
    const [row] = specific;
    expect(row?.slice(0, 2)).toEqual([contract.reference, lei]);
    expect(row?.[5]).toBe('eba_TA:S13');
    expect(row?.slice(6, 10)).toEqual(['2026-01-01', '2028-01-01', '', '90']);
    expect(row?.[11]).toBe('eba_GA:DE');
    expect(row?.[17]).toBe('eba_ZZ:x796');
    expect(file('b_07.01')?.rows[0]?.slice(4, 8)).toEqual(['eba_ZZ:x961', '', '', 'eba_BT:x28']);
    expect(out.gaps).toEqual(
      expect.arrayContaining([expect.objectContaining({ template: 'b_01.01', column: 'c0050' }), expect.objectContaining({ template: 'b_07.01', column: 'c0070' })]),
    );
    expect(await db.auditEvent.count({ where: { tenantId: tenant.id, action: 'dora.register_exported' } })).toBe(1);
  });

  it('reports a terminated arrangement with its reason code', async () => {
    const tenant = await makeTenant({ lei: randomLei() });
    const contract = await makeContract(tenant.id);
    await requestContractTermination(systemCtx('test'), contract.id, { reason: 'breach', terminationReason: 'PROVIDER_BREACH' });
    const out = await exportDoraRegister(systemCtx('test'), { tenantId: tenant.id });
    expect(out.files.find((f) => f.template === 'b_02.02')?.rows[0]?.[8]).toBe('eba_CO:x5');
  });

  it('applies only to financial entities, and isolates tenants (cross-tenant and denied-role tests)', async () => {
    const health = await makeTenant({ sector: 'HEALTH' });
    await expect(exportDoraRegister(systemCtx('test'), { tenantId: health.id })).rejects.toMatchObject({ extra: { reason: 'not_financial_entity' } });
    const [mine, other] = [await makeTenant(), await makeTenant()];
    const { ctx } = await makeUser('TENANT_VIEWER', mine.id);
    await expect(exportDoraRegister(ctx, { tenantId: other.id })).rejects.toMatchObject({ code: 'not_found' });
    const key = await makeKey(mine.id, ['deployments:read']);
    await expect(exportDoraRegister(key.ctx, { tenantId: mine.id })).rejects.toMatchObject({ code: 'forbidden' });
  });

  it('quotes CSV fields per RFC 4180', () => {
    expect(toCsv(['c0010', 'c0020'], [['a,b', 'say "hi"']])).toBe('c0010,c0020\r\n"a,b","say ""hi"""\r\n');
  });
});
