import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemCtx } from '@/lib/access/system';
import { verifyExport } from '@/lib/audit/verify';
import { generateSigningKeyPair } from '@/lib/core/crypto/ed25519';
import { exportAuditChain } from '@/lib/modules/audit-trail/export';
import { bootstrap } from '@/lib/runtime/bootstrap';
import { listPublicKeys } from '@/lib/modules/signing-keys/service';
import { updateTenant } from '@/lib/modules/tenants/service';
import { makeTenant } from '@/lib/testing/factories';

// The `charter audit …` commands as an operator runs them: a real process, real exit codes.

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const CLI = path.join(root, 'lib', 'cli', 'charter.mjs');

type Run = { code: number | null; stdout: string; stderr: string };

function charter(args: string[], options: { env?: NodeJS.ProcessEnv; stdin?: string } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: root, env: options.env ?? process.env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.stdin ?? '');
  });
}

// Each test runs several `charter` processes, each compiling the CLI first: seconds apiece on a
// busy 2-core machine, so these get more time than the default.
describe('charter audit verify / export', { timeout: 180_000 }, () => {
  let dir = '';
  let file = '';
  let tenant: Awaited<ReturnType<typeof makeTenant>>;
  let key = '';
  let kid = '';
  let text = '';

  beforeAll(async () => {
    await bootstrap();
    tenant = await makeTenant();
    await updateTenant(systemCtx('test'), tenant.id, { legalName: 'CLI Verify AG' });
    dir = await mkdtemp(path.join(os.tmpdir(), 'charter-audit-'));
    file = path.join(dir, 'export.ndjson');
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    const result = await exportAuditChain({ ctx: systemCtx('test'), chain: tenant.slug, out });
    text = Buffer.concat(chunks).toString('utf8');
    await writeFile(file, text);
    kid = result.checkpoint?.kid as string;
    key = (await listPublicKeys()).find((k) => k.kid === kid)?.publicKey as string;
  });

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('exits 0 with a one-line summary for a valid export and a pinned key', async () => {
    const run = await charter(['audit', 'verify', file, '--key', key]);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toBe(`valid: chain ${tenant.id} seq 1..3, 3 events, checkpoint signed by kid ${kid}\n`);
  });

  it('warns when no key is pinned, and reads stdin for "-"', async () => {
    const run = await charter(['audit', 'verify', '-'], { stdin: text });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^valid: /);
    expect(run.stderr).toMatch(/^warning: no --key or --keys given/);
  });

  it('exits 1 with "invalid: <reason>" for a changed byte or an unknown key', async () => {
    const tampered = path.join(dir, 'tampered.ndjson');
    await writeFile(tampered, text.replace('CLI Verify AG', 'CLI Verify AH'));
    const changed = await charter(['audit', 'verify', tampered, '--key', key]);
    expect(changed).toMatchObject({ code: 1, stdout: 'invalid: seq 2: hash mismatch (event changed or reordered)\n' });

    const other = generateSigningKeyPair();
    const wrongKey = await charter(['audit', 'verify', file, '--key', other.publicKey]);
    expect(wrongKey).toMatchObject({ code: 1, stdout: `invalid: seq 3: checkpoint signed by unknown key ${kid} (not among the pinned keys)\n` });
    // Several keys may be pinned (e.g. the active and a retired one).
    expect((await charter(['audit', 'verify', file, '--key', other.publicKey, '--key', key])).code).toBe(0);
  });

  it('exits 1 with a one-line reason for a bad --key or a missing file', async () => {
    const badKey = await charter(['audit', 'verify', file, '--key', 'not-a-key']);
    expect(badKey.code).toBe(1);
    expect(badKey.stderr).toBe('charter: --key not-a-key: not an Ed25519 public key (32 bytes, base64url without padding)\n');
    const missing = await charter(['audit', 'verify', path.join(dir, 'nope.ndjson'), '--key', key]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^charter: cannot read .*nope\.ndjson: ENOENT\n$/);
  });

  it('verifies without any database', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: 'postgres://nobody@127.0.0.1:1/unreachable' };
    delete env.CHARTER_ENCRYPTION_KEY;
    delete env.NEXTAUTH_SECRET;
    const run = await charter(['audit', 'verify', file, '--key', key], { env });
    expect(run).toMatchObject({ code: 0, stderr: '' });
  });

  it('verify loads no database code: its static imports never reach lib/core/db', () => {
    // Follows every runtime import (not `import type`, not the export's lazy `await import`).
    const seen = new Set<string>();
    const resolve = (from: string, spec: string): string | null => {
      const base = spec.startsWith('@/') ? path.join(root, spec.slice(2)) : spec.startsWith('.') ? path.resolve(path.dirname(from), spec) : null;
      if (!base) return null;
      return [`${base}.ts`, path.join(base, 'index.ts'), base].find((p) => existsSync(p) && p.endsWith('.ts')) ?? null;
    };
    const walk = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const source = readFileSync(file, 'utf8');
      for (const m of source.matchAll(/^(?:import|export)\s+(?!type\s)[^;]*?\sfrom\s+'([^']+)'/gm)) {
        const next = resolve(file, m[1]);
        if (next) walk(next);
      }
    };
    walk(path.join(root, 'lib', 'cli', 'commands', 'audit.ts'));
    expect(seen.has(path.join(root, 'lib', 'audit', 'verify.ts'))).toBe(true);
    expect([...seen].filter((f) => f === path.join(root, 'lib', 'db.ts') || f.includes(`${path.sep}generated${path.sep}`) || f.includes(`${path.sep}services${path.sep}`))).toEqual(
      [],
    );
  });

  it('export --out writes a verifiable file and a summary line; a failed export leaves no file', async () => {
    const out = path.join(dir, 'cli-export.ndjson');
    const run = await charter(['audit', 'export', '--chain', tenant.slug, '--out', out]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(new RegExp(`^exported audit chain ${tenant.slug} \\(${tenant.id}\\) seq 1\\.\\.4 \\(4 events\\), checkpoint signed by kid [0-9a-f]{16} → `, 'm'));
    expect(await verifyExport(await readFile(out, 'utf8'), { pinnedKeys: [{ kid, publicKey: key }] })).toMatchObject({ ok: true, toSeq: 4 });

    const before = await readdir(dir);
    const failed = await charter(['audit', 'export', '--chain', 'no-such-tenant-slug', '--out', path.join(dir, 'failed.ndjson')]);
    expect(failed).toMatchObject({ code: 1, stderr: 'charter: Tenant was not found.\n' });
    expect(await readdir(dir)).toEqual(before);
  });

  it('export writes to stdout without --out, with filters', async () => {
    const run = await charter(['audit', 'export', '--chain', tenant.slug, '--action', 'tenant.updated']);
    expect(run.code).toBe(0);
    const result = await verifyExport(run.stdout, { pinnedKeys: [{ kid, publicKey: key }] });
    expect(result).toMatchObject({ ok: true, events: 2, filter: { action: 'tenant.updated' } });
    const bad = await charter(['audit', 'export', '--chain', tenant.slug, '--action', 'no.such.action']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^charter: invalid input: action: /);
  });

  it('verify --keys FILE pins the keys of /api/v1/keys (JSON) or a list of keys, and checks their kids', async () => {
    const other = generateSigningKeyPair();
    const json = path.join(dir, 'keys.json');
    await writeFile(
      json,
      JSON.stringify({
        keys: [
          { kid: other.kid, alg: 'Ed25519', publicKey: other.publicKey },
          { kid, alg: 'Ed25519', publicKey: key },
        ],
      }),
    );
    expect(await charter(['audit', 'verify', file, '--keys', json])).toMatchObject({ code: 0, stderr: '' });
    const lines = path.join(dir, 'keys.txt');
    await writeFile(lines, `# pinned on 2026-11-29\n${key}\n`);
    expect(await charter(['audit', 'verify', file, '--keys', lines])).toMatchObject({ code: 0, stderr: '' });
    const wrong = path.join(dir, 'wrong.json');
    await writeFile(wrong, JSON.stringify([{ kid: other.kid, publicKey: other.publicKey }]));
    expect(await charter(['audit', 'verify', file, '--keys', wrong])).toMatchObject({
      code: 1,
      stdout: `invalid: seq 3: checkpoint signed by unknown key ${kid} (not among the pinned keys)\n`,
    });
    const forged = path.join(dir, 'forged.json');
    await writeFile(forged, JSON.stringify([{ kid, publicKey: other.publicKey }]));
    const run = await charter(['audit', 'verify', file, '--keys', forged]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^charter: --keys .*forged\.json: kid [0-9a-f]{16} is not the fingerprint of its public key/);
  });

  it('export --format csv writes the matching events flattened, with a header row', async () => {
    const run = await charter(['audit', 'export', '--chain', tenant.slug, '--format', 'csv', '--action-group', 'tenant']);
    expect(run.code).toBe(0);
    const rows = run.stdout.trimEnd().split('\n');
    expect(rows[0]).toBe('chain,seq,id,occurredAt,actorType,actorId,actorLabel,action,targetType,targetId,tenantId,ip,userAgent,requestId,data,eventHash,hash');
    expect(rows.slice(1).map((r) => r.split(',')[7])).toEqual(['tenant.created', 'tenant.updated']);
    expect(run.stderr).toMatch(/\(2 events\), CSV, not verifiable → stdout/);
  });

  it('checkpoint seals chains; legal-hold, retention and purge act as the operator, audited', async () => {
    const sealed = await charter(['audit', 'checkpoint', '--chain', tenant.slug]);
    expect(sealed.code).toBe(0);
    expect(sealed.stdout).toMatch(/^(signed \d+ checkpoint\(s\)|every chain is sealed already)/);
    expect(await charter(['audit', 'legal-hold', '--tenant', tenant.slug, '--on', '--reason', 'inquiry 7'])).toMatchObject({
      code: 0,
      stdout: `${tenant.slug}: legal hold placed: no purge until it is lifted\n`,
    });
    expect(await charter(['audit', 'purge', '--tenant', tenant.slug])).toMatchObject({ code: 0, stdout: `${tenant.slug}: under legal hold: nothing purged\n` });
    expect(await charter(['audit', 'retention', '--tenant', tenant.slug, '--days', '400', '--reason', 'policy'])).toMatchObject({
      code: 0,
      stdout: `${tenant.slug}: audit retention is now 400 days\n`,
    });
    const tooShort = await charter(['audit', 'retention', '--tenant', tenant.slug, '--days', '30', '--reason', 'policy']);
    expect(tooShort.code).toBe(1);
    expect(tooShort.stderr).toMatch(/^charter: invalid input: retentionDays: must be at least 183 days/);
  });
});
