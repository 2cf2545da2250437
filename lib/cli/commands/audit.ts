/**
 * `charter audit export` (the verifiable export, as the system actor) and `charter audit verify`
 * (offline: it never touches a database, so this module imports no database code at the top level;
 * the export loads it inside its action).
 */
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';

import { type Command, Option } from 'commander';

import { verifyExportStream, type PinnedKey, type VerifyResult } from '@/lib/audit/verify';
import { kidOf } from '@/lib/core/crypto/ed25519';
import { AUDIT_EXPORT_FORMATS, auditExportFilter, type AuditExportFormat } from '@/lib/modules/audit-trail/export-schema';
import type { ExportAuditChainResult } from '@/lib/modules/audit-trail/export';
import { CliError } from '../cli-error';
import { exitAfterCleanup, onCleanup } from '../lifecycle';

type ExportOptions = {
  chain: string;
  out?: string;
  format: AuditExportFormat;
  from?: string;
  to?: string;
  action?: string;
  actionGroup?: string;
  actor?: string;
  actorType?: string;
  targetType?: string;
  targetId?: string;
  ip?: string;
  requestId?: string;
  q?: string;
};

const err = (message: string) => process.stderr.write(`${message}\n`);

/** Waits until everything written to `stream` has been handed to the OS (process.exit would drop it). */
function flushed(stream: Writable): Promise<void> {
  return new Promise((resolve, reject) => stream.write('', (error) => (error ? reject(error) : resolve())));
}

/** Writes the export to FILE through a temporary file beside it, renamed only on success. */
async function exportToFile(file: string, run: (out: Writable) => Promise<ExportAuditChainResult>): Promise<ExportAuditChainResult> {
  const target = path.resolve(file);
  const temp = path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(4).toString('hex')}.partial`);
  // Also on Ctrl-C: no partial file is left behind. After the rename this is a no-op.
  onCleanup(() => rm(temp, { force: true }));
  // Audit logs are personal and regulated data: readable by the exporting OS user only. `flush`
  // fsyncs before close, so the renamed file is complete on disk.
  const stream = createWriteStream(temp, { flags: 'wx', mode: 0o600, flush: true });
  try {
    await once(stream, 'open');
  } catch (error) {
    throw new CliError(`cannot write ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  try {
    const result = await run(stream);
    stream.end();
    await finished(stream);
    await rename(temp, target);
    return result;
  } catch (error) {
    stream.destroy();
    await rm(temp, { force: true });
    throw error;
  }
}

async function exportCommand(options: ExportOptions): Promise<void> {
  const filter = auditExportFilter.parse({
    from: options.from,
    to: options.to,
    action: options.action,
    actionGroup: options.actionGroup,
    actorId: options.actor,
    actorType: options.actorType,
    targetType: options.targetType,
    targetId: options.targetId,
    ip: options.ip,
    requestId: options.requestId,
    q: options.q,
  });
  const { openAppDatabase } = await import('../app-database');
  await openAppDatabase();
  const { exportAuditChain } = await import('@/lib/modules/audit-trail/export');
  const { systemCtx } = await import('@/lib/access/system');
  const ctx = systemCtx('audit export');
  const run = (out: Writable) => exportAuditChain({ ctx, chain: options.chain, out, format: options.format, filter });

  let result: ExportAuditChainResult;
  if (options.out) {
    result = await exportToFile(options.out, run);
  } else {
    result = await run(process.stdout);
    await flushed(process.stdout);
  }
  const counts = result.omitted > 0 ? `${result.events} events, ${result.omitted} omitted` : `${result.events} events`;
  const chain = result.label === result.chain ? result.chain : `${result.label} (${result.chain})`;
  const sealed = result.checkpoint ? `checkpoint signed by kid ${result.checkpoint.kid}` : 'CSV, not verifiable';
  err(`exported audit chain ${chain} seq ${result.fromSeq}..${result.toSeq} (${counts}), ${sealed} → ${options.out ?? 'stdout'}`);
  if (!result.intact) {
    err(
      `warning: the stored chain does not verify from seq ${result.firstMismatchSeq}: audit rows were changed outside Charter; the export keeps them as evidence and will not verify`,
    );
  }
}

export function pinnedKey(value: string, option = '--key'): PinnedKey {
  const raw = Buffer.from(value, 'base64url');
  if (raw.length !== 32 || raw.toString('base64url') !== value) {
    throw new CliError(`${option} ${value}: not an Ed25519 public key (32 bytes, base64url without padding)`);
  }
  return { kid: kidOf(value), publicKey: value };
}

