/**
 * `charter dora export`: the DORA register-of-information CSV files of a financial-entity tenant
 * (one per template, with the template's column codes), as the system actor, audited.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';

import type { Command } from 'commander';

import { DORA_ENTITY_TYPES, type DoraEntityType, doraExportInput } from '@/lib/modules/dora-register/schema';
import { CliError } from '../cli-error';
import { writeFileAtomically } from './bundle';

type ExportOptions = { tenant: string; out: string; entityType?: string; competentAuthority?: string; reportingDate?: string };

const err = (message: string) => process.stderr.write(`${message}\n`);

async function exportCommand(options: ExportOptions): Promise<void> {
  if (options.entityType && !(options.entityType in DORA_ENTITY_TYPES)) {
    throw new CliError(`--entity-type ${options.entityType}: not a LIST0101040 code (e.g. ${Object.keys(DORA_ENTITY_TYPES).slice(0, 3).join(', ')} …)`);
  }
  const { openAppDatabase } = await import('../app-database');
  await openAppDatabase();
  const { systemCtx } = await import('@/lib/access/system');
  const { db } = await import('@/lib/core/db');
  const tenant = await db.tenant.findUnique({ where: { slug: options.tenant.trim().toLowerCase() }, select: { id: true } });
  if (!tenant) throw new CliError(`tenant "${options.tenant}" was not found`);
  const input = doraExportInput.parse({
    tenantId: tenant.id,
    entityType: options.entityType as DoraEntityType | undefined,
    competentAuthority: options.competentAuthority,
    reportingDate: options.reportingDate,
  });
  const { exportDoraRegister } = await import('@/lib/modules/dora-register/service');
  const result = await exportDoraRegister(systemCtx('dora export'), input);
  await mkdir(options.out, { recursive: true });
  for (const file of result.files) await writeFileAtomically(path.join(options.out, file.fileName), file.csv);
  process.stdout.write(`${result.files.map((f) => path.join(options.out, f.fileName)).join('\n')}\n`);
  err(`exported the register of ${result.tenant.legalName}: ${result.contracts} arrangement(s), ${result.files.length} templates → ${options.out}`);
  for (const gap of result.gaps) err(`  empty ${gap.template.toUpperCase()}.${gap.column.slice(1)}: ${gap.reason}`);
}

export function registerDoraCommands(program: Command): void {
  program
    .command('dora')
    .description('DORA register of information (Regulation (EU) 2024/2956)')
    .command('export')
    .description("write a financial-entity tenant's register CSV files (b_01.01.csv …, template column codes)")
    .requiredOption('--tenant <slug>', 'the tenant (sector FINANCE)')
    .option('--out <dir>', 'directory to write the CSV files into', '.')
    .option('--entity-type <code>', 'B_01.01.0040, e.g. eba_CT:x12 (credit institution)')
    .option('--competent-authority <name>', 'B_01.01.0050')
    .option('--reporting-date <date>', 'B_01.01.0060 (YYYY-MM-DD; default today)')
    .action(exportCommand);
}
