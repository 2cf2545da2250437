import { makeTenant, makeUser } from '../factories';
import { expect, test } from '../fixtures';

const UNIFORM_FAILURE = 'Email or password is incorrect, or the account is locked.';

test.describe('sign-in', () => {
  test('signs in with email and password and shows who is signed in', async ({ page, admin }) => {
    await page.goto('/tenants');
    await expect(page).toHaveURL(/\/sign-in$/);

    await page.getByLabel('Email').fill(admin.email);
    await page.getByLabel('Password').fill(admin.password);
    await page.getByRole('button', { name: 'Sign in' }).click();

    await expect(page).toHaveURL(/\/$/);
    await expect(page.getByRole('heading', { level: 1, name: 'Overview' })).toBeVisible();
    await expect(page.getByTestId('current-user')).toHaveText(admin.email);
    await expect(page.getByTestId('current-role')).toHaveText('Administrator');
    await expect(page.getByTestId('current-scope')).toHaveText('Platform');
  });

  test('a failed sign-in shows one uniform message, whatever the reason', async ({ page, admin }) => {
    await page.goto('/sign-in');
    // A wrong password for a real account…
    await page.getByLabel('Email').fill(admin.email);
    await page.getByLabel('Password').fill('not-the-right-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByText(UNIFORM_FAILURE)).toBeVisible();
    await expect(page).toHaveURL(/\/sign-in/);

    // …and an unknown email read exactly the same.
    await page.reload();
    await page.getByLabel('Email').fill(`nobody-${Date.now()}@charter.test`);
    await page.getByLabel('Password').fill('whatever-password-1');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByText(UNIFORM_FAILURE)).toBeVisible();
    await expect(page.getByTestId('current-user')).toHaveCount(0);
  });

  test('follows a same-origin callbackUrl and ignores a foreign one', async ({ page, admin }) => {
    await page.goto('/sign-in?callbackUrl=%2Ftenants');
    await page.getByLabel('Email').fill(admin.email);
    await page.getByLabel('Password').fill(admin.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page).toHaveURL(/\/tenants$/);

    // Signed in already: the sign-in page sends the user on, and never off-site.
    await page.goto('/sign-in?callbackUrl=%2F%2Fevil.example%2F');
    await expect(page).toHaveURL(/^http:\/\/[^/]+\/$/);
  });

  test('sign-out revokes the session: the old cookie is refused afterwards', async ({ page, context, admin, signIn }) => {
    await signIn(admin);
    await page.goto('/');
    await expect(page.getByTestId('current-user')).toHaveText(admin.email);
    const saved = await context.cookies();
    expect(saved.some((c) => c.name.endsWith('charter.session'))).toBe(true);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page).toHaveURL(/\/sign-in$/);

    // Put the copied cookie back: the server-side session is revoked, so it opens nothing.
    await context.addCookies(saved);
    await page.goto('/tenants');
    await expect(page).toHaveURL(/\/sign-in$/);
    const api = await page.request.get('/api/v1/tenants');
    expect(api.status()).toBe(401);
    expect(api.headers()['content-type']).toContain('application/problem+json');
  });

  test('a tenant-scoped user sees their role and tenant in the top bar', async ({ page, signIn }) => {
    const tenant = await makeTenant();
    const viewer = await makeUser({ role: 'TENANT_VIEWER', tenantId: tenant.id });
    await signIn(viewer);
    await page.goto('/');
    await expect(page.getByTestId('current-role')).toHaveText('Tenant viewer');
    await expect(page.getByTestId('current-scope')).toHaveText(tenant.legalName);
  });
});
