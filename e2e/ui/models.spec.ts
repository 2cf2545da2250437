import { randomBytes } from 'node:crypto';
import { systemCtx } from '@/lib/access/system';
import { createApiKey } from '@/lib/modules/api-keys/service';
import { createDeployment } from '@/lib/modules/deployments/service';
import { createModelFamily, createModelVersion } from '@/lib/modules/models/service';
import { makeContract } from '@/lib/testing/factories';
import { makeTenant, makeUser, uniqueSuffix } from '../factories';
import { expect, test } from '../fixtures';

const digest = () => `sha256:${randomBytes(32).toString('hex')}`;

/** A new family with one DRAFT version, and a tenant whose active contract grants the family (notice: 120 days). */
async function catalogueAndTenant() {
  const ctx = systemCtx('e2e');
  const suffix = uniqueSuffix();
  const family = await createModelFamily(ctx, { slug: `e2e-${suffix}`, name: `Falcon ${suffix}`, modality: 'text' });
  const version = await createModelVersion(ctx, {
    family: family.slug,
    version: '2.0.0',
    weightsDigest: digest(),
    techDocDigest: digest(),
    parameterCount: 13_000_000_000,
    contextLength: 65_536,
    licence: 'Charter Sovereign Model Licence 2.0',
    releaseNotes: '## Falcon 2.0.0\n\n- Faster.\n\n<script>window.__pwned = true</script><img src="x" alt="tracker">',
    exportRestrictions: ['RU'],
  });
  const tenant = await makeTenant({ legalName: `Falcon Bank ${suffix}` });
  await makeContract(tenant.id, { familyIds: [family.id], noticePeriodDays: 120 });
  const deployment = await createDeployment(ctx, { tenantId: tenant.id, name: `fra-${suffix}`, environment: 'PRODUCTION', country: 'DE', hosting: 'ON_PREMISES' });
  const { key } = await createApiKey(ctx, {
    name: `agent ${suffix}`,
    tenantId: tenant.id,
    deploymentId: deployment.id,
    scopes: ['deployments:read', 'deployments:write'],
    expiresInDays: 1,
    allowedCidrs: [],
  });
  return { family, version, tenant, deployment, agentKey: key };
}

