/**
 * `charter audit export` (the verifiable export, as the system actor) and `charter audit verify`
 * (offline: it never touches a database, so this module imports no database code at the top level;
 * the export loads it inside its action).
 */
import { once } from 'node:events'
import { createReadStream, createWriteStream } from 'node:fs'
import { rename, rm } from 'node:fs/promises'
import path from 'node:path'
import { randomBytes } from 'node:crypto'
import type { Writable } from 'node:stream'
import { finished } from 'node:stream/promises'

import { type Command, Option } from 'commander'

import { linesOf, verifyExport, type PinnedKey, type VerifyResult } from '@/lib/audit/verify'
import { kidOf } from '@/lib/crypto/ed25519'
import { AUDIT_EXPORT_FORMATS, auditExportFilter, type AuditExportFormat } from '@/lib/schemas/audit-export'
import type { ExportAuditChainResult } from '@/lib/services/audit-export'
import { CliError } from '../cli-error'
import { exitAfterCleanup, onCleanup } from '../lifecycle'

type ExportOptions = {
  chain: string
  out?: string
  format: AuditExportFormat
  from?: string
  to?: string
  action?: string
  actor?: string
}

const err = (message: string) => process.stderr.write(`${message}\n`)

/** Waits until everything written to `stream` has been handed to the OS (process.exit would drop it). */
function flushed(stream: Writable): Promise<void> {
  return new Promise((resolve, reject) => stream.write('', (error) => (error ? reject(error) : resolve())))
}

/** Writes the export to FILE through a temporary file beside it, renamed only on success. */
async function exportToFile(file: string, run: (out: Writable) => Promise<ExportAuditChainResult>): Promise<ExportAuditChainResult> {
  const target = path.resolve(file)
  const temp = path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(4).toString('hex')}.partial`)
  // Also on Ctrl-C: no partial file is left behind. After the rename this is a no-op.
  onCleanup(() => rm(temp, { force: true }))
  // Audit logs are personal and regulated data: readable by the exporting OS user only. `flush`
  // fsyncs before close, so the renamed file is complete on disk.
  const stream = createWriteStream(temp, { flags: 'wx', mode: 0o600, flush: true })
  try {
    await once(stream, 'open')
  } catch (error) {
    throw new CliError(`cannot write ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`)
  }
  try {
    const result = await run(stream)
    stream.end()
    await finished(stream)
    await rename(temp, target)
    return result
  } catch (error) {
    stream.destroy()
    await rm(temp, { force: true })
    throw error
  }
}

async function exportCommand(options: ExportOptions): Promise<void> {
  const filter = auditExportFilter.parse({ from: options.from, to: options.to, action: options.action, actorId: options.actor })
  const { openAppDatabase } = await import('../app-database')
  await openAppDatabase()
  const { exportAuditChain } = await import('@/lib/services/audit-export')
  const { systemCtx } = await import('@/lib/auth/system')
  const ctx = systemCtx('audit export')
  const run = (out: Writable) => exportAuditChain({ ctx, chain: options.chain, out, format: options.format, filter })

  let result: ExportAuditChainResult
  if (options.out) {
    result = await exportToFile(options.out, run)
  } else {
    result = await run(process.stdout)
    await flushed(process.stdout)
  }
  const counts = result.omitted > 0 ? `${result.events} events, ${result.omitted} omitted` : `${result.events} events`
  const chain = result.label === result.chain ? result.chain : `${result.label} (${result.chain})`
  err(`exported audit chain ${chain} seq ${result.fromSeq}..${result.toSeq} (${counts}), checkpoint signed by kid ${result.checkpoint.kid} → ${options.out ?? 'stdout'}`)
  if (!result.intact) {
    err(`warning: the stored chain does not verify from seq ${result.firstMismatchSeq}: audit rows were changed outside Charter; the export keeps them as evidence and will not verify`)
  }
}

function pinnedKey(value: string): PinnedKey {
  const raw = Buffer.from(value, 'base64url')
  if (raw.length !== 32 || raw.toString('base64url') !== value) {
    throw new CliError(`--key ${value}: not an Ed25519 public key (32 bytes, base64url without padding)`)
  }
  return { kid: kidOf(value), publicKey: value }
}

export function describeVerifyResult(result: VerifyResult): string {
  if (!result.ok) return `invalid: ${result.reason}`
  const omitted = result.omitted > 0 ? `, ${result.omitted} omitted by the export's filter` : ''
  return `valid: chain ${result.chain} seq ${result.fromSeq}..${result.toSeq}, ${result.events} events${omitted}, checkpoint signed by kid ${result.kid}`
}

async function verifyCommand(file: string, options: { key: string[] }): Promise<void> {
  const pinnedKeys = options.key.length > 0 ? options.key.map(pinnedKey) : undefined
  if (!pinnedKeys) {
    err('warning: no --key given: the checkpoint is checked against the keys in the file itself, which proves integrity but not origin; pin the published key with --key')
  }
  const input = file === '-' ? process.stdin : createReadStream(file)
  let result: VerifyResult
  try {
    result = await verifyExport(linesOf(input), { pinnedKeys })
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw new CliError(code ? `cannot read ${file}: ${code}` : `cannot verify ${file}: ${(error as Error).message}`)
  } finally {
    if (input !== process.stdin) input.destroy()
  }
  process.stdout.write(`${describeVerifyResult(result)}\n`)
  if (!result.ok) await exitAfterCleanup(1)
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value]
}

export function registerAuditCommands(program: Command): void {
  const audit = program.command('audit').description('audit logs: verifiable export and offline verification')

  audit
    .command('export')
    .description('write a verifiable NDJSON export of one audit chain (DESIGN.md "Audit export"), as the system actor')
    .requiredOption('--chain <chain>', 'tenant slug, or "platform"')
    .option('--out <file>', 'write to FILE (atomically) instead of stdout')
    .addOption(new Option('--format <format>', 'output format').choices([...AUDIT_EXPORT_FORMATS]).default('ndjson'))
    .option('--from <time>', 'reveal only events at or after this RFC 3339 time (others are exported as omitted)')
    .option('--to <time>', 'reveal only events before this RFC 3339 time')
    .option('--action <action>', 'reveal only events with this action')
    .option('--actor <id>', 'reveal only events by this actor id')
    .action(exportCommand)

  audit
    .command('verify')
    .description('verify an audit export offline (no database): exit 0 if valid, 1 if not')
    .argument('<file>', 'the export file, or - for stdin')
    .option('--key <b64url>', 'pin a published public key (repeatable); without it the keys in the file are used', collect, [])
    .action(verifyCommand)
}
