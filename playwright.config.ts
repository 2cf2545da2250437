import { defineConfig } from '@playwright/test';

import { chromiumLaunchOptions } from './lib/cli/browser';

// Run through `npm test`: it creates the test database, builds the app and passes DATABASE_URL and
// fresh secrets in the environment, which the web server below inherits.
const port = Number(process.env.CHARTER_E2E_PORT ?? 3100);
const baseURL = `http://localhost:${port}`;

export default defineConfig({
  testDir: './e2e',
  outputDir: 'test-results',
  fullyParallel: true,
  forbidOnly: Boolean(process.env.CI),
  // One retry on CI only: a keep-alive socket closed by the server between two requests surfaces
  // as ECONNRESET in the API request context under load. A retried test is reported as flaky.
  retries: process.env.CI ? 1 : 0,
  workers: process.env.CI ? 2 : undefined,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  globalSetup: './e2e/global-setup.ts',
  use: {
    baseURL,
    trace: 'retain-on-failure',
    // Playwright cannot download a browser in an offline network: CHARTER_CHROMIUM_PATH, else a
    // system Chromium or Chrome, else the npm package's Chromium that `npm test` unpacked.
    launchOptions: chromiumLaunchOptions(),
  },
  projects: [
    { name: 'api', testMatch: 'api/**/*.spec.ts' },
    { name: 'ui', testMatch: 'ui/**/*.spec.ts', use: { browserName: 'chromium' } },
  ],
  webServer: {
    // Charter's production server, as `npm start` runs it: /api/v1 on its own handler, pages on Next.js.
    command: `node lib/cli/charter.mjs serve --port ${port}`,
    url: `${baseURL}/api/health`,
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: 'pipe',
    stderr: 'pipe',
    env: { NEXTAUTH_URL: baseURL, NEXT_TELEMETRY_DISABLED: '1', PORT: String(port) },
  },
});
