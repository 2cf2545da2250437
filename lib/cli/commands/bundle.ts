/**
 * `charter bundle issue` (the signed entitlement bundle of one deployment, as the system actor: a
 * file to carry into an air-gapped site) and `charter bundle verify` (offline: no database, no
 * network — the same dependency-free verifier a deployment agent embeds, lib/modules/bundles/verify.ts).
 * `charter signing-key rotate` lives here too: it changes the key bundles are signed with.
 */
import { randomBytes } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

import type { Command } from 'commander';

import { type BundleStatus, verifyBundle } from '@/lib/modules/bundles/verify';
import { CliError } from '../cli-error';
import { exitAfterCleanup } from '../lifecycle';
import { keysFromFile, pinnedKey } from './audit';

type IssueOptions = { tenant: string; deployment: string; out?: string };
type VerifyOptions = { key: string[]; keys?: string; at?: string };

const err = (message: string) => process.stderr.write(`${message}\n`);

/** Exit status per verdict: 0 only for valid; grace is distinct, so scripts can warn rather than fail. */
export const VERIFY_EXIT_CODES: Record<BundleStatus, number> = {
  valid: 0,
  grace: 3,
  expired: 4,
  not_yet_valid: 5,
  bad_signature: 6,
  unknown_key: 7,
};

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Writes through a temporary file beside the target, renamed only when complete. */
export async function writeFileAtomically(file: string, content: string): Promise<void> {
  const target = path.resolve(file);
  const temp = path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(4).toString('hex')}.partial`);
  try {
    await writeFile(temp, content, { flag: 'wx', mode: 0o644 });
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw new CliError(`cannot write ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

async function openAsSystem(purpose: string) {
  const { openAppDatabase } = await import('../app-database');
  await openAppDatabase();
  const { systemCtx } = await import('@/lib/access/system');
  return systemCtx(purpose);
}

async function issueCommand(options: IssueOptions): Promise<void> {
  const ctx = await openAsSystem('bundle issue');
  const { db } = await import('@/lib/core/db');
  const { toAppError } = await import('@/lib/core/errors');
  const tenant = await db.tenant.findUnique({ where: { slug: options.tenant.trim().toLowerCase() }, select: { id: true, slug: true } });
  if (!tenant) throw new CliError(`tenant "${options.tenant}" was not found`);
  const deployment = await db.deployment.findUnique({ where: { tenantId_name: { tenantId: tenant.id, name: options.deployment.trim().toLowerCase() } }, select: { id: true } });
  if (!deployment) throw new CliError(`deployment "${options.deployment}" of tenant ${tenant.slug} was not found`);
  const { issueBundle } = await import('@/lib/modules/bundles/service');
  let issued: Awaited<ReturnType<typeof issueBundle>>;
  try {
    issued = await issueBundle(ctx, deployment.id);
  } catch (error) {
    const e = toAppError(error);
    const reason = typeof e.extra?.reason === 'string' ? ` (${e.extra.reason})` : '';
    throw new CliError(`refused${reason}: ${e.message}`);
  }
  if (options.out) await writeFileAtomically(options.out, issued.json);
  else process.stdout.write(issued.json);
  const p = issued.bundle.payload;
  err(
    `issued bundle for deployment ${p.deployments.map((d) => d.name).join(', ')} of ${p.tenant.name}: contract ${p.contract.reference} version ${p.contract.version}, ` +
      `${p.models.length} model version(s), valid until ${p.contract.validUntil} (+${p.contract.graceDays} days grace), signed by kid ${issued.bundle.kid} → ${options.out ?? 'stdout'}`,
  );
}

async function verifyCommand(file: string, options: VerifyOptions): Promise<void> {
  const keys = [...options.key.map((k) => pinnedKey(k)), ...(options.keys ? await keysFromFile(options.keys) : [])];
  if (keys.length === 0) {
    // Unlike an audit export, a bundle carries no keys: trust must come from a key pinned out of band.
    throw new CliError("give the vendor's public key with --key B64URL or --keys FILE (GET /api/v1/keys, pinned out of band)", 2);
  }
  let at: Date | undefined;
  if (options.at) {
    at = new Date(options.at);
    if (Number.isNaN(at.getTime())) throw new CliError(`--at ${options.at}: not a time (e.g. 2027-01-31T00:00:00Z)`, 2);
  }
  let text: string;
  try {
    text = file === '-' ? await readStdin() : await readFile(file, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, 2);
  }
  const verdict = verifyBundle(text, { keys, at });
  process.stdout.write(`${verdict.status}: ${verdict.reason}\n`);
  if (verdict.payload) {
    const p = verdict.payload;
    err(
      `tenant ${p.tenant.name}${p.tenant.lei ? ` (LEI ${p.tenant.lei})` : ''}; deployments ${p.deployments.map((d) => `${d.name} (${d.country})`).join(', ')}; models ${p.models.map((m) => `${m.family}@${m.version}`).join(', ') || 'none'}`,
    );
  }
  const code = VERIFY_EXIT_CODES[verdict.status];
  if (code !== 0) await exitAfterCleanup(code);
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function rotateCommand(): Promise<void> {
  const ctx = await openAsSystem('signing-key rotate');
  const { rotateSigningKey } = await import('@/lib/modules/signing-keys/service');
  const rotated = await rotateSigningKey(ctx);
  process.stdout.write(`${rotated.kid} ${rotated.publicKey}\n`);
  const retired = rotated.retired.length ? `; retired ${rotated.retired.join(', ')} (still published, so what it signed keeps verifying)` : '';
  err(`new signing key ${rotated.kid} is active${retired}`);
}

export function registerBundleCommands(program: Command): void {
  const bundle = program.command('bundle').description('entitlement bundles: issue for a deployment, verify offline');

  bundle
    .command('issue')
    .description("issue a deployment's signed entitlement bundle from its tenant's active contract (as the system actor)")
    .requiredOption('--tenant <slug>', 'the tenant')
    .requiredOption('--deployment <name>', 'the deployment, by name')
    .option('--out <file>', 'write to FILE (atomically) instead of stdout')
    .action(issueCommand);

  bundle
    .command('verify')
    .description(
      'verify a bundle offline (no database, no network); prints valid | grace | expired | not_yet_valid | bad_signature | unknown_key and the reason; exit 0 only when valid (grace 3, expired 4, not_yet_valid 5, bad_signature 6, unknown_key 7)',
    )
    .argument('<file>', 'the bundle file, or - for stdin')
    .option('--key <b64url>', "pin the vendor's public key (repeatable)", collect, [])
    .option('--keys <file>', 'pin the keys in FILE: the JSON of /api/v1/keys, or one base64url key per line')
    .option('--at <time>', 'verify as of this time (RFC 3339) instead of now')
    .action(verifyCommand);

  program
    .command('signing-key')
    .description('the Ed25519 key that signs bundles and audit checkpoints')
    .command('rotate')
    .description('make a new signing key active; old keys are retired but stay published, so what they signed keeps verifying (not subject to four-eyes from the CLI)')
    .action(rotateCommand);
}
