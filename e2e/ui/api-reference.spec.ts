import { expect, test } from '../fixtures';

test('the API reference renders the generated document offline, grouped by tag', async ({ page, admin, signIn }) => {
  const external: string[] = [];
  page.on('request', (r) => {
    const url = new URL(r.url());
    if (url.hostname !== 'localhost' && url.protocol !== 'data:') external.push(r.url());
  });
  await signIn(admin);
  await page.goto('/');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'API reference' }).click();
  await expect(page).toHaveURL(/\/api-reference$/);
  await expect(page.getByRole('heading', { level: 1, name: 'API reference' })).toBeVisible();
  await expect(page.getByRole('heading', { level: 2, name: 'Tenants' })).toBeVisible();
  const list = page.locator('#op-getTenants');
  await expect(list.getByText('scope tenants:read')).toBeVisible();
  await expect(list.getByRole('cell', { name: 'cursor', exact: true })).toBeVisible();
  await expect(page.locator('#op-postTenants').getByText('Idempotency-Key', { exact: true })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Download openapi.json' })).toHaveAttribute('href', '/api/v1/openapi.json');
  expect(external).toEqual([]);
});
