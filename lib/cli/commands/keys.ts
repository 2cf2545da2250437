/**
 * `charter keys create | revoke | list`: API keys from the operator's shell, as the system actor
 * (audited like any change, and not subject to four-eyes approval). The new key is printed once, on
 * stdout alone, so that `charter keys create … > file` or `| vault write …` captures exactly the key;
 * everything else goes to stderr. No database code is imported before the database is resolved.
 */
import type { Command } from 'commander';

import { parseCidr } from '@/lib/core/cidr';
import { API_KEY_SCOPES, type ApiKeyDto, type ApiKeyScope, createApiKeyInput, parseDuration } from '@/lib/modules/api-keys/schema';
import { CliError } from '../cli-error';

const DAY_MS = 86_400_000;
const PREFIX = /^chr_[0-9A-Za-z]{6}$/;
const FULL_KEY = /^chr_[0-9A-Za-z]{46}$/;

type CreateOptions = { tenant?: string; platform?: boolean; scopes: string; expiresIn: string; name?: string; cidr: string[] };
type RevokeOptions = { reason: string };
type ListOptions = { tenant?: string; all?: boolean };

const err = (message: string) => process.stderr.write(`${message}\n`);

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** "a,b , c" → known scopes, or a one-line error naming the unknown ones and the valid ones. */
export function parseScopes(value: string): ApiKeyScope[] {
  const scopes = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (scopes.length === 0) throw new CliError('--scopes: give at least one scope');
  const unknown = scopes.filter((s) => !(API_KEY_SCOPES as readonly string[]).includes(s));
  if (unknown.length > 0) {
    throw new CliError(`unknown scope${unknown.length > 1 ? 's' : ''} ${unknown.map((s) => `"${s}"`).join(', ')} (valid: ${API_KEY_SCOPES.join(', ')})`);
  }
  return [...new Set(scopes)] as ApiKeyScope[];
}

/** "90d", "2w", "48h" → whole days; keys are valid for whole days. */
export function parseExpiry(value: string): number {
  const ms = parseDuration(value);
  if (ms === null || ms <= 0) throw new CliError(`--expires-in ${value}: not a duration (e.g. 90d, 12w or 720h)`);
  if (ms % DAY_MS !== 0) throw new CliError(`--expires-in ${value}: keys are valid for whole days (e.g. 1d, 48h)`);
  return ms / DAY_MS;
}

function utc(iso: string): string {
  return `${iso.replace('T', ' ').slice(0, 16)} UTC`;
}

async function openAsSystem(purpose: string) {
  const { openAppDatabase } = await import('../app-database');
  await openAppDatabase();
  const { systemCtx } = await import('@/lib/access/system');
  return systemCtx(purpose);
}

/** A tenant by slug, or a one-line error naming the slug. */
async function tenantBySlug(ctx: Awaited<ReturnType<typeof openAsSystem>>, slug: string) {
  const { getTenant } = await import('@/lib/modules/tenants/service');
  const { toAppError } = await import('@/lib/core/errors');
  try {
    return await getTenant(ctx, slug);
  } catch (error) {
    if (toAppError(error).code === 'not_found') throw new CliError(`tenant "${slug}" was not found`);
    throw error;
  }
}

async function createCommand(options: CreateOptions): Promise<void> {
  // Everything that needs no database is checked first: nothing starts for a mistyped command.
  if (Boolean(options.tenant) === Boolean(options.platform)) throw new CliError('give exactly one of --tenant SLUG or --platform');
  const scopes = parseScopes(options.scopes);
  const expiresInDays = parseExpiry(options.expiresIn);
  const bad = options.cidr.find((c) => parseCidr(c.trim()) === null);
  if (bad !== undefined) throw new CliError(`--cidr ${bad}: not an IPv4 or IPv6 address or CIDR block (e.g. 10.0.0.0/8)`);

  const ctx = await openAsSystem('keys create');
  const tenant = options.tenant ? await tenantBySlug(ctx, options.tenant) : null;
  const { createApiKey } = await import('@/lib/modules/api-keys/service');
  const input = createApiKeyInput.parse({
    name: options.name ?? `CLI key ${new Date().toISOString().slice(0, 10)}`,
    tenantId: tenant?.id ?? null,
    deploymentId: null,
    scopes,
    expiresInDays,
    allowedCidrs: options.cidr.map((c) => c.trim()),
  });
  const { apiKey, key } = await createApiKey(ctx, input);
  process.stdout.write(`${key}\n`);
  const owner = tenant ? `tenant ${tenant.slug}` : 'platform';
  const cidrs = apiKey.allowedCidrs.length ? `, networks ${apiKey.allowedCidrs.join(', ')}` : '';
  err(`created API key ${apiKey.prefix}… "${apiKey.name}" for ${owner}, scopes ${apiKey.scopes.join(', ')}${cidrs}, expires ${utc(apiKey.expiresAt)}; it is shown only this once`);
}

