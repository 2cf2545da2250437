import { systemCtx } from '@/lib/access/system';
import { listTenants } from '@/lib/modules/tenants/service';
import { invalidLei, makeTenant, makeUser, uniqueSuffix, validLei } from '../factories';
import { expect, test } from '../fixtures';

/** Tenants whose slug or name contains `q`, straight from the service (what the database holds). */
async function tenantsMatching(q: string) {
  return (await listTenants(systemCtx('e2e'), { q, limit: 50, includeArchived: true })).data;
}

test.describe('tenants', () => {
  test('create (refusing a bad LEI), edit, and see both in the audit trail', async ({ page, admin, signIn }) => {
    await signIn(admin);
    const suffix = uniqueSuffix();
    const slug = `acme-${suffix}`;
    const name = `Acme Sovereign Bank ${suffix}`;

    await page.goto('/tenants');
    await page.getByRole('link', { name: 'New tenant' }).click();
    await expect(page).toHaveURL(/\/tenants\/new$/);

    await page.getByLabel('Legal name').fill(name);
    await page.getByLabel('Slug').fill(slug);
    await page.getByLabel('LEI').fill(invalidLei());
    await page.getByLabel('Sector').selectOption('FINANCE');
    await page.getByLabel('Sensitivity').selectOption('SECRET');
    await page.getByLabel('Home country').selectOption('DE'); // also pre-selects DE as an allowed country
    await page.getByLabel('Filter countries').fill('austria');
    await page.getByRole('checkbox', { name: /Austria/ }).check();
    await page.getByRole('button', { name: 'Create tenant' }).click();

    // The server refuses it: a message next to the LEI field, the input kept, nothing created.
    await expect(page.locator('#lei-error')).toContainText('valid ISO 17442 LEI');
    await expect(page.getByLabel('LEI')).toHaveAttribute('aria-invalid', 'true');
    await expect(page.getByLabel('Legal name')).toHaveValue(name);
    await expect(page.getByRole('button', { name: 'Remove Austria' })).toBeVisible();
    await expect(page).toHaveURL(/\/tenants\/new$/);
    expect(await tenantsMatching(suffix)).toHaveLength(0);

    const lei = validLei();
    await page.getByLabel('LEI').fill(lei);
    await page.getByRole('button', { name: 'Create tenant' }).click();

    await expect(page).toHaveURL(new RegExp(`/tenants/${slug}$`));
    await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
    const details = page.getByRole('region', { name: 'Details' });
    await expect(details).toContainText(lei);
    await expect(details).toContainText('Secret');
    await expect(details.getByRole('list', { name: 'Allowed countries' })).toContainText('Austria');
    await expect(details.getByRole('list', { name: 'Allowed countries' })).toContainText('Germany');
    expect(await tenantsMatching(suffix)).toHaveLength(1);

    // Edit: a new legal name, one more country.
    await page.getByRole('link', { name: 'Edit' }).click();
    await expect(page).toHaveURL(new RegExp(`/tenants/${slug}/edit$`));
    const renamed = `${name} Renamed`;
    await page.getByLabel('Legal name').fill(renamed);
    await page.getByLabel('Filter countries').fill('FR');
    await page.getByRole('checkbox', { name: /France/ }).check();
    await page.getByRole('button', { name: 'Save changes' }).click();

    await expect(page).toHaveURL(new RegExp(`/tenants/${slug}$`));
    await expect(page.getByRole('heading', { level: 1, name: renamed })).toBeVisible();
    await expect(details.getByRole('list', { name: 'Allowed countries' })).toContainText('France');

    // The audit trail on the page: created, then updated with before → after.
    const audit = page.getByRole('table', { name: `Audit events of ${renamed}` });
    const created = audit.locator('tr[data-audit-action="tenant.created"]');
    const updated = audit.locator('tr[data-audit-action="tenant.updated"]');
    await expect(created).toHaveCount(1);
    await expect(created).toContainText(admin.email);
    await expect(updated).toHaveCount(1);
    await expect(updated).toContainText(admin.email);
    await expect(updated.locator('del', { hasText: name })).toHaveCount(1);
    await expect(updated.locator('ins', { hasText: renamed })).toHaveCount(1);
    await expect(updated).toContainText('allowedCountries:');
    await expect(updated.locator('ins')).toContainText(['AT, DE, FR']);
  });

  test('a status change needs a reason and is audited', async ({ page, admin, signIn }) => {
    const tenant = await makeTenant();
    await signIn(admin);
    await page.goto(`/tenants/${tenant.slug}`);
    const status = page.getByRole('region', { name: 'Status' });

    await status.getByRole('button', { name: 'Activate' }).click();
    await expect(status.locator('#status-reason-error')).toHaveText('give a reason of at least 3 characters');

    await status.getByLabel('Reason').fill('Contract signed');
    await status.getByRole('button', { name: 'Activate' }).click();
    await expect(status.getByText('Status changed to Active.')).toBeVisible();
    await expect(page.getByRole('region', { name: 'Details' })).toContainText('Active');
    const event = page.locator('tr[data-audit-action="tenant.status_changed"]');
    await expect(event).toContainText('Contract signed');
    await expect(event.locator('ins')).toContainText(['ACTIVE']);

    await status.getByLabel('Reason').fill('Unpaid invoices');
    await status.getByRole('button', { name: 'Suspend' }).click();
    await expect(status.getByRole('button', { name: 'Reactivate' })).toBeVisible();
  });

  test('offboarding is confirmed, and an offboarded tenant can be archived and leaves the list', async ({ page, admin, signIn }) => {
    const tenant = await makeTenant();
    await signIn(admin);
    await page.goto(`/tenants/${tenant.slug}`);
    const status = page.getByRole('region', { name: 'Status' });

    // Dismissing the confirmation changes nothing.
    page.once('dialog', (dialog) => dialog.dismiss());
    await status.getByLabel('Reason').fill('Contract ended');
    await status.getByRole('button', { name: 'Offboard' }).click();
    await expect(status.getByRole('button', { name: 'Activate' })).toBeVisible();
    await expect(page.getByRole('region', { name: 'Details' })).toContainText('Onboarding');

    // Offboarding is four-eyes: a request that a second administrator approves.
    page.once('dialog', (dialog) => dialog.accept());
    await status.getByRole('button', { name: 'Offboard' }).click();
    await expect(status.getByText('Offboarding requested')).toBeVisible();
    await expect(page.getByRole('region', { name: 'Details' })).toContainText('Onboarding');
    const approver = await makeUser({ role: 'ADMIN' });
    await signIn(approver);
    await page.goto('/approvals?view=inbox');
    await page.getByRole('link', { name: new RegExp(`Offboard tenant ${tenant.legalName}`) }).click();
    await page.getByLabel('Reason for your decision').fill('Exit plan completed');
    await page.getByRole('button', { name: 'Approve' }).click();
    await expect(page.getByText('This request is approved')).toBeVisible();
    await page.goto(`/tenants/${tenant.slug}`);
    await expect(page.getByRole('region', { name: 'Details' })).toContainText('Offboarded');

    page.once('dialog', (dialog) => dialog.accept());
    await status.getByLabel('Reason').fill('Retention period started');
    await status.getByRole('button', { name: 'Archive' }).click();
    await expect(page.getByRole('region', { name: 'Details' })).toContainText('Archived');
    await expect(page.getByRole('link', { name: 'Edit' })).toHaveCount(0);
    await expect(page.locator('tr[data-audit-action="tenant.archived"]')).toContainText('Retention period started');

    await page.goto(`/tenants?q=${tenant.slug}`);
    await expect(page.getByText('No tenant matches these filters.')).toBeVisible();
    await page.getByLabel('Include archived').check();
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect(page.getByRole('table', { name: 'Tenants' })).toContainText(tenant.legalName);
  });

  test('the list searches, filters by status and pages with a cursor', async ({ page, admin, signIn }) => {
    const marker = `pager-${uniqueSuffix()}`;
    // One more than a page (25), all matching one search.
    for (let i = 0; i < 26; i++) {
      await makeTenant({ slug: `${marker}-${String(i).padStart(2, '0')}`, legalName: `Pager ${marker} ${String(i).padStart(2, '0')}` });
    }
    await signIn(admin);
    await page.goto('/tenants');
    await page.getByLabel('Search').fill(marker);
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect(page).toHaveURL(new RegExp(`q=${marker}`));

    const rows = page.getByRole('table', { name: 'Tenants' }).locator('tbody tr');
    await expect(rows).toHaveCount(25);
    await expect(page.getByRole('link', { name: 'First page' })).toHaveCount(0);
    await page.getByRole('link', { name: 'Next page' }).click();
    await expect(page).toHaveURL(/cursor=/);
    expect(page.url()).not.toMatch(/offset|page=/);
    await expect(rows).toHaveCount(1);
    await expect(rows.first()).toContainText(`Pager ${marker} 25`);
    await expect(page.getByRole('link', { name: 'Next page' })).toHaveCount(0);
    await page.getByRole('link', { name: 'First page' }).click();
    await expect(rows).toHaveCount(25);

    // None of them is active: the status filter empties the list.
    await page.getByLabel('Status').selectOption('ACTIVE');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect(page.getByText('No tenant matches these filters.')).toBeVisible();
  });

  test('a tenant-scoped user sees only their own tenant; another tenant answers 404', async ({ page, signIn }) => {
    const own = await makeTenant();
    const other = await makeTenant();
    const tenantAdmin = await makeUser({ role: 'TENANT_ADMIN', tenantId: own.id });
    await signIn(tenantAdmin);

    const response = await page.goto(`/tenants/${other.slug}`);
    expect(response?.status()).toBe(404);
    await expect(page.getByRole('heading', { name: 'Not found' })).toBeVisible();
    await expect(page.getByText(other.legalName)).toHaveCount(0);
    expect((await page.goto(`/tenants/${other.slug}/edit`))?.status()).toBe(404);
    // By id as well as by slug.
    expect((await page.goto(`/tenants/${other.id}`))?.status()).toBe(404);

    expect((await page.goto(`/tenants/${own.slug}`))?.status()).toBe(200);
    await expect(page.getByRole('heading', { level: 1, name: own.legalName })).toBeVisible();

    await page.goto('/tenants');
    const table = page.getByRole('table', { name: 'Tenants' });
    await expect(table.locator('tbody tr')).toHaveCount(1);
    await expect(table).toContainText(own.legalName);
  });

  test('a tenant viewer gets no controls that change anything', async ({ page, signIn }) => {
    const tenant = await makeTenant();
    const viewer = await makeUser({ role: 'TENANT_VIEWER', tenantId: tenant.id });
    await signIn(viewer);

    await page.goto(`/tenants/${tenant.slug}`);
    await expect(page.getByRole('heading', { level: 1, name: tenant.legalName })).toBeVisible();
    await expect(page.getByRole('link', { name: 'Edit' })).toHaveCount(0);
    await expect(page.getByRole('region', { name: 'Status' })).toHaveCount(0);
    // No audit:read for viewers: the audit section is not there at all.
    await expect(page.getByRole('heading', { name: 'Recent audit events' })).toHaveCount(0);

    await page.goto('/tenants');
    await expect(page.getByRole('link', { name: 'New tenant' })).toHaveCount(0);
    await page.goto('/tenants/new');
    await expect(page.getByText('Only platform administrators create tenants.')).toBeVisible();
    await expect(page.getByRole('button', { name: 'Create tenant' })).toHaveCount(0);
  });
});
