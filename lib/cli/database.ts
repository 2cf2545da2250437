/**
 * Which PostgreSQL a command uses: DATABASE_URL when it is set, otherwise the embedded cluster of
 * `npm start` in .data/pg (started if needed, joined if already running), with database `charter`.
 * Also fills the app secrets from .data/secrets.json when they are not set.
 */
import path from 'node:path';

import { acquireCluster } from './embedded-postgres';
import { onCleanup } from './lifecycle';
import { dataDir, displayPath, secretsFile } from './paths';
import { ensureAppSecrets } from './secrets';

export const DEFAULT_EMBEDDED_PORT = 54329;
export const EMBEDDED_DATABASE = 'charter';

export type ResolvedDatabase = {
  url: string;
  /** True for the embedded cluster (false: DATABASE_URL). */
  embedded: boolean;
  /** Human-readable description for messages (no password). */
  description: string;
};

export function parsePort(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`${name} must be a port number (got "${value}")`);
  return port;
}

export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.href;
  } catch {
    return '(invalid URL)';
  }
}

/**
 * Resolves the database and sets process.env.DATABASE_URL, before any module that reads it
 * (lib/core/db) is imported. The embedded cluster is released when the command ends. `appSecrets: false`
 * for commands that run no app code (db migrate, status, drift…).
 */
export async function resolveDatabase(options: { log?: (message: string) => void; appSecrets?: boolean; announceStop?: boolean } = {}): Promise<ResolvedDatabase> {
  const log = options.log ?? ((message: string) => process.stderr.write(`${message}\n`));
  const configured = process.env.DATABASE_URL;
  if (options.appSecrets !== false) {
    const generated = await ensureAppSecrets();
    if (configured && generated.length > 0) {
      log(`Note: ${generated.join(' and ')} not set; using the values generated in ${displayPath(secretsFile)} (set them explicitly in production).`);
    }
  }
  if (configured) {
    return { url: configured, embedded: false, description: redactUrl(configured) };
  }
  const port = parsePort(process.env.CHARTER_EMBEDDED_PG_PORT, DEFAULT_EMBEDDED_PORT, 'CHARTER_EMBEDDED_PG_PORT');
  const cluster = await acquireCluster({ dataDir: path.join(dataDir, 'pg'), port, passwordSecret: 'postgresPassword', log, announceStop: options.announceStop });
  onCleanup(() => cluster.release());
  await cluster.ensureDatabase(EMBEDDED_DATABASE);
  const url = cluster.url(EMBEDDED_DATABASE);
  process.env.DATABASE_URL = url;
  const state = cluster.startedHere ? 'started' : 'already running';
  return { url, embedded: true, description: `embedded PostgreSQL on 127.0.0.1:${cluster.port} (${state}), database "${EMBEDDED_DATABASE}"` };
}
