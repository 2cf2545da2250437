/**
 * `npm test` = `charter dev test`: lint (ESLint, then Prettier's check; a violation stops the run
 * before anything else starts), a dedicated test database, migrations, a type check, Vitest
 * (unit and integration), a production build, Playwright (api and ui projects), then one summary
 * line `N passed, M failed` (a failed type check or build counts as one failure); exits non-zero
 * if anything failed.
 *
 * Test database: with DATABASE_URL set (CI), database `charter_test` is dropped and re-created on
 * that server; otherwise an embedded PostgreSQL of its own (.data/test-pg, port 54330, relaxed
 * durability) holds it. Tests never wipe tables: each creates its own tenant and users.
 *
 * Browser: see ./browser.ts (CHARTER_CHROMIUM_PATH, a system Chromium, or the npm package's).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

import { nextEnv } from '@/lib/runtime/next-process';

import { CliError, oneLine } from './cli-error';
import { parsePort, redactUrl } from './database';
import { migrateDeploy } from '@/lib/runtime/migrations/engine';
import { parseDatabaseUrl, quoteIdent, withClient } from '@/lib/runtime/migrations/connection';
import { prepareBrowser } from './browser';
import { acquireCluster } from './embedded-postgres';
import { withFileLock } from './file-lock';
import { onCleanup } from './lifecycle';
import { ensureBuilt } from './next-app';
import { dataDir, projectRoot } from './paths';

/** Recreated on every run; CHARTER_TEST_DATABASE lets two runs share one server without clashing. */
function testDatabaseName(): string {
  const name = process.env.CHARTER_TEST_DATABASE ?? 'charter_test';
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new CliError(`CHARTER_TEST_DATABASE must be a plain lower-case name (got "${name}")`);
  return name;
}
export const DEFAULT_TEST_PG_PORT = 54330;
export const DEFAULT_E2E_PORT = 3100;

export type TestRunOptions = {
  /** ESLint and `prettier --check` over the whole project, first; a violation ends the run. */
  lint: boolean;
  /** tsc over the whole project (Next.js builds skip it, see next.config.ts). */
  typecheck: boolean;
  unit: boolean;
  e2e: boolean;
  /** Extra arguments for the one runner selected (a file filter, -t …). */
  extraArgs: string[];
};

type Counts = { passed: number; failed: number; skipped: number; note?: string };

const log = (message: string) => process.stdout.write(`${message}\n`);

