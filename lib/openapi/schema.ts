import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';

// zod → OpenAPI 3.1 Schema Objects, with zod 4's own converter. OpenAPI 3.1's schema dialect is
// JSON Schema 2020-12, so the draft-2020-12 target is used as is. Schemas given an id with
// `.meta({ id: 'Tenant' })` become named components (#/components/schemas/Tenant); when the
// request (input) form of a named schema differs from its response (output) form, the input form
// is named `<id>Input`.

export type JsonSchema = { [key: string]: unknown };

export type SchemaIo = 'input' | 'output';

const DEFS_REF = '#/$defs/';
const COMPONENTS_REF = '#/components/schemas/';

function rewriteRefs(node: unknown, rename: (name: string) => string): unknown {
  if (Array.isArray(node)) return node.map((n) => rewriteRefs(n, rename));
  if (node === null || typeof node !== 'object') return node;
  const out: JsonSchema = {};
  for (const [k, v] of Object.entries(node)) {
    out[k] = k === '$ref' && typeof v === 'string' && v.startsWith(DEFS_REF) ? `${COMPONENTS_REF}${rename(v.slice(DEFS_REF.length))}` : rewriteRefs(v, rename);
  }
  return out;
}

export class SchemaCollector {
  /** Named schemas collected so far, for `components.schemas`. */
  readonly components: Record<string, JsonSchema> = {};

  /** The Schema Object for `schema`; its named parts are moved to `components`. */
  convert(schema: z.ZodType, io: SchemaIo): JsonSchema {
    const json = z.toJSONSchema(schema, {
      target: 'draft-2020-12',
      io,
      // Transforms and refinements have no JSON Schema form: their input/output side is shown.
      unrepresentable: 'any',
      cycles: 'ref',
      reused: 'inline',
    }) as JsonSchema;
    delete json.$schema;
    const defs = (json.$defs ?? {}) as Record<string, JsonSchema>;
    delete json.$defs;

    // Pick a component name for each definition: its id, unless that name already holds a
    // different schema (the other io form, or a clash), then a suffixed one.
    const names = new Map<string, string>();
    for (const [name, def] of Object.entries(defs)) {
      const base = name.startsWith('__') ? `Schema${name.replace(/\W/g, '')}` : name;
      const candidates = [base, `${base}${io === 'input' ? 'Input' : 'Output'}`];
      for (let i = 2; candidates.length < 50; i++) candidates.push(`${base}${i}`);
      const rewritten = (d: JsonSchema, chosen: string) => rewriteRefs(d, (n) => (n === name ? chosen : (names.get(n) ?? n))) as JsonSchema;
      const chosen = candidates.find((c) => !this.components[c] || isDeepStrictEqual(this.components[c], rewritten(def, c))) ?? `${base}${Date.now()}`;
      names.set(name, chosen);
    }
    const rename = (n: string) => names.get(n) ?? n;
    for (const [name, def] of Object.entries(defs)) this.components[rename(name)] = rewriteRefs(def, rename) as JsonSchema;
    return rewriteRefs(json, rename) as JsonSchema;
  }
}

/** Whether a request part may be omitted (an optional zod schema, or one with a default). */
export function isOptionalInput(schema: z.ZodType): boolean {
  return (schema as unknown as { _zod: { optin?: string } })._zod.optin === 'optional';
}
