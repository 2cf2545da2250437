import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { systemCtx } from '@/lib/access/system';
import { createDeployment } from '@/lib/modules/deployments/service';
import { createModelFamily, createModelVersion, releaseModelVersion } from '@/lib/modules/models/service';
import { makeTenant, makeUser, uniqueSuffix } from '../factories';
import { expect, test } from '../fixtures';

const run = promisify(execFile);
const digest = () => `sha256:${randomBytes(32).toString('hex')}`;

/** A released model version in a new family, which a contract can grant. */
async function releasedModel() {
  const ctx = systemCtx('e2e');
  const suffix = uniqueSuffix();
  const family = await createModelFamily(ctx, { slug: `e2e-${suffix}`, name: `Kestrel ${suffix}`, modality: 'text' });
  const version = await createModelVersion(ctx, {
    family: family.slug,
    version: '1.0.0',
    weightsDigest: digest(),
    techDocDigest: digest(),
    parameterCount: 7e9,
    contextLength: 8192,
    licence: 'e2e-licence',
    exportRestrictions: [],
  });
  await releaseModelVersion(ctx, version.id);
  return { family, version };
}

/** `npx charter bundle verify` as an operator would run it on the air-gapped side: no database. */
async function verifyWithCli(file: string, key: string): Promise<{ code: number; stdout: string }> {
  const env = { ...process.env, DATABASE_URL: '' };
  try {
    const { stdout } = await run(process.execPath, [path.resolve('lib/cli/charter.mjs'), 'bundle', 'verify', file, '--key', key], { env });
    return { code: 0, stdout };
  } catch (error) {
    const e = error as { code: number; stdout: string };
    return { code: e.code, stdout: e.stdout };
  }
}

test.describe('contracts, four-eyes activation and entitlement bundles', () => {
  test('draft → request activation → approval by a second admin → download bundle → verify it with the CLI', async ({ page, admin, signIn }) => {
    test.setTimeout(120_000);
    const tenant = await makeTenant({ allowedCountries: ['AT', 'DE'] });
    const { family } = await releasedModel();
    const deployment = await createDeployment(systemCtx('e2e'), {
      tenantId: tenant.id,
      name: `fra-${uniqueSuffix()}`,
      environment: 'PRODUCTION',
      country: 'DE',
      hosting: 'ON_PREMISES',
    });
    const vienna = await createDeployment(systemCtx('e2e'), {
      tenantId: tenant.id,
      name: `vie-${uniqueSuffix()}`,
      environment: 'PRODUCTION',
      country: 'AT',
      hosting: 'ON_PREMISES',
    });
    const reference = `E2E-${uniqueSuffix()}`;

    // 1. A draft, through the form.
    await signIn(admin);
    await page.goto('/contracts/new');
    await page.getByRole('combobox', { name: 'Tenant', exact: true }).selectOption(tenant.id);
    await page.getByRole('textbox', { name: 'Reference', exact: true }).fill(reference);
    await page.getByLabel('Valid from').fill('2026-01-01');
    await page.getByLabel('Valid until').fill('2030-12-31');
    await page.getByRole('textbox', { name: 'Governing law', exact: true }).fill('Law of Germany');
    await page
      .getByRole('group', { name: 'Data-processing countries' })
      .getByRole('checkbox', { name: /Germany/ })
      .check();
    await page.getByRole('button', { name: 'Add entitlement' }).click();
    await page.getByRole('combobox', { name: 'Model family' }).selectOption(family.id);
    await page.getByRole('textbox', { name: 'Max deployments' }).fill('2');
    await page.getByRole('textbox', { name: 'Other limits' }).fill('maxGpus=8');
    await page.getByRole('button', { name: 'Create draft' }).click();
    await expect(page.getByRole('heading', { level: 1, name: reference })).toBeVisible();
    await expect(page.locator('main')).toContainText('Draft');

    // 2. An edit of the draft is a new version, with its diff.
    await page.getByRole('link', { name: 'Edit draft' }).click();
    await page.getByRole('textbox', { name: 'Notice period (days)', exact: true }).fill('60');
    await page.getByRole('button', { name: 'Save as new version' }).click();
    await expect(page.locator('tr[data-version="2"]')).toContainText('current');
    await expect(page.getByTestId('version-diff')).toContainText('noticePeriodDays');
    await expect(page.locator('tr[data-version="1"]')).toContainText('✓ verified');

    // 3. Request activation; the requester cannot approve it.
    const lifecycle = page.getByRole('region', { name: 'Lifecycle' });
    await lifecycle.getByLabel('Reason').fill('Signed by both parties on 2026-11-20');
    await lifecycle.getByRole('button', { name: 'Request activation' }).click();
    await expect(page.getByText('Waiting for a second administrator')).toBeVisible();
    await expect(page.locator('main')).toContainText('Pending approval');
    await page.getByRole('link', { name: new RegExp(`Activate contract ${reference}`) }).click();
    await expect(page.getByText('This is your own request')).toBeVisible();
    await expect(page.getByRole('button', { name: 'Approve' })).toHaveCount(0);

    // 4. A second administrator approves.
    const second = await makeUser({ role: 'ADMIN' });
    await signIn(second);
    await page.goto('/approvals?view=inbox');
    await page.getByRole('link', { name: new RegExp(`Activate contract ${reference}`) }).click();
    await page.getByLabel('Reason for your decision').fill('Checked against the signed original');
    await page.getByRole('button', { name: 'Approve' }).click();
    await expect(page.getByText('This request is approved')).toBeVisible();

    // 5. The bundle of the deployment in Germany; the one in Austria is refused (residency).
    await page.getByRole('link', { name: 'Contract', exact: true }).click();
    await expect(page.locator('main')).toContainText('Active');
    const refused = page.locator(`tr[data-deployment-name="${vienna.name}"]`);
    await expect(refused).toContainText('outside contract countries');
    await refused.getByRole('button', { name: /Download the bundle/ }).click();
    await expect(refused.getByRole('alert')).toContainText(`is in AT, outside the data-processing countries of contract ${reference} (DE)`);

    const row = page.locator(`tr[data-deployment-name="${deployment.name}"]`);
    const downloading = page.waitForEvent('download');
    await row.getByRole('button', { name: /Download the bundle/ }).click();
    const download = await downloading;
    const dir = await mkdtemp(path.join(tmpdir(), 'charter-bundle-'));
    const file = path.join(dir, download.suggestedFilename());
    await download.saveAs(file);
    const bundle = JSON.parse(await readFile(file, 'utf8')) as { kid: string; payload: { contract: { reference: string; version: number }; deployments: { name: string }[] } };
    expect(bundle.payload.contract).toMatchObject({ reference, version: 2 });
    expect(bundle.payload.deployments.map((d) => d.name)).toEqual([deployment.name]);

    // 6. Verify it offline with the published key, as shown on the signing-keys page.
    await page.goto('/settings/signing-keys');
    const key = (await page.locator(`tr[data-kid="${bundle.kid}"] [data-testid="public-key"]`).textContent())?.trim() ?? '';
    expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const ok = await verifyWithCli(file, key);
    expect(ok.stdout).toMatch(/^valid: /);
    expect(ok.code).toBe(0);

    // One changed byte: refused.
    const tampered = path.join(dir, 'tampered.json');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(
      tampered,
      (await readFile(file, 'utf8')).replace(
        deployment.name,
        deployment.name.replace(/.$/, (c) => (c === 'x' ? 'y' : 'x')),
      ),
    );
    const bad = await verifyWithCli(tampered, key);
    expect(bad.stdout).toMatch(/^bad_signature: /);
    expect(bad.code).toBe(6);
  });
});
