import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { chromium } from '@playwright/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { chromiumLaunchOptions, CHROMIUM_ARGS, findBrowser, findSystemBrowser, prepareBrowser, prepareNpmBrowser, systemBrowserCandidates } from './browser';
import { CliError } from './cli-error';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'charter-browser-test-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function program(file: string, body = '#!/bin/sh\necho "Chromium 1.2.3"\n', mode = 0o755): Promise<string> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, body);
  await chmod(file, mode);
  return file;
}

describe('the system browser', () => {
  it('looks on PATH first, then in the usual directories, Chromium before Chrome', () => {
    const candidates = systemBrowserCandidates({ env: { PATH: '/a:/b' }, platform: 'linux' });
    expect(candidates.slice(0, 3)).toEqual(['/a/chromium', '/b/chromium', '/usr/bin/chromium']);
    expect(candidates).toContain('/usr/bin/chromium-browser');
    expect(candidates.indexOf('/usr/bin/chromium')).toBeLessThan(candidates.indexOf('/usr/bin/google-chrome'));
  });

  it('knows the macOS applications', () => {
    const candidates = systemBrowserCandidates({ env: { HOME: '/Users/x' }, platform: 'darwin' });
    expect(candidates).toContain('/Applications/Google Chrome.app/Contents/MacOS/Google Chrome');
    expect(candidates).toContain('/Users/x/Applications/Chromium.app/Contents/MacOS/Chromium');
  });

  it('takes an executable, not a plain file, and not the snap wrapper', async () => {
    const plain = path.join(root, 'plain');
    const snap = path.join(root, 'snap');
    const real = path.join(root, 'real');
    await program(path.join(plain, 'chromium'), 'not a program', 0o644);
    await program(path.join(snap, 'chromium'), '#!/bin/sh\nexec /snap/bin/chromium "$@"\n');
    const expected = await program(path.join(real, 'chromium'));
    const PATH = [plain, snap, real].join(path.delimiter);
    expect(findSystemBrowser({ env: { PATH }, platform: 'linux' })).toBe(expected);
  });
});

describe('CHARTER_CHROMIUM_PATH', () => {
  it('wins over everything, in the launch options too', async () => {
    const file = await program(path.join(root, 'configured', 'my-chrome'));
    const env = { PATH: '', CHARTER_CHROMIUM_PATH: file };
    expect(findBrowser({ env })).toEqual({ executablePath: file, source: 'CHARTER_CHROMIUM_PATH', env: {} });
    expect(chromiumLaunchOptions(env)).toEqual({ executablePath: file, args: CHROMIUM_ARGS });
    const lines: string[] = [];
    await prepareBrowser({ env, log: (line) => lines.push(line) });
    expect(lines).toEqual([`Browser: CHARTER_CHROMIUM_PATH, ${file} (Chromium 1.2.3)`]);
  });

  it('is refused, with its value, when it is not an executable', async () => {
    const env = { CHARTER_CHROMIUM_PATH: path.join(root, 'missing') };
    await expect(prepareBrowser({ env, log: () => {} })).rejects.toThrow(CliError);
    await expect(prepareBrowser({ env, log: () => {} })).rejects.toThrow(/CHARTER_CHROMIUM_PATH=.*missing is not an executable/);
  });
});

// The browser of a machine without one: CI has Debian's, so this is the only place CI runs it.
describe.skipIf(process.platform !== 'linux' || process.arch !== 'x64')('the npm Chromium', () => {
  it('unpacks once and renders text with the launch options Playwright gets', { timeout: 180_000 }, async () => {
    const env = { ...process.env, TMPDIR: path.join(root, 'tmp') };
    await mkdir(env.TMPDIR, { recursive: true });
    const lines: string[] = [];
    const browser = await prepareNpmBrowser({ env, log: (line) => lines.push(line) });
    expect(browser?.executablePath).toMatch(/charter-chromium-153\.0\.0-\d+\/chromium$/);
    expect(lines[0]).toMatch(/^Unpacking Chromium from @sparticuz\/chromium 153\.0\.0/);
    // Second time: already there, nothing unpacked.
    const again: string[] = [];
    expect(await prepareNpmBrowser({ env, log: (line) => again.push(line) })).toEqual(browser);
    expect(again).toEqual([]);

    const launched = await chromium.launch({
      executablePath: browser?.executablePath,
      args: CHROMIUM_ARGS,
      env: { ...Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined)), ...browser?.env },
    });
    try {
      // Two contexts, one closed before the next: what the serverless `--single-process` flag breaks.
      for (const label of ['first', 'second']) {
        const context = await launched.newContext();
        const page = await context.newPage();
        await page.setContent(`<button onclick="this.textContent = 'clicked'">${label}</button><span>${label}</span>`);
        await page.click('button');
        expect(await page.textContent('button')).toBe('clicked');
        // Text without a font has no width (and a button of bare text nothing to click).
        const width = await page.evaluate(() => document.querySelector('span')?.getBoundingClientRect().width ?? 0);
        expect(width).toBeGreaterThan(0);
        await context.close();
      }
    } finally {
      await launched.close();
    }
  });
});
