import { type APIRequestContext, test as base, expect } from '@playwright/test';
import { type TestUser, makeUser } from './factories';

/**
 * Signs in through next-auth's own endpoints (CSRF token, then the credentials callback), with the
 * request context of the page, so that the browser context receives the session cookie.
 */
export async function signInViaApi(request: APIRequestContext, user: Pick<TestUser, 'email' | 'password'>): Promise<void> {
  const csrf = await request.get('/api/auth/csrf');
  expect(csrf.ok()).toBe(true);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const res = await request.post('/api/auth/callback/credentials', {
    form: { csrfToken, email: user.email, password: user.password, callbackUrl: '/', json: 'true' },
  });
  expect(res.status(), `sign-in of ${user.email}`).toBe(200);
}

type Fixtures = {
  /** A fresh platform ADMIN for this test only. */
  admin: TestUser;
  /** Signs the page's browser context in as the given user. */
  signIn: (user: TestUser) => Promise<void>;
};

type WorkerFixtures = { database: undefined };

export const test = base.extend<Fixtures, WorkerFixtures>({
  // Each worker opens the app's Prisma pool on first use (factories); close it when the worker ends.
  database: [
    async ({}, use) => {
      await use(undefined);
      const { db } = await import('@/lib/core/db');
      await db.$disconnect();
    },
    { scope: 'worker', auto: true },
  ],
  admin: async ({}, use) => {
    await use(await makeUser({ role: 'ADMIN' }));
  },
  signIn: async ({ page }, use) => {
    await use(async (user) => signInViaApi(page.request, user));
  },
});

export { expect };