async function revokeCommand(value: string, options: RevokeOptions): Promise<void> {
  // A whole key is accepted too (it is never printed back); only its prefix is looked up.
  const prefix = FULL_KEY.test(value) ? value.slice(0, 10) : value;
  if (!PREFIX.test(prefix)) throw new CliError(`"${value}" is not a key prefix (chr_ followed by 6 letters or digits, as \`charter keys list\` shows)`);
  const reason = options.reason.trim();
  if (reason.length < 3) throw new CliError('--reason: give a reason of at least 3 characters');
  const ctx = await openAsSystem('keys revoke');
  const { revokeApiKeyByPrefix } = await import('@/lib/modules/api-keys/service');
  const { toAppError } = await import('@/lib/core/errors');
  try {
    const revoked = await revokeApiKeyByPrefix(ctx, prefix, reason);
    process.stdout.write(`revoked API key ${revoked.prefix}… "${revoked.name}"\n`);
  } catch (error) {
    const e = toAppError(error);
    if (e.code === 'not_found') throw new CliError(`no API key with prefix ${prefix}`);
    if (e.code === 'invalid_transition') throw new CliError(`API key ${prefix}… is already revoked`);
    throw error;
  }
}

function statusOf(k: ApiKeyDto, now: number): string {
  if (k.revokedAt) return 'revoked';
  if (k.rotatedToId) return Date.parse(k.expiresAt) > now ? 'rotated (overlap)' : 'rotated';
  return Date.parse(k.expiresAt) > now ? 'active' : 'expired';
}

/** Left-aligned columns separated by two spaces, like `ls -l`: easy to read and to `awk`. */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

async function listCommand(options: ListOptions): Promise<void> {
  const ctx = await openAsSystem('keys list');
  const tenant = options.tenant ? await tenantBySlug(ctx, options.tenant) : null;
  const { listApiKeys } = await import('@/lib/modules/api-keys/service');
  const { getTenant } = await import('@/lib/modules/tenants/service');
  const keys: ApiKeyDto[] = [];
  let cursor: string | undefined;
  do {
    const page = await listApiKeys(ctx, { limit: 200, cursor, tenantId: tenant?.id, includeInactive: Boolean(options.all) });
    keys.push(...page.data);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);

  const slugs = new Map<string, string>();
  for (const id of new Set(keys.map((k) => k.tenantId).filter((id): id is string => id !== null))) {
    slugs.set(
      id,
      await getTenant(ctx, id).then(
        (t) => t.slug,
        () => id,
      ),
    );
  }
  const now = Date.now();
  const rows = keys.map((k) => [
    k.prefix,
    k.tenantId ? (slugs.get(k.tenantId) ?? k.tenantId) : '(platform)',
    statusOf(k, now),
    k.expiresAt.slice(0, 16).replace('T', ' '),
    k.lastUsedAt ? `${k.lastUsedAt.slice(0, 16).replace('T', ' ')}${k.lastUsedIp ? ` ${k.lastUsedIp}` : ''}` : '-',
    k.scopes.join(','),
    k.name,
  ]);
  process.stdout.write(formatTable(['PREFIX', 'TENANT', 'STATUS', 'EXPIRES (UTC)', 'LAST USED (UTC)', 'SCOPES', 'NAME'], rows));
  if (keys.length === 0) err(options.all ? 'no API keys' : 'no active API keys (add --all for revoked and expired ones)');
}

export function registerKeysCommands(program: Command): void {
  const keys = program.command('keys').description('API keys: create (shown once), revoke, list — as the system actor');

  keys
    .command('create')
    .description('create an API key and print it once on stdout (a summary goes to stderr)')
    .option('--tenant <slug>', 'bind the key to this tenant')
    .option('--platform', 'a platform key, acting across tenants')
    .requiredOption('--scopes <list>', `comma-separated scopes: ${API_KEY_SCOPES.join(', ')}`)
    .option('--expires-in <duration>', 'validity, e.g. 30d, 12w, 720h (whole days; at most CHARTER_API_KEY_MAX_DAYS)', '90d')
    .option('--name <name>', 'what uses the key (default "CLI key <date>")')
    .option('--cidr <cidr>', 'only accept requests from this address or CIDR block (repeatable)', collect, [])
    .action(createCommand);

  keys
    .command('revoke')
    .description('revoke an API key by its prefix (chr_ + 6 characters); every later request with it gets 401')
    .argument('<prefix>', 'the key prefix, as `charter keys list` shows it')
    .option('--reason <reason>', 'recorded in the audit trail', 'revoked by the operator with the CLI')
    .action(revokeCommand);

  keys
    .command('list')
    .description('list API keys (never their secrets): active ones, or all with --all')
    .option('--tenant <slug>', "only this tenant's keys")
    .option('--all', 'include revoked and expired keys')
    .action(listCommand);
}
