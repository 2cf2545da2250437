import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { API_ROUTES } from './routes';

// Next.js serves /api/v1 from app/api/v1/**/route.ts, `charter serve` from API_ROUTES: both must be
// the same handlers. So every route file is a thin re-export of one module of lib/api/v1 (read as
// text: lib/ imports nothing from app/), and the table lists that very module under the route's
// path template, with the same methods.

const root = path.resolve(import.meta.dirname, '../../..');
const apiDir = path.join(root, 'app/api/v1');
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
const SEGMENT_CONFIG = /^export const (dynamic|dynamicParams|revalidate|fetchCache|runtime|preferredRegion|maxDuration) = .+;$/;

/** app/api/v1/deployments/[id]/route.ts → /api/v1/deployments/{id} */
function templateOf(file: string): string {
  const dir = path.relative(path.join(root, 'app'), path.dirname(file)).split(path.sep);
  return `/${dir.map((s) => s.replace(/^\[(?:\.\.\.)?(.+)\]$/, '{$1}')).join('/')}`;
}

const routeFiles = (readdirSync(apiDir, { recursive: true }) as string[])
  .filter((f) => path.basename(f) === 'route.ts' || path.basename(f) === 'route.tsx')
  .map((f) => path.join(apiDir, f))
  .sort();

/** `export { GET, getX as POST } from '@/lib/api/v1/x';` → the module and exported name → source name. */
function reExportOf(text: string): { module: string; names: Map<string, string> } | null {
  const code = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('//') && !SEGMENT_CONFIG.test(l));
  const m = code.length === 1 ? /^export \{([^}]+)\} from '@\/lib\/api\/v1\/([\w./-]+)';$/.exec(code[0] ?? '') : null;
  if (!m?.[1] || !m[2]) return null;
  const names = new Map<string, string>();
  for (const part of m[1].split(',')) {
    const [source, exported = source] = part.trim().split(/\s+as\s+/);
    if (source) names.set(exported, source);
  }
  return { module: m[2], names };
}

describe('the /api/v1 route table', () => {
  it('has one entry per route file under app/api/v1, and nothing else', () => {
    expect(routeFiles.length).toBeGreaterThan(0);
    expect(Object.keys(API_ROUTES).sort()).toEqual(routeFiles.map(templateOf).sort());
  });

  it.each(routeFiles.map((f) => [path.relative(root, f), f]))('%s re-exports the table entry of its path, and nothing else', async (_name, file) => {
    const reExport = reExportOf(readFileSync(file, 'utf8'));
    expect(reExport, 'a route file holds only one re-export of a lib/api/v1 module, and segment config').not.toBeNull();
    if (!reExport) return;
    const template = templateOf(file);
    const entry = API_ROUTES[template as keyof typeof API_ROUTES] as Record<string, unknown> | undefined;
    expect(entry, `${template} is not in the table`).toBeDefined();
    // The module as the route file names it: a path computed from the file's text, not a cycle.
    // eslint-disable-next-line no-restricted-syntax -- the test loads whatever module a route file names
    const source = (await import(pathToFileURL(path.join(root, 'lib/api/v1', `${reExport.module}.ts`)).href)) as Record<string, unknown>;
    expect([...reExport.names.keys()].sort()).toEqual(METHODS.filter((m) => entry?.[m] !== undefined).sort());
    for (const [exported, name] of reExport.names) {
      expect(METHODS, `${exported} is not an HTTP method`).toContain(exported);
      expect(source[name], `${template} ${exported}: the route file and the table name different handlers`).toBe(entry?.[exported]);
    }
  });
});