/** Drops and re-creates the test database, on DATABASE_URL's server or on the embedded test cluster. */
async function prepareTestDatabase(): Promise<{ url: string; description: string }> {
  const TEST_DATABASE = testDatabaseName();
  const configured = process.env.DATABASE_URL;
  if (configured) {
    const settings = parseDatabaseUrl(configured);
    const admin = settings.database === TEST_DATABASE ? settings.forDatabase('postgres') : settings;
    await withClient(admin, async (client) => {
      await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(TEST_DATABASE)} WITH (FORCE)`);
      await client.query(`CREATE DATABASE ${quoteIdent(TEST_DATABASE)}`);
    });
    const url = new URL(configured);
    url.pathname = `/${TEST_DATABASE}`;
    return { url: url.href, description: redactUrl(url.href) };
  }
  const port = parsePort(process.env.CHARTER_TEST_PG_PORT, DEFAULT_TEST_PG_PORT, 'CHARTER_TEST_PG_PORT');
  const cluster = await acquireCluster({
    dataDir: path.join(dataDir, 'test-pg'),
    port,
    passwordSecret: 'testPostgresPassword',
    // Throw-away data: durability traded for speed.
    settings: { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off', max_connections: '300' },
    log,
    announceStop: true,
  });
  onCleanup(() => cluster.release());
  await cluster.recreateDatabase(TEST_DATABASE);
  return { url: cluster.url(TEST_DATABASE), description: `embedded PostgreSQL on 127.0.0.1:${cluster.port}, database "${TEST_DATABASE}"` };
}

function runNode(script: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { cwd: projectRoot, env, stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve(signal ? 128 : (code ?? 1)));
  });
}

/** The file of a package's `bin` entry (bins are not always in the package's `exports`). */
function packageBin(name: string, bin: string): string {
  const manifestPath = createRequire(path.join(projectRoot, 'package.json')).resolve(`${name}/package.json`);
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { bin: string | Record<string, string> };
  const relative = typeof manifest.bin === 'string' ? manifest.bin : manifest.bin[bin];
  if (!relative) throw new CliError(`package ${name} has no "${bin}" command`);
  return path.join(path.dirname(manifestPath), relative);
}

async function readJson<T>(file: string): Promise<T | null> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch {
    return null;
  }
}

type VitestJson = { numPassedTests: number; numFailedTests: number; numPendingTests: number; numTodoTests: number };

async function runVitest(env: NodeJS.ProcessEnv, outDir: string, extraArgs: string[]): Promise<Counts> {
  const report = path.join(outDir, 'vitest.json');
  const code = await runNode(packageBin('vitest', 'vitest'), ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...extraArgs], env);
  const json = await readJson<VitestJson>(report);
  const counts: Counts = {
    passed: json?.numPassedTests ?? 0,
    failed: json?.numFailedTests ?? 0,
    skipped: (json?.numPendingTests ?? 0) + (json?.numTodoTests ?? 0),
  };
  // A non-zero exit without a failed test: unhandled errors, a file that failed to load, no tests.
  if (code !== 0 && counts.failed === 0) {
    counts.failed = 1;
    counts.note = `vitest exited with code ${code} (errors outside tests, see above)`;
  }
  return counts;
}

type PlaywrightJson = { stats?: { expected: number; unexpected: number; flaky: number; skipped: number }; errors?: { message?: string }[] };

async function runPlaywright(env: NodeJS.ProcessEnv, outDir: string, extraArgs: string[]): Promise<Counts> {
  const report = path.join(outDir, 'playwright.json');
  const code = await runNode(packageBin('@playwright/test', 'playwright'), ['test', '--reporter=list,json', ...extraArgs], {
    ...env,
    PLAYWRIGHT_JSON_OUTPUT_NAME: report,
  });
  const json = await readJson<PlaywrightJson>(report);
  const stats = json?.stats;
  const counts: Counts = {
    passed: (stats?.expected ?? 0) + (stats?.flaky ?? 0),
    failed: stats?.unexpected ?? 0,
    skipped: stats?.skipped ?? 0,
  };
  if (code !== 0 && counts.failed === 0) {
    counts.failed = 1;
    const first = json?.errors?.[0]?.message;
    // eslint-disable-next-line no-control-regex -- strips ANSI colour codes, which start with the ESC control character
    counts.note = `playwright exited with code ${code}${first ? `: ${oneLine(first.replace(/\u001b\[[0-9;]*m/g, ''))}` : ''}`;
  }
  return counts;
}

/** `next typegen` (route types under .next/types) then `tsc --noEmit` over the whole project. */
async function runTypecheck(env: NodeJS.ProcessEnv): Promise<Counts> {
  const typegen = await runNode(packageBin('next', 'next'), ['typegen'], env);
  if (typegen !== 0) return { passed: 0, failed: 1, skipped: 0, note: `next typegen exited with code ${typegen}` };
  const tsc = await runNode(packageBin('typescript', 'tsc'), ['--noEmit', '-p', path.join(projectRoot, 'tsconfig.json')], env);
  if (tsc !== 0) return { passed: 0, failed: 1, skipped: 0, note: 'type errors (see above)' };
  return { passed: 0, failed: 0, skipped: 0 };
}

/** `eslint .` then `prettier --check .`: the style and the layer and cycle rules (eslint.config.mjs). */
async function runLint(env: NodeJS.ProcessEnv): Promise<Counts> {
  const eslint = await runNode(packageBin('eslint', 'eslint'), ['--max-warnings=0', '.'], env);
  const prettier = await runNode(packageBin('prettier', 'prettier'), ['--check', '--log-level=warn', '.'], env);
  if (eslint !== 0 || prettier !== 0) {
    const failed = [eslint !== 0 && 'eslint (npm run lint)', prettier !== 0 && 'prettier (npm run format)'].filter(Boolean).join(' and ');
    return { passed: 0, failed: 1, skipped: 0, note: `${failed} found violations (see above)` };
  }
  return { passed: 0, failed: 0, skipped: 0 };
}

const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

/**
 * One run at a time per checkout: two runs would re-create each other's test database (with
 * different secrets) and compete for the end-to-end port.
 */
export function runTests(options: TestRunOptions): Promise<number> {
  return withFileLock(path.join(dataDir, 'test-run.lock'), () => runTestsLocked(options), {
    timeoutMs: 60 * 60_000,
    onWait: (holder) => log(`Waiting for another test run (process ${holder}) to finish …`),
  });
}

/** Prints one line per phase and the closing `N passed, M failed`; returns the exit code. */
function summarise(results: [string, Counts, string][], started: number): number {
  const passed = results.reduce((sum, [, c]) => sum + c.passed, 0);
  const failed = results.reduce((sum, [, c]) => sum + c.failed, 0);
  log('');
  for (const [name, c, took] of results) {
    const counts = name === 'typecheck' || name === 'lint' ? (c.failed ? 'failed' : 'ok') : `${c.passed} passed, ${c.failed} failed${c.skipped ? `, ${c.skipped} skipped` : ''}`;
    log(`${name}: ${counts} (${took})${c.note ? ` — ${c.note}` : ''}`);
  }
  log(`total time ${seconds(started)}`);
  log(`${passed} passed, ${failed} failed`);
  return failed > 0 ? 1 : 0;
}

async function runTestsLocked(options: TestRunOptions): Promise<number> {
  const started = Date.now();
  const results: [string, Counts, string][] = [];
  if (options.lint) {
    const phase = Date.now();
    log('Linting …');
    results.push(['lint', await runLint(nextEnv({})), seconds(phase)]);
    // Lint first and alone: a style or layer violation is reported within a minute, not after the suite.
    if ((results[0]?.[1].failed ?? 0) > 0) return summarise(results, started);
  }
  const database = await prepareTestDatabase();
  log(`Test database: ${database.description}`);
  await migrateDeploy({ databaseUrl: database.url, reporter: { info: log, warn: (m) => process.stderr.write(`${m}\n`) } });

  const e2ePort = parsePort(process.env.CHARTER_E2E_PORT, DEFAULT_E2E_PORT, 'CHARTER_E2E_PORT');
  // Fresh secrets per run: the test database is fresh too, and the same values reach Vitest,
  // Playwright's global setup and the web server, so all of them can read what the others wrote.
  const testEnv: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: database.url,
    NEXTAUTH_SECRET: randomBytes(32).toString('base64url'),
    CHARTER_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    NEXTAUTH_URL: `http://localhost:${e2ePort}`,
    CHARTER_E2E_PORT: String(e2ePort),
    CHARTER_LOG_LEVEL: process.env.CHARTER_LOG_LEVEL ?? 'warn',
    NEXT_TELEMETRY_DISABLED: '1',
  };

  const outDir = await mkdtemp(path.join(os.tmpdir(), 'charter-test-'));
  onCleanup(() => rm(outDir, { recursive: true, force: true }));

  if (options.typecheck) {
    const phase = Date.now();
    log('Type checking …');
    results.push(['typecheck', await runTypecheck(nextEnv({})), seconds(phase)]);
  }
  if (options.unit) {
    const phase = Date.now();
    // Several workers each open a pool: keep them small so that max_connections is not reached.
    const vitestEnv = { ...testEnv, CHARTER_DB_POOL_SIZE: process.env.CHARTER_DB_POOL_SIZE ?? '4' };
    results.push(['vitest', await runVitest(vitestEnv, outDir, options.e2e ? [] : options.extraArgs), seconds(phase)]);
  }
  if (options.e2e) {
    const phase = Date.now();
    try {
      await ensureBuilt({ log });
      try {
        await prepareBrowser({ log });
      } catch (error) {
        // The api project needs no browser: let Playwright run, the ui tests then fail on their own.
        if (!(error instanceof CliError)) throw error;
        log(`Browser: none — ${error.message}`);
      }
      results.push(['playwright', await runPlaywright(nextEnv(testEnv), outDir, options.unit ? [] : options.extraArgs), seconds(phase)]);
    } catch (error) {
      // No build, no end-to-end tests: counted as one failure so that the summary still comes out.
      results.push(['playwright', { passed: 0, failed: 1, skipped: 0, note: `not run: ${oneLine(error)}` }, seconds(phase)]);
    }
  }

  if (results.length === 0) throw new CliError('nothing to run');
  return summarise(results, started);
}
