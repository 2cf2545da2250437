import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { toProblem } from '@/lib/core/errors';
import { createApiKeyForm, requestPlatformApiKeyForm } from '@/lib/modules/api-keys/schema';
import { decideApprovalForm } from '@/lib/approvals/schema';
import { createContractForm } from '@/lib/modules/contracts/schema';
import { createRolloutForm } from '@/lib/modules/rollouts/schema';
import { createTenantInput, updateTenantForm } from '@/lib/modules/tenants/schema';
import { checkForm, fieldError, formDataToObject, invalidInput } from './form-state';

function form(entries: [string, string][]): FormData {
  const data = new FormData();
  for (const [k, v] of entries) data.append(k, v);
  return data;
}

describe('formDataToObject', () => {
  it('reads single fields, blanks as missing, repeated and "[]" keys as lists', () => {
    expect(
      formDataToObject(
        form([
          ['name', 'Acme'],
          ['lei', ''],
          ['tags', 'a'],
          ['tags', 'b'],
          ['countries[]', ''],
          ['countries[]', 'DE'],
          ['none[]', ''],
          ['$ACTION_ID_abc', ''],
        ]),
      ),
    ).toEqual({ name: 'Acme', lei: undefined, tags: ['a', 'b'], countries: ['DE'], none: [] });
  });

  it('nests dotted names, so that a field is named by the path its errors come back with', () => {
    expect(
      formDataToObject(
        form([
          ['sla.rtoHours', '4'],
          ['sla.rpoHours', ''],
          ['entitlements.0.maxDeployments', '2'],
          ['entitlements.1.maxDeployments', '3'],
          ['registerInfo.serviceCountries[]', ''],
          ['registerInfo.serviceCountries[]', 'AT'],
        ]),
      ),
    ).toEqual({ sla: { rtoHours: '4', rpoHours: undefined }, entitlements: [{ maxDeployments: '2' }, { maxDeployments: '3' }], registerInfo: { serviceCountries: ['AT'] } });
  });

  it('leaves files out', () => {
    const data = form([['note', 'x']]);
    data.append('file', new File(['{}'], 'running.json'));
    expect(formDataToObject(data)).toEqual({ note: 'x' });
  });
});

describe('invalidInput', () => {
  it('is the problem the server makes of the same ZodError', () => {
    const result = z
      .object({ a: z.string(), b: z.object({ c: z.number() }) })
      .refine(() => false, 'never')
      .safeParse({ b: { c: 'x' } });
    if (result.success) throw new Error('expected a refusal');
    expect(invalidInput(result.error)).toEqual(toProblem(result.error));
  });
});

describe('checkForm: the browser runs the same schemas as the server', () => {
  const tenant = { slug: 'acme', legalName: 'Acme Bank', sector: 'FINANCE', sensitivity: 'OFFICIAL', homeCountry: 'DE' };

  it('passes valid input and refuses invalid input with the field messages', () => {
    expect(checkForm(createTenantInput, formDataToObject(form([...Object.entries(tenant), ['allowedCountries[]', ''], ['allowedCountries[]', 'DE']])))).toBeUndefined();
    const problem = checkForm(createTenantInput, formDataToObject(form([...Object.entries(tenant), ['lei', 'NOT-A-LEI'], ['allowedCountries[]', '']])));
    expect(problem).toMatchObject({ code: 'validation_failed', status: 400 });
    expect(fieldError({ problem }, 'lei')).toMatch(/valid ISO 17442 LEI/);
    expect(fieldError({ problem }, 'allowedCountries')).toBe('list at least one country where data may be processed');
  });

  it('maps what only a form sends: an emptied LEI removes it, a blank reason is refused by its rule', () => {
    expect(updateTenantForm.parse({ legalName: 'Acme Bank', lei: undefined })).toMatchObject({ lei: null });
    expect(fieldError({ problem: checkForm(decideApprovalForm, {}) }, 'note')).toBe('give a reason of at least 3 characters');
  });

  it('names the network line that is wrong, and asks a platform key for a reason', () => {
    const values = formDataToObject(
      form([
        ['name', 'sync'],
        ['tenantId', 'platform'],
        ['scopes[]', 'tenants:write'],
        ['expiresInDays', '30'],
        ['allowedCidrs', '10.20.0.0/16\n10.0.0.300/8'],
      ]),
    );
    const problem = checkForm(requestPlatformApiKeyForm, values);
    expect(fieldError({ problem }, 'allowedCidrs')).toBe('“10.0.0.300/8” must be an IPv4 or IPv6 address or CIDR block, e.g. 10.0.0.0/8');
    expect(fieldError({ problem }, 'reason')).toBe('is required');
    expect(createApiKeyForm.parse({ ...values, tenantId: randomUUID(), allowedCidrs: '10.20.0.0/16\n\n' })).toMatchObject({
      tenantId: expect.any(String),
      deploymentId: null,
      allowedCidrs: ['10.20.0.0/16'],
    });
  });

  it('ignores the dates of "pin now" and asks a scheduled upgrade for its date', () => {
    const modelVersionId = randomUUID();
    expect(createRolloutForm.parse({ modelVersionId, when: 'now', scheduledFor: '2030-01-01' })).toEqual({ modelVersionId });
    expect(checkForm(createRolloutForm, { modelVersionId, when: 'scheduled' })?.errors).toEqual([{ path: 'scheduledFor', message: 'is required for a scheduled upgrade' }]);
  });

  it('types the contract form: numbers, limits, a row granting a version, register yes/no', () => {
    const familyId = randomUUID();
    const versionId = randomUUID();
    const values = formDataToObject(
      form([
        ['tenantId', randomUUID()],
        ['reference', 'C-2026-014'],
        ['type', 'SUBSCRIPTION'],
        ['validFrom', '2026-01-01'],
        ['validUntil', '2027-01-01'],
        ['noticePeriodDays', '90'],
        ['exitPeriodDays', '180'],
        ['governingLaw', 'Law of Germany'],
        ['dataProcessingCountries[]', ''],
        ['dataProcessingCountries[]', 'DE'],
        ['sla.availability', '99.9'],
        ['sla.rtoHours', ''],
        ['entitlements.0.kind', 'version'],
        ['entitlements.0.modelFamilyId', familyId],
        ['entitlements.0.modelVersionId', versionId],
        ['entitlements.0.maxDeployments', '2'],
        ['entitlements.0.limits', 'maxGpus=8\nregion=eu'],
        ['registerInfo.annualCost', '1200.5'],
        ['registerInfo.exitPlan', 'false'],
      ]),
    );
    expect(createContractForm.parse(values)).toMatchObject({
      sla: { availability: 99.9 },
      auditRights: null,
      entitlements: [{ modelFamilyId: null, modelVersionId: versionId, maxDeployments: 2, limits: { maxGpus: 8, region: 'eu' } }],
      registerInfo: { annualCost: 1200.5, exitPlan: false },
    });
    const refused = checkForm(createContractForm, { ...values, entitlements: [{ kind: 'family', maxDeployments: '0' }] });
    expect(refused?.errors?.map((e) => e.path).sort()).toEqual(['entitlements.0.maxDeployments', 'entitlements.0.modelFamilyId']);
  });
});
