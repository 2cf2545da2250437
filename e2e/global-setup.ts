/**
 * Runs once before the specs, in the Playwright process, with the test database's DATABASE_URL
 * and secrets from `npm test`. It may create users and data through lib/services (the same code
 * the app runs), e.g. to write signed-in storage states for the `ui` project.
 */
export default async function globalSetup(): Promise<void> {
  if (!process.env.DATABASE_URL) {
    throw new Error('Playwright needs the test database: run it through `npm test` (or `npm test -- --e2e`).');
  }
  const { bootstrap } = await import('@/lib/runtime/bootstrap');
  await bootstrap();
  const { db } = await import('@/lib/core/db');
  await db.$disconnect();
}
