import { systemCtx } from '@/lib/access/system';
import { listDeployments } from '@/lib/modules/deployments/service';
import { makeTenant, makeUser, uniqueSuffix } from '../factories';
import { expect, test } from '../fixtures';

/** A tenant's deployments whose name contains `q`, straight from the service (what the database holds). */
async function deploymentsMatching(tenantId: string, q: string) {
  return (await listDeployments(systemCtx('e2e'), { tenantId, q, limit: 50, includeArchived: true })).data;
}

test.describe('deployments', () => {
  test('a platform admin creates one for a tenant (refusing bad input), sees it in the list and the audit trail', async ({ page, admin, signIn }) => {
    const tenant = await makeTenant(); // allowed countries: AT, DE
    await signIn(admin);
    const name = `fra-prod-${uniqueSuffix()}`;

    await page.goto('/deployments');
    await page.getByRole('link', { name: 'New deployment' }).click();
    await expect(page).toHaveURL(/\/deployments\/new$/);
    await expect(page.getByRole('heading', { level: 1, name: 'New deployment' })).toBeVisible();

    await page.getByLabel('Tenant').selectOption({ label: `${tenant.legalName} (${tenant.slug})` });
    await page.getByLabel('Name').fill('Not a valid name!');
    await page.getByLabel('Environment').selectOption('PRODUCTION');
    await page.getByLabel('Country').selectOption('FR');
    await page.getByLabel('Hosting').selectOption('ON_PREMISES');
    await page.screenshot({ path: 'test-results/deployment-form.png', fullPage: true });
    await page.getByRole('button', { name: 'Create deployment' }).click();

    // The schema refuses the name: a message next to it, the input kept, nothing created.
    await expect(page.locator('#name-error')).toContainText('use letters, digits');
    await expect(page.getByLabel('Name')).toHaveAttribute('aria-invalid', 'true');
    await expect(page.getByLabel('Name')).toHaveValue('Not a valid name!');
    await expect(page.getByLabel('Tenant')).toHaveValue(tenant.id);
    await expect(page).toHaveURL(/\/deployments\/new$/);
    expect(await deploymentsMatching(tenant.id, '')).toHaveLength(0);

    // The service refuses a country outside the tenant's allowed ones (an AppError with a field).
    await page.getByLabel('Name').fill(name);
    await page.getByRole('button', { name: 'Create deployment' }).click();
    await expect(page.locator('#country-error')).toHaveText('must be one of AT, DE');
    await page.screenshot({ path: 'test-results/deployment-form-refused.png', fullPage: true });
    expect(await deploymentsMatching(tenant.id, '')).toHaveLength(0);

    await page.getByLabel('Country').selectOption('DE');
    await page.getByRole('button', { name: 'Create deployment' }).click();

    await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
    const matching = await deploymentsMatching(tenant.id, '');
    expect(matching).toHaveLength(1);
    const [created] = matching;
    await expect(page).toHaveURL(new RegExp(`/deployments/${created.id}$`));
    expect(created).toMatchObject({ environment: 'PRODUCTION', country: 'DE', hosting: 'ON_PREMISES', connectivity: 'CONNECTED' });

    const audit = page.getByRole('table', { name: `Audit events of ${name}` });
    const event = audit.locator('tr[data-audit-action="deployment.created"]');
    await expect(event).toHaveCount(1);
    await expect(event).toContainText(admin.email);

    await page.goto(`/deployments?q=${name}`);
    await expect(page.getByRole('table', { name: 'Deployments' })).toContainText(name);
  });

  test('a tenant admin creates one for their own tenant, with no tenant to choose', async ({ page, signIn }) => {
    const tenant = await makeTenant();
    await signIn(await makeUser({ role: 'TENANT_ADMIN', tenantId: tenant.id }));
    const name = `vie-${uniqueSuffix()}`;

    await page.goto('/deployments');
    await page.getByRole('link', { name: 'New deployment' }).click();
    // The list page has a "Name" search field too: wait for the form before filling it.
    await expect(page.getByRole('heading', { level: 1, name: 'New deployment' })).toBeVisible();
    await expect(page.getByLabel('Tenant')).toHaveCount(0);
    await page.getByLabel('Name').fill(name);
    await page.getByLabel('Environment').selectOption('AIRGAPPED');
    await page.getByLabel('Country').selectOption('AT');
    await page.getByLabel('Hosting').selectOption('SOVEREIGN_CLOUD');
    await page.getByRole('button', { name: 'Create deployment' }).click();

    await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
    const [created] = await deploymentsMatching(tenant.id, name);
    expect(created).toMatchObject({ tenantId: tenant.id, country: 'AT', connectivity: 'AIRGAPPED' });
    await expect(page).toHaveURL(new RegExp(`/deployments/${created.id}$`));
  });

  test('a tenant viewer sees no "New deployment" button and cannot use the form', async ({ page, signIn }) => {
    const tenant = await makeTenant();
    await signIn(await makeUser({ role: 'TENANT_VIEWER', tenantId: tenant.id }));

    await page.goto('/deployments');
    await expect(page.getByRole('heading', { level: 1, name: 'Deployments' })).toBeVisible();
    await expect(page.getByRole('link', { name: 'New deployment' })).toHaveCount(0);

    await page.goto('/deployments/new');
    await expect(page.getByText('Your role does not include creating deployments.')).toBeVisible();
    await expect(page.getByRole('button', { name: 'Create deployment' })).toHaveCount(0);
  });
});
