import type { ReactNode } from 'react';
import type { JsonSchema } from '@/lib/openapi/schema';
import { Prose } from './prose';

// Renders JSON Schemas of the OpenAPI document as readable property tables. Named components
// appear as links to their own section (#schema-<Name>); inline objects are nested, a few levels deep.

export type Components = Record<string, JsonSchema>;

const REF_PREFIX = '#/components/schemas/';
const MAX_DEPTH = 3;

export function refName(schema: JsonSchema): string | null {
  return typeof schema.$ref === 'string' && schema.$ref.startsWith(REF_PREFIX) ? schema.$ref.slice(REF_PREFIX.length) : null;
}

function asSchema(value: unknown): JsonSchema {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as JsonSchema) : {};
}

function variants(schema: JsonSchema): JsonSchema[] | null {
  const list = schema.anyOf ?? schema.oneOf;
  return Array.isArray(list) ? list.map(asSchema) : null;
}

/** A short type label: `string`, `Tenant[]`, `string | null`, `enum`… */
export function TypeLabel({ schema }: { schema: JsonSchema }): ReactNode {
  const name = refName(schema);
  if (name) {
    return (
      <a href={`#schema-${name}`} className="font-mono text-brand-700 underline decoration-brand-100 underline-offset-2 hover:decoration-brand-600">
        {name}
      </a>
    );
  }
  const alternatives = variants(schema);
  if (alternatives) {
    return alternatives.map((s, i) => (
      <span key={i}>
        {i > 0 && <span className="text-slate-400"> | </span>}
        <TypeLabel schema={s} />
      </span>
    ));
  }
  const type = schema.type;
  if (Array.isArray(type)) return <span className="font-mono">{type.join(' | ')}</span>;
  if (type === 'array') {
    return (
      <span className="font-mono">
        <TypeLabel schema={asSchema(schema.items)} />
        []
      </span>
    );
  }
  if (typeof type === 'string')
    return (
      <span className="font-mono">
        {type}
        {typeof schema.format === 'string' ? ` (${schema.format})` : ''}
      </span>
    );
  if (Array.isArray(schema.enum)) return <span className="font-mono">enum</span>;
  if (schema.const !== undefined) return <span className="font-mono">{JSON.stringify(schema.const)}</span>;
  return <span className="font-mono text-slate-500">any</span>;
}

function constraintsOf(schema: JsonSchema): string[] {
  const out: string[] = [];
  const s = asSchema(Array.isArray(schema.type) || schema.type ? schema : (variants(schema)?.find((v) => v.type !== 'null') ?? schema));
  const add = (label: string, key: string) => {
    // zod's int() states the safe-integer range, which says nothing to a reader.
    if (typeof s[key] === 'number' && Math.abs(s[key]) === Number.MAX_SAFE_INTEGER) return;
    if (s[key] !== undefined) out.push(`${label} ${typeof s[key] === 'string' ? s[key] : JSON.stringify(s[key])}`);
  };
  if (Array.isArray(s.enum)) out.push(`one of ${s.enum.map((v) => JSON.stringify(v)).join(', ')}`);
  add('min', 'minimum');
  add('max', 'maximum');
  add('min length', 'minLength');
  add('max length', 'maxLength');
  add('min items', 'minItems');
  add('max items', 'maxItems');
  if (typeof s.pattern === 'string' && s.format === undefined) out.push(`pattern ${s.pattern}`);
  if (s.default !== undefined) out.push(`default ${JSON.stringify(s.default)}`);
  if (s.example !== undefined) out.push(`e.g. ${JSON.stringify(s.example)}`);
  return out;
}

function descriptionOf(schema: JsonSchema): string | undefined {
  if (typeof schema.description === 'string') return schema.description;
  return variants(schema)?.find((v) => typeof v.description === 'string')?.description as string | undefined;
}

/** The inline object a property holds (directly, as array items, or as the non-null variant). */
function nestedObject(schema: JsonSchema): JsonSchema | null {
  if (refName(schema)) return null;
  if (schema.properties) return schema;
  if (schema.type === 'array') return nestedObject(asSchema(schema.items));
  const alternatives = variants(schema);
  if (alternatives) return alternatives.map(nestedObject).find(Boolean) ?? null;
  return null;
}

export function PropertiesTable({ schema, depth = 0 }: { schema: JsonSchema; depth?: number }) {
  const properties = Object.entries(asSchema(schema.properties)).map(([name, s]) => [name, asSchema(s)] as const);
  const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
  if (properties.length === 0) return <p className="text-xs text-slate-600">An object{schema.additionalProperties === false ? ' with no fields' : ''}.</p>;
  return (
    <dl className={depth > 0 ? 'mt-1 border-l-2 border-slate-200 pl-3' : 'divide-y divide-slate-100'}>
      {properties.map(([name, prop]) => {
        const constraints = constraintsOf(prop);
        const nested = depth < MAX_DEPTH ? nestedObject(prop) : null;
        const description = descriptionOf(prop);
        return (
          <div key={name} className="py-1.5">
            <dt className="flex flex-wrap items-baseline gap-x-2">
              <code className="font-mono text-[13px] font-semibold text-slate-900">{name}</code>
              <span className="text-xs text-slate-600">
                <TypeLabel schema={prop} />
              </span>
              {required.has(name) && <span className="text-xs font-medium text-red-800">required</span>}
            </dt>
            <dd className="text-xs text-slate-700">
              {description && <Prose text={description} className="space-y-1" />}
              {constraints.length > 0 && <p className="text-slate-500">{constraints.join(' · ')}</p>}
              {nested && <PropertiesTable schema={nested} depth={depth + 1} />}
            </dd>
          </div>
        );
      })}
    </dl>
  );
}

/** A schema at the top of a body or response: its object fields, or its type for anything else. */
export function SchemaView({ schema, components }: { schema: JsonSchema; components: Components }) {
  const name = refName(schema);
  const target = name ? (components[name] ?? {}) : schema;
  const object = nestedObject(target);
  const description = descriptionOf(target);
  return (
    <div className="space-y-1">
      <p className="text-xs text-slate-600">
        Schema: <TypeLabel schema={schema} />
      </p>
      {description && <Prose text={description} className="space-y-1 text-xs text-slate-700" />}
      {object && target.type !== 'array' && <PropertiesTable schema={object} />}
    </div>
  );
}