export function describeVerifyResult(result: VerifyResult): string {
  if (!result.ok) return `invalid: ${result.reason}`;
  const omitted = result.omitted > 0 ? `, ${result.omitted} omitted by the export's filter` : '';
  return `valid: chain ${result.chain} seq ${result.fromSeq}..${result.toSeq}, ${result.events} events${omitted}, checkpoint signed by kid ${result.kid}`;
}

/**
 * The keys of a `--keys FILE`: the JSON of /api/v1/keys (`{ "keys": [{ "kid", "publicKey", … }] }`),
 * a JSON array of such keys, or one base64url public key per line. A kid, where given, must be the
 * key's fingerprint.
 */
export async function keysFromFile(file: string): Promise<PinnedKey[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read --keys ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const trimmed = text.trim();
  let entries: unknown[];
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      throw new CliError(`--keys ${file}: not valid JSON`);
    }
    const list = Array.isArray(parsed) ? parsed : (parsed as { keys?: unknown }).keys;
    if (!Array.isArray(list)) throw new CliError(`--keys ${file}: expected {"keys": [...]} or an array of keys`);
    entries = list;
  } else {
    entries = trimmed
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
  }
  if (entries.length === 0) throw new CliError(`--keys ${file}: no keys in the file`);
  return entries.map((entry) => {
    if (typeof entry === 'string') return pinnedKey(entry, '--keys');
    const { kid, publicKey } = (entry ?? {}) as { kid?: unknown; publicKey?: unknown };
    if (typeof publicKey !== 'string') throw new CliError(`--keys ${file}: every key needs a publicKey`);
    const key = pinnedKey(publicKey, '--keys');
    if (kid !== undefined && kid !== key.kid)
      throw new CliError(`--keys ${file}: kid ${typeof kid === 'string' ? kid : JSON.stringify(kid)} is not the fingerprint of its public key (${key.kid})`);
    return key;
  });
}

async function verifyCommand(file: string, options: { key: string[]; keys?: string }): Promise<void> {
  const pinned = [...options.key.map((k) => pinnedKey(k)), ...(options.keys ? await keysFromFile(options.keys) : [])];
  const pinnedKeys = pinned.length > 0 ? pinned : undefined;
  if (!pinnedKeys) {
    err(
      'warning: no --key or --keys given: the checkpoint is checked against the keys in the file itself, which proves integrity but not origin; pin the published keys with --key or --keys',
    );
  }
  const input = file === '-' ? process.stdin : createReadStream(file);
  let result: VerifyResult;
  try {
    result = await verifyExportStream(input, { pinnedKeys });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CliError(code ? `cannot read ${file}: ${code}` : `cannot verify ${file}: ${(error as Error).message}`);
  } finally {
    if (input !== process.stdin) input.destroy();
  }
  process.stdout.write(`${describeVerifyResult(result)}\n`);
  if (!result.ok) await exitAfterCleanup(1);
}

/** Opens the database and returns the system actor, for the commands that change or read it. */
async function systemSession(purpose: string) {
  const { openAppDatabase } = await import('../app-database');
  await openAppDatabase();
  const { systemCtx } = await import('@/lib/access/system');
  return systemCtx(purpose);
}

async function checkpointCommand(options: { chain?: string }): Promise<void> {
  const ctx = await systemSession('audit checkpoint');
  const { sealUnsealedChains } = await import('@/lib/modules/audit-trail/maintenance');
  const { resolveAuditChain } = await import('@/lib/modules/audit-trail/export');
  const chains = options.chain ? [(await resolveAuditChain(ctx, options.chain)).chain] : undefined;
  const sealed = await sealUnsealedChains({ chains });
  process.stdout.write(
    `${sealed.length === 0 ? 'every chain is sealed already' : `signed ${sealed.length} checkpoint(s): ${sealed.map((s) => `${s.chain}@${s.seq}`).join(', ')}`}\n`,
  );
}

async function purgeCommand(options: { tenant?: string }): Promise<void> {
  const ctx = await systemSession('audit purge');
  const { purgeExpiredAuditEvents } = await import('@/lib/modules/audit-trail/retention');
  for (const o of await purgeExpiredAuditEvents(ctx, { tenant: options.tenant })) {
    const what =
      o.status === 'purged' && o.removed
        ? `purged seq ${o.removed.fromSeq}..${o.removed.toSeq} (${o.partitions.length} partition(s)); the chain now starts at seq ${o.baseSeq + 1}`
        : o.status === 'legal_hold'
          ? 'under legal hold: nothing purged'
          : 'nothing past retention';
    process.stdout.write(`${o.label}: ${what}\n`);
  }
}

