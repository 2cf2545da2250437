import type { APIRequestContext } from '@playwright/test';
import { systemCtx } from '@/lib/access/system';
import type { ApiKeyScope } from '@/lib/modules/api-keys/schema';
import { createApiKey } from '@/lib/modules/api-keys/service';
import { createDeployment } from '@/lib/modules/deployments/service';
import { makeTenant, makeUser, uniqueSuffix } from '../factories';
import { expect, test } from '../fixtures';

const KEY = /^chr_[0-9A-Za-z]{46}$/;

/** A key made by the operator, for tests that are about seeing or managing keys rather than creating them. */
async function makeKey(tenantId: string | null, name = `key ${uniqueSuffix()}`, scopes: ApiKeyScope[] = ['tenants:read']) {
  return createApiKey(systemCtx('e2e'), { name, tenantId, deploymentId: null, scopes, expiresInDays: 30, allowedCidrs: [] });
}

function getTenantWith(request: APIRequestContext, tenantId: string, key: string) {
  return request.get(`/api/v1/tenants/${tenantId}`, { headers: { authorization: `Bearer ${key}` } });
}

test.describe('API keys', () => {
  test('a tenant admin creates a key, copies it once, calls the API with it, and revokes it', async ({ page, signIn, request }) => {
    const tenant = await makeTenant();
    const admin = await makeUser({ role: 'TENANT_ADMIN', tenantId: tenant.id });
    await signIn(admin);
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);

    await page.goto('/');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'API keys' }).click();
    await expect(page).toHaveURL(/\/api-keys$/);
    // A tenant admin sees only their tenant's keys: no tenant filter, no tenant column.
    await expect(page.getByRole('combobox', { name: 'Tenant' })).toHaveCount(0);
    await expect(page.getByRole('columnheader', { name: 'Tenant' })).toHaveCount(0);

    await page.getByRole('link', { name: 'New API key' }).click();
    await expect(page).toHaveURL(/\/api-keys\/new$/);
    await expect(page.getByRole('main').getByText(tenant.legalName)).toBeVisible();
    const name = `Agent ${uniqueSuffix()}`;
    await page.getByRole('textbox', { name: 'Name', exact: true }).fill(name);
    // Platform-only scopes cannot be given to a tenant key.
    await expect(page.getByRole('checkbox', { name: /^tenants:write/ })).toBeDisabled();
    await page.getByRole('checkbox', { name: /^deployments:read/ }).check();
    await page.getByRole('checkbox', { name: /^tenants:read/ }).check();
    await page.getByRole('radio', { name: '30 days' }).check();
    await page.getByRole('button', { name: 'Create key' }).click();

    // The copy-once reveal.
    const secret = page.getByTestId('api-key-secret');
    await expect(secret).toHaveText(KEY);
    await expect(page.getByText('It will not be shown again')).toBeVisible();
    await page.getByRole('button', { name: 'Copy', exact: true }).click();
    await expect(page.getByText('Copied to the clipboard.')).toBeVisible();
    const key = await page.evaluate(() => navigator.clipboard.readText());
    expect(key).toMatch(KEY);
    expect(key).toBe(await secret.textContent());
    const prefix = key.slice(0, 10);
    // Never in a URL or a cookie.
    expect(page.url()).not.toContain(key.slice(10));
    expect(JSON.stringify(await page.context().cookies())).not.toContain(key.slice(10));

    // The key works for its own tenant…
    const ok = await getTenantWith(request, tenant.id, key);
    expect(ok.status()).toBe(200);
    expect(await ok.json()).toMatchObject({ id: tenant.id, slug: tenant.slug });

    // …and the same key with one character changed is refused.
    const changed = key.slice(0, 20) + (key[20] === 'A' ? 'B' : 'A') + key.slice(21);
    const refused = await getTenantWith(request, tenant.id, changed);
    expect(refused.status()).toBe(401);
    expect(refused.headers()['content-type']).toContain('application/problem+json');
    const refusedBody = await refused.text();

    // Done only once the user says the key is stored; the list shows the new key without its secret.
    const done = page.getByRole('button', { name: 'Done, back to the list' });
    await expect(done).toBeDisabled();
    await page.getByLabel('I have stored the key in a safe place').check();
    await done.click();
    await expect(page).toHaveURL(/\/api-keys$/);
    const row = page.locator(`tr[data-key-prefix="${prefix}"]`);
    await expect(row).toContainText(name);
    await expect(row).toContainText('Active');
    await expect(row.getByRole('list', { name: 'Scopes' })).toHaveText(/deployments:read\s*tenants:read/);
    await expect(row).toContainText(`by ${admin.email}`);
    await expect(page.locator('main')).not.toContainText(key.slice(10));

    // Revoke: a reason is required, then the key is refused with the very same answer.
    await row.getByRole('button', { name: `Revoke ${prefix} (${name})` }).click();
    const dialog = page.getByRole('dialog', { name: `Revoke ${prefix}… (${name})` });
    await expect(dialog).toBeVisible();
    await dialog.getByRole('button', { name: 'Revoke key' }).click();
    await expect(dialog.locator('#revoke-reason-error')).toBeVisible();
    await dialog.getByLabel('Reason').fill('Agent decommissioned');
    await dialog.getByRole('button', { name: 'Revoke key' }).click();
    await expect(dialog).toBeHidden();
    await expect(page.getByRole('status').filter({ hasText: `Revoked ${prefix}` })).toBeVisible();
    await expect(row).toHaveCount(0);

    const revoked = await getTenantWith(request, tenant.id, key);
    expect(revoked.status()).toBe(401);
    expect(await revoked.text()).toBe(refusedBody);

    await page.getByLabel('Include revoked and expired').check();
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect(row).toContainText('Revoked');
    await expect(row.getByRole('button')).toHaveCount(0);
  });

  test('rotating keeps the old key working through the chosen overlap and shows the new one once', async ({ page, admin, signIn, request }) => {
    const tenant = await makeTenant();
    const old = await makeKey(tenant.id, `Rotating agent ${uniqueSuffix()}`);
    await signIn(admin);
    await page.goto(`/tenants/${tenant.slug}`);
    await page.getByRole('main').getByRole('link', { name: 'API keys' }).click();
    await expect(page).toHaveURL(new RegExp(`/api-keys\\?tenant=${tenant.slug}$`));
    await expect(page.getByRole('combobox', { name: 'Tenant' })).toHaveValue(tenant.slug);

    const oldRow = page.locator(`tr[data-key-prefix="${old.apiKey.prefix}"]`);
    await oldRow.getByRole('button', { name: /^Rotate/ }).click();
    const dialog = page.getByRole('dialog', { name: /^Rotate / });
    await dialog.getByRole('radio', { name: /^1 hour/ }).check();
    await dialog.getByRole('button', { name: 'Rotate key' }).click();

    const secret = dialog.getByTestId('api-key-secret');
    await expect(secret).toHaveText(KEY);
    const fresh = (await secret.textContent()) ?? '';
    expect(fresh).not.toBe(old.key);
    await expect(dialog).toContainText(`${old.apiKey.prefix}… stays valid until`);
    await expect(dialog).toContainText(/\(in (1 hour|5\d minutes)\)/);
    // Escape does not throw the new key away.
    await page.keyboard.press('Escape');
    await expect(dialog).toBeVisible();

    expect((await getTenantWith(request, tenant.id, old.key)).status()).toBe(200);
    expect((await getTenantWith(request, tenant.id, fresh)).status()).toBe(200);

    await dialog.getByLabel('I have stored the key in a safe place').check();
    await dialog.getByRole('button', { name: 'Done' }).click();
    await expect(dialog).toBeHidden();
    await expect(oldRow).toHaveAttribute('data-key-status', 'rotated');
    await expect(oldRow.getByRole('button', { name: /^Rotate/ })).toHaveCount(0);
    await expect(page.locator(`tr[data-key-prefix="${fresh.slice(0, 10)}"]`)).toHaveAttribute('data-key-status', 'active');
  });

  test('a tenant viewer sees the keys but no controls to change them', async ({ page, signIn }) => {
    const tenant = await makeTenant();
    const key = await makeKey(tenant.id);
    const viewer = await makeUser({ role: 'TENANT_VIEWER', tenantId: tenant.id });
    await signIn(viewer);
    await page.goto('/api-keys');
    const row = page.locator(`tr[data-key-prefix="${key.apiKey.prefix}"]`);
    await expect(row).toContainText(key.apiKey.name);
    await expect(page.getByRole('link', { name: 'New API key' })).toHaveCount(0);
    await expect(page.getByRole('button', { name: /^(Rotate|Revoke)/ })).toHaveCount(0);
    await page.goto('/api-keys/new');
    await expect(page.getByText('Your role cannot create API keys.')).toBeVisible();
    await expect(page.getByRole('button', { name: 'Create key' })).toHaveCount(0);
  });

  test("a tenant admin never sees another tenant's keys", async ({ page, signIn }) => {
    const [mine, other] = [await makeTenant(), await makeTenant()];
    const own = await makeKey(mine.id);
    const theirs = await makeKey(other.id);
    const platformKey = await makeKey(null);
    const admin = await makeUser({ role: 'TENANT_ADMIN', tenantId: mine.id });
    await signIn(admin);

    for (const url of ['/api-keys', `/api-keys?tenant=${other.slug}&includeInactive=1`]) {
      await page.goto(url);
      await expect(page.locator(`tr[data-key-prefix="${own.apiKey.prefix}"]`)).toHaveCount(1);
      await expect(page.locator(`tr[data-key-prefix="${theirs.apiKey.prefix}"]`)).toHaveCount(0);
      await expect(page.locator(`tr[data-key-prefix="${platformKey.apiKey.prefix}"]`)).toHaveCount(0);
    }
    await expect(page.locator('main')).not.toContainText(other.legalName);
  });

  test('a platform admin filters by tenant and creates a platform key', async ({ page, admin, signIn }) => {
    const [a, b] = [await makeTenant(), await makeTenant()];
    const keyA = await makeKey(a.id);
    const keyB = await makeKey(b.id);
    await signIn(admin);
    await page.goto('/api-keys');
    await page.getByRole('combobox', { name: 'Tenant' }).selectOption(a.slug);
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect(page.locator(`tr[data-key-prefix="${keyA.apiKey.prefix}"]`)).toContainText(a.legalName);
    await expect(page.locator(`tr[data-key-prefix="${keyB.apiKey.prefix}"]`)).toHaveCount(0);

    // "New API key" from a filtered list starts with that tenant chosen.
    await page.getByRole('link', { name: 'New API key' }).click();
    await expect(page.getByRole('combobox', { name: 'Tenant' })).toHaveValue(a.id);
    await page.getByRole('combobox', { name: 'Tenant' }).selectOption('platform');
    const name = `Platform sync ${uniqueSuffix()}`;
    await page.getByRole('textbox', { name: 'Name', exact: true }).fill(name);
    await page.getByRole('checkbox', { name: /^tenants:write/ }).check();
    await page.getByLabel('Allowed networks').fill('10.20.0.0/16\n10.0.0.300/8');
    await page.getByRole('button', { name: 'Request platform key' }).click();
    await expect(page.locator('#allowedCidrs-error')).toContainText('“10.0.0.300/8” must be an IPv4 or IPv6 address');
    await expect(page.getByRole('textbox', { name: 'Name', exact: true })).toHaveValue(name);

    // A platform key is four-eyes: requested with a reason, approved by another administrator,
    // then collected by the requester, who alone sees the secret.
    await page.getByLabel('Allowed networks').fill('10.20.0.0/16');
    await page.getByRole('textbox', { name: 'Reason' }).fill('Nightly tenant sync');
    await page.getByRole('button', { name: 'Request platform key' }).click();
    await expect(page.getByText('Platform key requested.')).toBeVisible();
    const requestUrl = await page.getByRole('link', { name: 'the request’s page' }).getAttribute('href');

    const approver = await makeUser({ role: 'ADMIN' });
    await signIn(approver);
    await page.goto(requestUrl ?? '/approvals');
    await expect(page.getByTestId('approval-payload')).toContainText('10.20.0.0/16');
    await page.getByLabel('Reason for your decision').fill('Sync needs tenants:write');
    await page.getByRole('button', { name: 'Approve' }).click();
    await expect(page.getByText('This request is approved')).toBeVisible();
    await expect(page.getByTestId('api-key-secret')).toHaveCount(0);

    await signIn(admin);
    await page.goto(requestUrl ?? '/approvals');
    await page.getByRole('button', { name: 'Create and show the key' }).click();
    await expect(page.getByTestId('api-key-secret')).toHaveText(KEY);
  });

  test('a key can be bound to one deployment of its tenant', async ({ page, signIn }) => {
    const tenant = await makeTenant();
    const other = await makeTenant();
    const name = `fra-${uniqueSuffix()}`;
    const deployment = await createDeployment(systemCtx('e2e'), { tenantId: tenant.id, name, environment: 'PRODUCTION', country: 'DE', hosting: 'ON_PREMISES' });
    const foreign = await createDeployment(systemCtx('e2e'), {
      tenantId: other.id,
      name: `other-${uniqueSuffix()}`,
      environment: 'STAGING',
      country: 'DE',
      hosting: 'ON_PREMISES',
    });
    const admin = await makeUser({ role: 'TENANT_ADMIN', tenantId: tenant.id });
    await signIn(admin);
    await page.goto('/api-keys/new');
    const select = page.getByRole('combobox', { name: 'Deployment' });
    await expect(select.getByRole('option', { name: new RegExp(name) })).toHaveCount(1);
    await expect(select.getByRole('option', { name: new RegExp(foreign.name) })).toHaveCount(0);
    await page.getByRole('textbox', { name: 'Name', exact: true }).fill(`Agent of ${name}`);
    await select.selectOption(deployment.id);
    await page.getByRole('checkbox', { name: /^deployments:write/ }).check();
    await page.getByRole('button', { name: 'Create key' }).click();
    await expect(page.getByTestId('api-key-secret')).toHaveText(KEY);
    const prefix = ((await page.getByTestId('api-key-secret').textContent()) ?? '').slice(0, 10);
    await page.goto('/api-keys');
    await expect(page.locator(`tr[data-key-prefix="${prefix}"]`)).toContainText(`for deployment ${name}`);
  });
});
