import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { db } from '@/lib/core/db';
import { makeContract, makeTenant } from '@/lib/testing/factories';

// `charter maintenance` as cron runs it: a real process, a real exit code, one line.

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const CLI = path.join(root, 'lib', 'cli', 'charter.mjs');

function charter(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: root, env: process.env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end();
  });
}

// Each test runs several `charter` processes, each compiling the CLI first: seconds apiece on a
// busy 2-core machine, so these get more time than the default.
describe('charter maintenance', { timeout: 180_000 }, () => {
  it('runs one round (here confined to one tenant) and says what it did in one line, exit 0', async () => {
    const tenant = await makeTenant();
    const due = await makeContract(tenant.id);
    await db.contract.update({ where: { id: due.id }, data: { validUntil: new Date(Date.now() - 60_000) } });
    let run = await charter(['maintenance', '--chain', tenant.slug]);
    // Another test file's round may hold the lock: that round is then skipped, still exit 0.
    for (let i = 0; i < 20 && run.stdout.startsWith('maintenance skipped'); i++) run = await charter(['maintenance', '--chain', tenant.slug]);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toBe(`maintenance of ${tenant.slug}: 1 contract and 0 approval requests marked expired, 1 chain sealed, next month's partitions ready for 1 chain\n`);
    expect((await db.contract.findUniqueOrThrow({ where: { id: due.id } })).status).toBe('EXPIRED');
  });

  it('refuses an unknown chain with a one-line reason', async () => {
    const run = await charter(['maintenance', '--chain', 'no-such-tenant-here']);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/^charter: .*\n$/);
  });
});
