import { readFile } from 'node:fs/promises';
import { systemCtx } from '@/lib/access/system';
import { verifyExport } from '@/lib/audit/verify';
import { listPublicKeys } from '@/lib/modules/signing-keys/service';
import { updateTenant } from '@/lib/modules/tenants/service';
import { makeTenant, makeUser, uniqueSuffix } from '../factories';
import { expect, test } from '../fixtures';

test.describe('audit log', () => {
  test('search with filters in the URL, open an event, export the result with progress, verify it', async ({ page, signIn }) => {
    const tenant = await makeTenant();
    const suffix = uniqueSuffix();
    await updateTenant(systemCtx('e2e'), tenant.id, { legalName: `Audited ${suffix} AG` });
    await signIn(await makeUser({ role: 'AUDITOR' }));

    await page.goto('/audit');
    await page.getByLabel('Chain', { exact: true }).first().selectOption(tenant.slug);
    await page.getByLabel('Action').selectOption('group:tenant');
    await page.getByRole('button', { name: 'Search' }).click();
    await expect(page).toHaveURL(new RegExp(`chain=${tenant.slug}.*action=group%3Atenant`));
    const rows = page.locator('tbody tr[data-audit-action]');
    await expect(rows).toHaveCount(2);
    await expect(rows.first()).toHaveAttribute('data-audit-action', 'tenant.updated');

    // A deep link keeps the filters; the event page shows the before/after and the hashes.
    await page.getByRole('link', { name: 'Event 2 details' }).click();
    await expect(page.getByRole('heading', { name: 'tenant.updated · seq 2' })).toBeVisible();
    await expect(page.getByRole('table', { name: 'Before and after' })).toContainText(`Audited ${suffix} AG`);
    await expect(page.getByText('Chain hash', { exact: true })).toBeVisible();

    await page.goto(`/audit?chain=${tenant.slug}`);
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Verifiable NDJSON' }).click();
    const file = await download;
    await expect(page.getByTestId('export-done')).toContainText('Exported 3 rows');
    const text = await readFile(await file.path(), 'utf8');
    const pinnedKeys = (await listPublicKeys()).map((k) => ({ kid: k.kid, publicKey: k.publicKey }));
    expect(await verifyExport(text, { pinnedKeys })).toMatchObject({ ok: true, events: 3 });
  });

  test('a tenant auditor sees only their chain; a tenant viewer has no audit log', async ({ page, signIn }) => {
    const [mine, other] = [await makeTenant(), await makeTenant()];
    await signIn(await makeUser({ role: 'AUDITOR', tenantId: mine.id }));
    await page.goto('/audit');
    await expect(page.getByLabel('Chain', { exact: true })).toHaveCount(0);
    const chains = await page.locator('tbody tr[data-audit-action]').count();
    expect(chains).toBeGreaterThan(0);
    await page.goto(`/audit/${other.slug}/1`);
    await expect(page.getByText(/not found|could not be found/i).first()).toBeVisible();

    await signIn(await makeUser({ role: 'TENANT_VIEWER', tenantId: mine.id }));
    await page.goto('/');
    await expect(page.getByRole('link', { name: 'Audit log' })).toHaveCount(0);
  });

  test('published keys with fingerprints; retention controls for the owner', async ({ page, signIn }) => {
    const tenant = await makeTenant();
    await signIn(await makeUser({ role: 'OWNER' }));
    await page.goto('/audit/keys');
    const [key] = await listPublicKeys();
    await expect(page.getByRole('table', { name: 'Published signing keys' })).toContainText(key?.kid);
    await page.goto('/audit/retention');
    const row = page.locator(`tr[data-tenant="${tenant.slug}"]`);
    await row.getByLabel('Reason for the legal hold').fill('inquiry 2026-42');
    await row.getByRole('button', { name: 'Place hold' }).click();
    await expect(row.getByText('On hold')).toBeVisible();
    // Without a reason the server refuses (and says why); with one it files a four-eyes request.
    await row.getByLabel('Retention in days').fill('400');
    await row.getByRole('button', { name: 'Request' }).click();
    await expect(row.getByRole('alert')).toContainText('Reason: is required');
    await row.getByLabel('Reason for the retention change').fill('records policy 2027');
    await row.getByRole('button', { name: 'Request' }).click();
    await expect(row.getByText(/another administrator must approve/)).toBeVisible();
    await expect(row).toContainText('3650 days');
  });
});