async function retentionCommand(options: { tenant: string; days: string; reason: string }): Promise<void> {
  const { changeRetentionInput } = await import('@/lib/modules/audit-trail/retention-schema');
  const input = changeRetentionInput.parse({ retentionDays: options.days, reason: options.reason });
  const ctx = await systemSession('audit retention');
  const { requestRetentionChange } = await import('@/lib/modules/audit-trail/retention');
  await requestRetentionChange(ctx, options.tenant, input);
  process.stdout.write(`${options.tenant}: audit retention is now ${input.retentionDays} days\n`);
}

async function legalHoldCommand(options: { tenant: string; on?: boolean; off?: boolean; reason: string }): Promise<void> {
  if (Boolean(options.on) === Boolean(options.off)) throw new CliError('give exactly one of --on and --off');
  const { setLegalHoldInput } = await import('@/lib/modules/audit-trail/retention-schema');
  const input = setLegalHoldInput.parse({ legalHold: Boolean(options.on), reason: options.reason });
  const ctx = await systemSession('audit legal-hold');
  const { setLegalHold } = await import('@/lib/modules/audit-trail/retention');
  await setLegalHold(ctx, options.tenant, input);
  process.stdout.write(`${options.tenant}: legal hold ${input.legalHold ? 'placed: no purge until it is lifted' : 'lifted'}\n`);
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function registerAuditCommands(program: Command): void {
  const audit = program.command('audit').description('audit logs: verifiable export and offline verification');

  audit
    .command('export')
    .description('export one audit chain as the system actor: verifiable NDJSON (README "Verifiable audit export (NDJSON)") or CSV')
    .requiredOption('--chain <chain>', 'tenant slug, or "platform"')
    .option('--out <file>', 'write to FILE (atomically) instead of stdout')
    .addOption(new Option('--format <format>', 'ndjson (verifiable) or csv (for spreadsheets)').choices([...AUDIT_EXPORT_FORMATS]).default('ndjson'))
    .option('--from <time>', 'only events at or after this RFC 3339 time (in NDJSON, others are exported as omitted)')
    .option('--to <time>', 'only events before this RFC 3339 time')
    .option('--action <action>', 'only events with this action')
    .option('--action-group <group>', 'only events of this action group (e.g. tenant for tenant.*)')
    .option('--actor <id>', 'only events by this actor id')
    .option('--actor-type <type>', 'only events by this kind of actor (user, apiKey, system, deployment, anonymous)')
    .option('--target-type <type>', 'only events about this kind of object')
    .option('--target-id <id>', 'only events about this object')
    .option('--ip <address>', 'only events from this client IP')
    .option('--request-id <id>', 'only events of this request')
    .option('--q <text>', 'only events whose actor, target id or action contains this text (case-insensitive)')
    .action(exportCommand);

  audit
    .command('verify')
    .description('verify an audit export offline (no database): exit 0 if valid, 1 if not')
    .argument('<file>', 'the export file, or - for stdin')
    .option('--key <b64url>', 'pin a published public key (repeatable); without it the keys in the file are used', collect, [])
    .option('--keys <file>', 'pin the keys in FILE: the JSON of /api/v1/keys, or one base64url key per line')
    .action(verifyCommand);

  audit
    .command('checkpoint')
    .description('sign a checkpoint over the head of every chain with events after its latest checkpoint (for cron)')
    .option('--chain <chain>', 'only this chain (tenant slug, or "platform")')
    .action(checkpointCommand);

  audit
    .command('purge')
    .description("drop the audit partitions past each tenant's retention (whole months; audited; never under legal hold)")
    .option('--tenant <slug>', 'only this tenant')
    .action(purgeCommand);

  audit
    .command('retention')
    .description("set a tenant's audit retention (183 to 3653 days); audited, and as the operator not subject to four-eyes")
    .requiredOption('--tenant <slug>', 'the tenant')
    .requiredOption('--days <n>', 'days to keep audit events')
    .requiredOption('--reason <text>', 'why (recorded in the audit log)')
    .action(retentionCommand);

  audit
    .command('legal-hold')
    .description("place or lift a legal hold on a tenant's audit log (a hold blocks every purge)")
    .requiredOption('--tenant <slug>', 'the tenant')
    .option('--on', 'place the hold')
    .option('--off', 'lift the hold')
    .requiredOption('--reason <text>', 'why (recorded in the audit log)')
    .action(legalHoldCommand);
}
