import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { db } from '@/lib/core/db';
import { bootstrap } from '@/lib/runtime/bootstrap';
import { listPublicKeys } from '@/lib/modules/signing-keys/service';
import { makeContract, makeDeployment, makeModelVersion, makeTenant, randomLei } from '@/lib/testing/factories';

// `charter bundle issue | verify`, `charter dora export` as an operator runs them: real processes,
// real exit codes. `bundle verify` runs with no database at all.

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const CLI = path.join(root, 'lib', 'cli', 'charter.mjs');

type Run = { code: number | null; stdout: string; stderr: string };

function charter(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: root, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end();
  });
}

/** No database: an air-gapped site verifying a bundle it carried in. */
const offline = { ...process.env, DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' };

// Each test runs several `charter` processes, each compiling the CLI first: seconds apiece on a
// busy 2-core machine, so these get more time than the default.
describe('charter bundle and dora', { timeout: 180_000 }, () => {
  let dir: string;
  let tenant: Awaited<ReturnType<typeof makeTenant>>;
  let deployment: Awaited<ReturnType<typeof makeDeployment>>;

  beforeAll(async () => {
    await bootstrap();
    dir = await mkdtemp(path.join(tmpdir(), 'charter-bundle-cli-'));
    tenant = await makeTenant({ lei: randomLei() });
    const v = await makeModelVersion();
    await makeContract(tenant.id, { familyIds: [v.familyId], validUntil: new Date(Date.UTC(2030, 0, 1)), graceDays: 30 });
    deployment = await makeDeployment(tenant);
  });

  it('issues a bundle to a file and verifies it offline: valid, grace, expired, not_yet_valid, bad_signature, unknown_key', async () => {
    const file = path.join(dir, 'bundle.json');
    const issued = await charter(['bundle', 'issue', '--tenant', tenant.slug, '--deployment', deployment.name, '--out', file]);
    expect(issued.code, issued.stderr).toBe(0);
    expect(issued.stderr).toMatch(new RegExp(`issued bundle for deployment ${deployment.name} of ${tenant.legalName}`));
    const bundle = JSON.parse(await readFile(file, 'utf8')) as { kid: string };
    const key = (await listPublicKeys()).find((k) => k.kid === bundle.kid)?.publicKey as string;

    const verify = (...args: string[]) => charter(['bundle', 'verify', file, '--key', key, ...args], offline);
    const valid = await verify();
    expect(valid.code, valid.stderr).toBe(0);
    expect(valid.stdout).toMatch(/^valid: Signed by key [0-9a-f]{16}; contract .* is valid until 2030-01-01T00:00:00.000Z\.\n$/);
    expect((await verify('--at', '2030-01-20T00:00:00Z')).stdout).toMatch(/^grace: /);
    expect((await verify('--at', '2030-01-20T00:00:00Z')).code).toBe(3);
    expect((await verify('--at', '2031-01-01T00:00:00Z')).code).toBe(4);
    expect((await verify('--at', '2020-01-01T00:00:00Z')).stdout).toMatch(/^not_yet_valid: /);

    const tampered = path.join(dir, 'tampered.json');
    await writeFile(tampered, (await readFile(file, 'utf8')).replace('"graceDays": 30', '"graceDays": 31'));
    const bad = await charter(['bundle', 'verify', tampered, '--key', key], offline);
    expect(bad.stdout).toMatch(/^bad_signature: /);
    expect(bad.code).toBe(6);

    const other = generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' }).x as string;
    const unknown = await charter(['bundle', 'verify', file, '--key', other], offline);
    expect([unknown.code, unknown.stdout.split(':')[0]]).toEqual([7, 'unknown_key']);
    const none = await charter(['bundle', 'verify', file], offline);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('--key');
  });

  it('signing-key rotate: a new active key, the old one retired but still published, its bundles still valid', async () => {
    const file = path.join(dir, 'before-rotation.json');
    expect((await charter(['bundle', 'issue', '--tenant', tenant.slug, '--deployment', deployment.name, '--out', file])).code).toBe(0);
    const old = (JSON.parse(await readFile(file, 'utf8')) as { kid: string }).kid;
    const run = await charter(['signing-key', 'rotate']);
    expect(run.code, run.stderr).toBe(0);
    const [kid] = run.stdout.trim().split(' ');
    expect(kid).not.toBe(old);
    const keys = await listPublicKeys();
    expect(keys.find((k) => k.kid === old)?.status).toBe('RETIRED');
    expect(keys.find((k) => k.kid === kid)?.status).toBe('ACTIVE');
    const keysFile = path.join(dir, 'keys.json');
    await writeFile(keysFile, JSON.stringify({ keys }));
    const verified = await charter(['bundle', 'verify', file, '--keys', keysFile], offline);
    expect(verified.code, verified.stdout).toBe(0);
  });

  it('refuses to issue for a deployment outside the contract countries, with the reason', async () => {
    const outside = await makeDeployment(tenant, { country: 'FR' });
    const run = await charter(['bundle', 'issue', '--tenant', tenant.slug, '--deployment', outside.name]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/refused \(residency_violation\): Deployment .* is in FR, outside the data-processing countries/);
  });

  it('exports the DORA register as CSV files with the template column codes', async () => {
    const out = path.join(dir, 'dora');
    const run = await charter(['dora', 'export', '--tenant', tenant.slug, '--out', out, '--entity-type', 'eba_CT:x12']);
    expect(run.code, run.stderr).toBe(0);
    expect((await readdir(out)).sort()).toEqual(['b_01.01.csv', 'b_02.01.csv', 'b_02.02.csv', 'b_03.01.csv', 'b_03.02.csv', 'b_04.01.csv', 'b_05.01.csv', 'b_07.01.csv']);
    expect((await readFile(path.join(out, 'b_01.01.csv'), 'utf8')).split('\r\n')[0]).toBe('c0010,c0020,c0030,c0040,c0050,c0060');
    expect(run.stderr).toContain('empty B_01.01.0050');
    expect(await db.auditEvent.count({ where: { tenantId: tenant.id, action: 'dora.register_exported' } })).toBe(1);
  });
});
