/**
 * Demo data of the embedded default: seeded on the first `npm start`, and its sign-in credentials
 * kept in .data/demo-credentials.json (mode 0600) so that later starts can print them again.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';

import { dataDir, demoCredentialsFile } from './paths';

export type DemoCredential = { role: string; scope?: string; email: string; password: string };

export async function readDemoCredentials(): Promise<DemoCredential[] | null> {
  try {
    const parsed = JSON.parse(await readFile(demoCredentialsFile, 'utf8')) as { credentials?: DemoCredential[] };
    return parsed.credentials ?? null;
  } catch {
    return null;
  }
}

async function writeDemoCredentials(credentials: DemoCredential[]): Promise<void> {
  await mkdir(dataDir, { recursive: true });
  const body = { note: 'Demo sign-in credentials of the embedded database (fictional data).', credentials };
  await writeFile(demoCredentialsFile, `${JSON.stringify(body, null, 2)}\n`, { mode: 0o600 });
}

/** Seeds the demo data; `store` keeps the credentials in .data/ (embedded database only). */
export async function seedDemoData(options: { store: boolean }): Promise<DemoCredential[]> {
  const { seedDemo } = await import('@/prisma/seed');
  const { credentials } = await seedDemo();
  if (options.store) await writeDemoCredentials(credentials);
  return credentials;
}

export async function databaseHasData(): Promise<boolean> {
  const { hasData } = await import('@/prisma/seed');
  return hasData();
}

export function formatCredentials(credentials: DemoCredential[]): string {
  const widths = {
    role: Math.max(...credentials.map((c) => c.role.length)),
    scope: Math.max(...credentials.map((c) => (c.scope ?? '').length)),
    email: Math.max(...credentials.map((c) => c.email.length)),
  };
  return credentials.map((c) => `  ${c.role.padEnd(widths.role)}  ${(c.scope ?? '').padEnd(widths.scope)}  ${c.email.padEnd(widths.email)}  ${c.password}`).join('\n');
}
