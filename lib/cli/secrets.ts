/**
 * Secrets of the embedded default, generated once into .data/secrets.json (mode 0600) and reused,
 * so that a newcomer needs to configure nothing. An operator sets NEXTAUTH_SECRET and
 * CHARTER_ENCRYPTION_KEY explicitly; those always win.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { withFileLock } from './file-lock';
import { dataDir, displayPath, secretsFile } from './paths';

export type SecretName = 'nextauthSecret' | 'encryptionKey' | 'postgresPassword' | 'testPostgresPassword';

type SecretsFile = Partial<Record<SecretName, string>>;

const GENERATORS: Record<SecretName, () => string> = {
  nextauthSecret: () => randomBytes(32).toString('base64url'),
  encryptionKey: () => randomBytes(32).toString('base64'),
  postgresPassword: () => randomBytes(24).toString('base64url'),
  testPostgresPassword: () => randomBytes(24).toString('base64url'),
};

async function readSecrets(): Promise<SecretsFile> {
  try {
    return JSON.parse(await readFile(secretsFile, 'utf8')) as SecretsFile;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new Error(`cannot read ${displayPath(secretsFile)}: ${(error as Error).message}`);
  }
}

/**
 * Creates .data/ private to its owner; as root, others may only traverse it, because the embedded
 * PostgreSQL runs as the OS user `postgres` and must reach its data directory inside.
 */
export async function ensureDataDir(): Promise<void> {
  await mkdir(dataDir, { recursive: true });
  await chmod(dataDir, process.getuid?.() === 0 ? 0o711 : 0o700).catch(() => {});
}

/** Returns the stored secret, generating and storing it first if needed. */
export async function getOrCreateSecret(name: SecretName): Promise<string> {
  const existing = (await readSecrets())[name];
  if (existing) return existing;
  await ensureDataDir();
  return withFileLock(path.join(dataDir, 'secrets.lock'), async () => {
    const secrets = await readSecrets(); // another process may have just written it
    const stored = secrets[name];
    if (stored) return stored;
    const value = GENERATORS[name]();
    const tmp = `${secretsFile}.${process.pid}.tmp`;
    await writeFile(tmp, `${JSON.stringify({ ...secrets, [name]: value }, null, 2)}\n`, { mode: 0o600 });
    await chmod(tmp, 0o600);
    await rename(tmp, secretsFile);
    return value;
  });
}

/**
 * Sets NEXTAUTH_SECRET and CHARTER_ENCRYPTION_KEY from .data/secrets.json when they are unset.
 * Returns the names it generated or loaded, for a notice.
 */
export async function ensureAppSecrets(): Promise<string[]> {
  const filled: string[] = [];
  if (!process.env.NEXTAUTH_SECRET) {
    process.env.NEXTAUTH_SECRET = await getOrCreateSecret('nextauthSecret');
    filled.push('NEXTAUTH_SECRET');
  }
  if (!process.env.CHARTER_ENCRYPTION_KEY) {
    process.env.CHARTER_ENCRYPTION_KEY = await getOrCreateSecret('encryptionKey');
    filled.push('CHARTER_ENCRYPTION_KEY');
  }
  return filled;
}
