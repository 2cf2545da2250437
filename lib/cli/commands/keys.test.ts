import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it, vi } from 'vitest';

// This process checks the printed keys with verifyApiKey; without its per-instance cache it sees a
// revocation made by the CLI process at once. Hoisted above the imports, which read it.
vi.hoisted(() => {
  process.env.CHARTER_API_KEY_CACHE_SECONDS = '0';
});

import { db } from '@/lib/core/db';
import { bootstrap } from '@/lib/runtime/bootstrap';
import { verifyApiKey } from '@/lib/access/api-keys/verify';
import { makeTenant } from '@/lib/testing/factories';
import { formatTable, parseExpiry, parseScopes } from './keys';

// `charter keys …` as an operator runs it: a real process, real exit codes, stdout and stderr apart.

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const CLI = path.join(root, 'lib', 'cli', 'charter.mjs');
const KEY = /^chr_[0-9A-Za-z]{46}$/;

type Run = { code: number | null; stdout: string; stderr: string };

function charter(args: string[]): Promise<Run> {
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

describe('charter keys (argument parsing)', () => {
  it('parses scopes and refuses unknown ones by name', () => {
    expect(parseScopes('tenants:read, audit:write,tenants:read')).toEqual(['tenants:read', 'audit:write']);
    expect(() => parseScopes('tenants:read,deployments:destroy')).toThrow(/^unknown scope "deployments:destroy" \(valid: tenants:read, /);
    expect(() => parseScopes(' , ')).toThrow('--scopes: give at least one scope');
  });
  it('takes whole days in d, w or h', () => {
    expect(parseExpiry('90d')).toBe(90);
    expect(parseExpiry('2w')).toBe(14);
    expect(parseExpiry('48h')).toBe(2);
    expect(() => parseExpiry('12h')).toThrow('whole days');
    expect(() => parseExpiry('3 months')).toThrow('not a duration');
    expect(() => parseExpiry('0d')).toThrow('not a duration');
  });
  it('aligns the list in columns', () => {
    expect(
      formatTable(
        ['A', 'BB'],
        [
          ['xxx', 'y'],
          ['z', ''],
        ],
      ),
    ).toBe('A    BB\nxxx  y\nz\n');
  });
});

// Each test runs several `charter` processes, each compiling the CLI first: seconds apiece on a
// busy 2-core machine, so these get more time than the default.
describe('charter keys (against the database)', { timeout: 180_000 }, () => {
  let tenant: Awaited<ReturnType<typeof makeTenant>>;

  beforeAll(async () => {
    await bootstrap();
    tenant = await makeTenant();
  });

  it('create prints only the key on stdout, a summary on stderr, and the key authenticates; revoke by prefix ends it', async () => {
    const run = await charter([
      'keys',
      'create',
      '--tenant',
      tenant.slug,
      '--scopes',
      'deployments:read,tenants:read',
      '--expires-in',
      '30d',
      '--name',
      'Frankfurt agent',
      '--cidr',
      '10.0.0.0/8',
    ]);
    expect(run.code, run.stderr).toBe(0);
    const key = run.stdout.trimEnd();
    expect(run.stdout).toBe(`${key}\n`);
    expect(key).toMatch(KEY);
    const prefix = key.slice(0, 10);
    expect(run.stderr).toMatch(
      new RegExp(
        `^created API key ${prefix}… "Frankfurt agent" for tenant ${tenant.slug}, scopes deployments:read, tenants:read, networks 10\\.0\\.0\\.0/8, expires \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC; it is shown only this once\\n$`,
      ),
    );
    expect(run.stderr).not.toContain(key.slice(10));

    const verdict = await verifyApiKey(key, { ip: '10.1.2.3', permission: 'tenants:read' });
    expect(verdict).toMatchObject({ ok: true, actor: { type: 'apiKey', tenantId: tenant.id } });
    expect(await verifyApiKey(key, { ip: '192.0.2.1', permission: 'tenants:read' })).toMatchObject({ ok: false, reason: 'ip_not_allowed' });
    const row = await db.apiKey.findUniqueOrThrow({ where: { prefix } });
    expect(row.createdByLabel).toMatch(/^system:/);
    expect(Math.round((row.expiresAt.getTime() - row.createdAt.getTime()) / 86_400_000)).toBe(30);
    // The operator's action is in the tenant's audit chain, by prefix, never the key.
    const created = await db.auditEvent.findFirstOrThrow({ where: { chain: tenant.id, action: 'api_key.created', targetId: row.id } });
    expect(JSON.stringify(created.data)).not.toContain(key.slice(10));

    const listed = await charter(['keys', 'list', '--tenant', tenant.slug]);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^PREFIX\s+TENANT\s+STATUS\s+EXPIRES \(UTC\)\s+LAST USED \(UTC\)\s+SCOPES\s+NAME\n/);
    expect(listed.stdout).toMatch(new RegExp(`^${prefix}\\s+${tenant.slug}\\s+active\\s+.*deployments:read,tenants:read\\s+Frankfurt agent$`, 'm'));
    expect(listed.stdout).not.toContain(key.slice(10));

    const revoked = await charter(['keys', 'revoke', prefix, '--reason', 'agent decommissioned']);
    expect(revoked).toMatchObject({ code: 0, stdout: `revoked API key ${prefix}… "Frankfurt agent"\n`, stderr: '' });
    expect(await verifyApiKey(key, { ip: '10.1.2.3', permission: 'tenants:read' })).toMatchObject({ ok: false, reason: 'revoked' });
    const event = await db.auditEvent.findFirstOrThrow({ where: { chain: tenant.id, action: 'api_key.revoked', targetId: row.id } });
    expect(event.data).toMatchObject({ prefix, reason: 'agent decommissioned' });

    const again = await charter(['keys', 'revoke', prefix]);
    expect(again).toMatchObject({ code: 1, stderr: `charter: API key ${prefix}… is already revoked\n` });
    expect((await charter(['keys', 'list', '--tenant', tenant.slug])).stdout).not.toContain(prefix);
    expect((await charter(['keys', 'list', '--tenant', tenant.slug, '--all'])).stdout).toMatch(new RegExp(`^${prefix}\\s+${tenant.slug}\\s+revoked\\s`, 'm'));
  });

  it('creates a platform key with a platform-only scope', async () => {
    const run = await charter(['keys', 'create', '--platform', '--scopes', 'tenants:write', '--expires-in', '1d']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.trimEnd()).toMatch(KEY);
    expect(run.stderr).toMatch(/^created API key chr_[0-9A-Za-z]{6}… "CLI key \d{4}-\d\d-\d\d" for platform, scopes tenants:write, expires /);
    expect(await verifyApiKey(run.stdout.trimEnd(), { ip: null, permission: 'tenants:write' })).toMatchObject({ ok: true, actor: { tenantId: null } });
  });

  it('exits 1 with one line for unknown scopes, tenants and prefixes, and for refused keys', async () => {
    const tenant = await makeTenant();
    const cases: [string[], string][] = [
      [['keys', 'create', '--tenant', tenant.slug, '--scopes', 'tenants:read,keys:write'], 'charter: unknown scope "keys:write" (valid: '],
      [['keys', 'create', '--tenant', 'no-such-tenant', '--scopes', 'tenants:read'], 'charter: tenant "no-such-tenant" was not found\n'],
      [['keys', 'create', '--scopes', 'tenants:read'], 'charter: give exactly one of --tenant SLUG or --platform\n'],
      [['keys', 'create', '--tenant', tenant.slug, '--platform', '--scopes', 'tenants:read'], 'charter: give exactly one of --tenant SLUG or --platform\n'],
      [['keys', 'create', '--tenant', tenant.slug, '--scopes', 'tenants:write'], 'charter: Only platform keys may hold tenants:write.\n'],
      [['keys', 'create', '--tenant', tenant.slug, '--scopes', 'tenants:read', '--expires-in', '3000d'], 'charter: Keys may be valid for at most '],
      [['keys', 'create', '--tenant', tenant.slug, '--scopes', 'tenants:read', '--cidr', '10.0.0.300/8'], 'charter: --cidr 10.0.0.300/8: not an IPv4 or IPv6'],
      [['keys', 'revoke', 'chr_zzzzzz'], 'charter: no API key with prefix chr_zzzzzz\n'],
      [['keys', 'revoke', 'not-a-prefix'], 'charter: "not-a-prefix" is not a key prefix'],
      [['keys', 'list', '--tenant', 'no-such-tenant'], 'charter: tenant "no-such-tenant" was not found\n'],
    ];
    const runs = await Promise.all(cases.map(([args]) => charter(args)));
    runs.forEach((run, i) => {
      const [args, expected] = cases[i];
      expect(run.code, args.join(' ')).toBe(1);
      expect(run.stdout, args.join(' ')).toBe('');
      expect(run.stderr.startsWith(expected), `${args.join(' ')} → ${run.stderr}`).toBe(true);
      expect(run.stderr.trimEnd().split('\n'), args.join(' ')).toHaveLength(1);
    });
    expect(await db.apiKey.count({ where: { tenantId: tenant.id } })).toBe(0);
  });
});
