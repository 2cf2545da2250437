import { Card } from '@/components/ui/card';
import { PageHeader } from '@/components/ui/page-header';
import type { OpenApiDocument, OperationObject } from '@/lib/openapi/document';
import { Operation, operationAnchor } from './operation';
import { Prose } from './prose';
import { PropertiesTable, TypeLabel } from './schema-view';

type Entry = { path: string; method: string; op: OperationObject };

/**
 * The API reference, rendered on the server from the generated OpenAPI document: operations grouped
 * by tag, with scope, parameters, body and responses, then the named schemas. No client code.
 */
export function ApiReference({ doc }: { doc: OpenApiDocument }) {
  const byTag = new Map<string, Entry[]>(doc.tags.map((t) => [t.name, []]));
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!op) continue;
      const tag = op.tags[0] ?? 'Other';
      let entries = byTag.get(tag);
      if (!entries) {
        entries = [];
        byTag.set(tag, entries);
      }
      entries.push({ path, method, op });
    }
  }
  const groups = [...byTag.entries()].filter(([, entries]) => entries.length > 0);
  const tagDescription = new Map(doc.tags.map((t) => [t.name, t.description]));
  const schemas = Object.entries(doc.components.schemas);

  return (
    <div className="space-y-6">
      <PageHeader
        title="API reference"
        description={`${doc.info.title} ${doc.info.version} · OpenAPI ${doc.openapi}`}
        actions={
          <a
            href="/api/v1/openapi.json"
            download="charter-openapi.json"
            className="inline-flex items-center rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-800 shadow-sm hover:bg-slate-50"
          >
            Download openapi.json
          </a>
        }
      />

      <div className="grid gap-6 lg:grid-cols-[14rem_minmax(0,1fr)]">
        <nav aria-label="Operations" className="lg:sticky lg:top-4 lg:max-h-[calc(100vh-2rem)] lg:self-start lg:overflow-y-auto">
          <ul className="space-y-3 text-xs">
            <li>
              <a href="#overview" className="font-semibold text-slate-900 hover:underline">
                Overview
              </a>
            </li>
            {groups.map(([tag, entries]) => (
              <li key={tag}>
                <a href={`#tag-${tag}`} className="font-semibold text-slate-900 hover:underline">
                  {tag}
                </a>
                <ul className="mt-1 space-y-0.5">
                  {entries.map(({ path, method, op }) => (
                    <li key={`${method} ${path}`}>
                      <a href={`#${operationAnchor(op)}`} className="flex items-center gap-1.5 rounded px-1 py-0.5 text-slate-700 hover:bg-slate-100">
                        <span className="w-10 shrink-0 font-mono text-[10px] font-semibold text-slate-500 uppercase">{method}</span>
                        <span className="truncate font-mono">{path.replace(/^\/api\/v1/, '')}</span>
                      </a>
                    </li>
                  ))}
                </ul>
              </li>
            ))}
            <li>
              <a href="#schemas" className="font-semibold text-slate-900 hover:underline">
                Schemas
              </a>
            </li>
          </ul>
        </nav>

        <div className="min-w-0 space-y-8">
          <Card title="Overview" titleId="overview">
            <Prose text={doc.info.description} />
          </Card>

          {groups.map(([tag, entries]) => (
            <section key={tag} aria-labelledby={`tag-${tag}`} className="space-y-3">
              <div>
                <h2 id={`tag-${tag}`} className="scroll-mt-4 text-lg font-semibold text-slate-900">
                  {tag}
                </h2>
                {tagDescription.get(tag) && <p className="text-sm text-slate-600">{tagDescription.get(tag)}</p>}
              </div>
              {entries.map(({ path, method, op }) => (
                <Operation key={`${method} ${path}`} doc={doc} path={path} method={method} op={op} />
              ))}
            </section>
          ))}

          <section aria-labelledby="schemas" className="space-y-3">
            <h2 id="schemas" className="scroll-mt-4 text-lg font-semibold text-slate-900">
              Schemas
            </h2>
            {schemas.map(([name, schema]) => (
              <Card
                key={name}
                title={
                  <span id={`schema-${name}`} className="scroll-mt-4 font-mono">
                    {name}
                  </span>
                }
              >
                {typeof schema.description === 'string' && <Prose text={schema.description} className="mb-2 space-y-1 text-xs text-slate-700" />}
                {schema.properties ? (
                  <PropertiesTable schema={schema} />
                ) : (
                  <p className="text-xs text-slate-700">
                    <TypeLabel schema={schema} />
                  </p>
                )}
              </Card>
            ))}
          </section>
        </div>
      </div>
    </div>
  );
}
