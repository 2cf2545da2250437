/**
 * For commands that run Charter's own code (start, create-owner, seed, audit, keys…): resolve the
 * database, make sure its migrations are applied, and run the start-up tasks (signing key). Only
 * after this may lib/core/db and lib/services be imported, since lib/core/db reads DATABASE_URL on import.
 */
import { CliError } from './cli-error';
import { resolveDatabase, type ResolvedDatabase } from './database';
import { migrateDeploy, pendingMigrationsCheap, type Reporter } from '@/lib/runtime/migrations/engine';

export type AppDatabaseOptions = {
  /**
   * `always`: apply pending migrations (npm start). `embedded` (default): apply them on the embedded
   * database, refuse to run against DATABASE_URL with pending migrations (the operator migrates).
   */
  migrate?: 'always' | 'embedded';
  log?: (message: string) => void;
  announceStop?: boolean;
};

const stderrLog = (message: string) => process.stderr.write(`${message}\n`);

export async function openAppDatabase(options: AppDatabaseOptions = {}): Promise<ResolvedDatabase> {
  const log = options.log ?? stderrLog;
  const database = await resolveDatabase({ log, announceStop: options.announceStop });
  const reporter: Reporter = { info: () => {}, warn: stderrLog };
  if (database.embedded || options.migrate === 'always') {
    const applied = await migrateDeploy({ databaseUrl: database.url, reporter });
    if (applied.length > 0) log(`Applied ${applied.length} migration(s): ${applied.join(', ')}`);
  } else {
    const status = await pendingMigrationsCheap({ databaseUrl: database.url });
    if (status.pending.length > 0) {
      throw new CliError(`the database has ${status.pending.length} pending migration(s); run \`charter db migrate\` first`);
    }
  }
  const { bootstrap } = await import('@/lib/runtime/bootstrap');
  await bootstrap();
  return database;
}
