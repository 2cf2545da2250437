/**
 * Where Charter's own files are. Everything is resolved from this file's location, never from the
 * current directory, so that `npx charter …` works from any directory.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Local state of the embedded default: database clusters, generated secrets, demo credentials. */
export const dataDir = process.env.CHARTER_DATA_DIR ? path.resolve(process.env.CHARTER_DATA_DIR) : path.join(projectRoot, '.data');

export const secretsFile = path.join(dataDir, 'secrets.json');
export const demoCredentialsFile = path.join(dataDir, 'demo-credentials.json');

/** Path relative to the project root, for messages. */
export function displayPath(file: string): string {
  const relative = path.relative(projectRoot, file);
  return relative.startsWith('..') ? file : relative;
}