test.describe('model catalogue, rollouts and adoption', () => {
  test('release a version, pin a deployment to it, and see adoption change when the agent reports it', async ({ page, admin, signIn }) => {
    const { family, version, tenant, deployment, agentKey } = await catalogueAndTenant();
    await signIn(admin);

    // Release the draft from its page; its release notes are rendered without script or image.
    await page.goto(`/models/${version.id}`);
    await expect(page.getByRole('heading', { level: 1 })).toContainText('2.0.0');
    const notes = page.getByTestId('release-notes');
    await expect(notes.getByRole('listitem')).toHaveText('Faster.');
    await expect(notes.locator('script, img')).toHaveCount(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: boolean }).__pwned)).toBeUndefined();
    await page.getByRole('button', { name: 'Release version' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Released.' })).toBeVisible();
    await expect(page.getByRole('heading', { level: 1 }).locator('..')).toContainText('Released');

    // Adoption before: the version is listed, no deployment of the tenant runs it.
    const row = () => page.getByTestId('adoption-matrix').locator(`tr[data-version="${family.slug}@2.0.0"]`);
    await page.goto('/models/adoption');
    await expect(row().locator('[data-total]')).toHaveText('0');

    // Pin the deployment: it waits for the agent to report the version.
    await page.goto(`/deployments/${deployment.id}`);
    await page.getByLabel('Model version').selectOption({ label: `${family.slug}@2.0.0` });
    await page.getByRole('button', { name: 'Pin version' }).click();
    await expect(page.getByRole('status').filter({ hasText: `Pinned to ${family.slug}@2.0.0` })).toBeVisible();
    await expect(page.getByTestId('pinned')).toContainText(`${family.slug}@2.0.0`);
    await expect(page.getByTestId('rollout-in-progress')).toBeVisible();
    await expect(page.locator('tr[data-rollout="PIN"]')).toHaveAttribute('data-status', 'IN_PROGRESS');

    // The agent checks in with the new version (REST, its own key) …
    const ack = await page.request.post(`/api/v1/deployments/${deployment.id}/heartbeat`, {
      headers: { authorization: `Bearer ${agentKey}` },
      data: { agentVersion: '2.4.0', running: [{ family: family.slug, version: '2.0.0' }] },
    });
    expect(ack.status()).toBe(200);
    const rollouts = await page.request.get(`/api/v1/deployments/${deployment.id}/rollouts`, { headers: { authorization: `Bearer ${agentKey}` } });
    expect((await rollouts.json()).data[0]).toMatchObject({ kind: 'PIN', status: 'COMPLETED', to: { family: family.slug, version: '2.0.0' } });

    // … and the deployment page, its audit trail and the adoption view follow.
    await page.reload();
    await expect(page.locator('tr[data-rollout="PIN"]')).toHaveAttribute('data-status', 'COMPLETED');
    await expect(page.locator(`tr[data-running="${family.slug}@2.0.0"]`)).toContainText('heartbeat');
    await expect(page.locator('tr[data-audit-action="rollout.completed"]')).toHaveCount(1);
    await expect(page.locator('tr[data-audit-action="rollout.created"]')).toContainText(admin.email);
    await page.goto('/models/adoption');
    await expect(row().locator(`td[data-tenant="${tenant.slug}"]`)).toHaveText('1');
    await expect(row().locator('[data-total]')).toHaveText('1');
    await expect(page.getByTestId(`adoption-chart-${family.slug}`)).toContainText(tenant.legalName);
  });

  test('a deprecation that breaks the notice period is refused naming the tenant; the impact preview gives the earliest date', async ({ page, admin, signIn }) => {
    const { version, tenant, deployment, agentKey, family } = await catalogueAndTenant();
    const { releaseModelVersion } = await import('@/lib/modules/models/service');
    await releaseModelVersion(systemCtx('e2e'), version.id);
    await page.request.post(`/api/v1/deployments/${deployment.id}/heartbeat`, {
      headers: { authorization: `Bearer ${agentKey}` },
      data: { agentVersion: '2.4.0', running: [{ family: family.slug, version: '2.0.0' }] },
    });
    await signIn(admin);
    await page.goto(`/models/${version.id}`);
    const earliest = new Date(Date.parse(`${new Date().toISOString().slice(0, 10)}T00:00:00Z`) + 120 * 86_400_000).toISOString().slice(0, 10);
    await expect(page.getByTestId('earliest-allowed-date')).toHaveText(earliest);
    await expect(page.locator(`tr[data-tenant="${tenant.slug}"]`)).toContainText(deployment.name);

    const soon = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
    await page.getByLabel('Deprecated from').fill(soon);
    await page.getByLabel('End of life').fill(soon);
    await page.getByLabel('Reason').fill('superseded by 3.0');
    await page.getByRole('button', { name: 'Deprecate version' }).click();
    await expect(page.getByTestId('lifecycle-problem')).toContainText(tenant.slug);
    await expect(page.getByTestId('lifecycle-problem')).toContainText(`The earliest allowed date is ${earliest}`);
    await page.screenshot({ path: 'test-results/deprecation-refused.png', fullPage: true });

    await page.getByLabel('Deprecated from').fill(earliest);
    await page.getByLabel('End of life').fill(earliest);
    await page.getByRole('button', { name: 'Deprecate version' }).click();
    await expect(page.getByRole('status').filter({ hasText: `Deprecated from ${earliest}` })).toBeVisible();
  });

  test('a tenant admin cannot pin to a version their contract does not grant, and sees why', async ({ page, signIn }) => {
    const { deployment, tenant } = await catalogueAndTenant();
    const ctx = systemCtx('e2e');
    const other = await createModelFamily(ctx, { slug: `e2e-other-${uniqueSuffix()}`, name: 'Other family' });
    const v = await createModelVersion(ctx, {
      family: other.slug,
      version: '1.0.0',
      weightsDigest: digest(),
      techDocDigest: digest(),
      parameterCount: 1e9,
      contextLength: 4096,
      licence: 'x-licence',
      exportRestrictions: [],
    });
    const { releaseModelVersion } = await import('@/lib/modules/models/service');
    await releaseModelVersion(ctx, v.id);
    const user = await makeUser({ role: 'TENANT_ADMIN', tenantId: tenant.id });
    await signIn(user);
    await page.goto(`/deployments/${deployment.id}`);
    await page.getByLabel('Model version').selectOption({ label: `${other.slug}@1.0.0` });
    await page.getByRole('button', { name: 'Pin version' }).click();
    await expect(page.getByTestId('rollout-problem')).toContainText(`grants neither ${other.slug}@1.0.0 nor the ${other.slug} family`);
    await expect(page.getByTestId('pinned')).toContainText('Not pinned');
  });

  test("an air-gapped site's file is imported, refused when its digest does not match, and completes the pin", async ({ page, admin, signIn }) => {
    const { family, version, tenant } = await catalogueAndTenant();
    const ctx = systemCtx('e2e');
    const { releaseModelVersion } = await import('@/lib/modules/models/service');
    const released = await releaseModelVersion(ctx, version.id);
    const site = await createDeployment(ctx, { tenantId: tenant.id, name: `vault-${uniqueSuffix()}`, environment: 'AIRGAPPED', country: 'DE', hosting: 'ON_PREMISES' });
    await signIn(admin);
    await page.goto(`/deployments/${site.id}`);
    await page.getByLabel('Model version').selectOption({ label: `${family.slug}@2.0.0` });
    await page.getByRole('button', { name: 'Pin version' }).click();
    await expect(page.getByTestId('rollout-in-progress')).toBeVisible();

    const file = (weightsDigest: string) => ({
      name: 'running-versions.json',
      mimeType: 'application/json',
      buffer: Buffer.from(
        JSON.stringify({
          v: 1,
          type: 'charter.running-versions',
          deployment: { id: site.id, name: site.name },
          reportedAt: new Date().toISOString(),
          agentVersion: '1.9.0',
          running: [{ family: family.slug, version: '2.0.0', weightsDigest }],
        }),
      ),
    });
    const importCard = page.getByRole('region', { name: "Import the site's report" });
    await importCard.getByLabel('Running-versions file (JSON)').setInputFiles(file(`sha256:${'0'.repeat(64)}`));
    await importCard.getByRole('button', { name: 'Import file' }).click();
    await expect(importCard.getByRole('alert')).toContainText('do not match the catalogue');
    await expect(page.locator(`tr[data-running="${family.slug}@2.0.0"]`)).toHaveCount(0);

    await importCard.getByLabel('Running-versions file (JSON)').setInputFiles(file(released.weightsDigest));
    await importCard.getByRole('button', { name: 'Import file' }).click();
    await expect(importCard.getByRole('status')).toContainText('Imported running-versions.json: 1 running version');
    await page.reload();
    await expect(page.locator(`tr[data-running="${family.slug}@2.0.0"]`)).toContainText('imported from the site');
    await expect(page.locator('tr[data-rollout="PIN"]')).toHaveAttribute('data-status', 'COMPLETED');
    await expect(page.locator('tr[data-audit-action="deployment.updated"]').first()).toContainText('IMPORT');
  });
});
