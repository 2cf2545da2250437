import type { ReactNode } from 'react';
import { Badge, type BadgeTone } from '@/components/ui/badge';
import type { OpenApiDocument, OperationObject, ParameterObject, ResponseObject } from '@/lib/openapi/document';
import { Prose } from './prose';
import { SchemaView, TypeLabel } from './schema-view';

const METHOD_TONES: Record<string, BadgeTone> = { get: 'info', post: 'success', put: 'warning', patch: 'warning', delete: 'danger' };

export function operationAnchor(op: OperationObject): string {
  return `op-${op.operationId}`;
}

function resolve<T>(doc: OpenApiDocument, value: T | { $ref: string }): T {
  if (value && typeof value === 'object' && '$ref' in value && typeof value.$ref === 'string') {
    const [, , kind, name] = value.$ref.split('/');
    const table = (doc.components as Record<string, Record<string, unknown>>)[kind ?? ''];
    return (table?.[name ?? ''] ?? {}) as T;
  }
  return value as T;
}

function MethodBadge({ method }: { method: string }) {
  return (
    <Badge tone={METHOD_TONES[method] ?? 'neutral'} className="w-14 justify-center font-mono uppercase">
      {method}
    </Badge>
  );
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <div className="space-y-1.5">
      <h4 className="text-xs font-semibold tracking-wide text-slate-600 uppercase">{title}</h4>
      {children}
    </div>
  );
}

function ParametersTable({ parameters }: { parameters: ParameterObject[] }) {
  return (
    <div className="overflow-x-auto rounded-md border border-slate-200">
      <table className="min-w-full text-xs">
        <thead className="bg-slate-50 text-left text-slate-600">
          <tr>
            <th scope="col" className="px-2 py-1.5 font-semibold">
              Name
            </th>
            <th scope="col" className="px-2 py-1.5 font-semibold">
              In
            </th>
            <th scope="col" className="px-2 py-1.5 font-semibold">
              Type
            </th>
            <th scope="col" className="px-2 py-1.5 font-semibold">
              Description
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {parameters.map((p) => (
            <tr key={`${p.in}-${p.name}`} className="align-top">
              <td className="px-2 py-1.5 whitespace-nowrap">
                <code className="font-mono font-semibold text-slate-900">{p.name}</code>
                {p.required && <span className="ml-1 text-red-800">required</span>}
              </td>
              <td className="px-2 py-1.5 text-slate-600">{p.in}</td>
              <td className="px-2 py-1.5 whitespace-nowrap text-slate-700">
                <TypeLabel schema={p.schema} />
                {p.schema.default !== undefined && <span className="text-slate-500"> = {JSON.stringify(p.schema.default)}</span>}
              </td>
              <td className="px-2 py-1.5 text-slate-700">
                {p.description && <Prose text={p.description} className="space-y-1" />}
                {Array.isArray(p.schema.enum) && <p className="text-slate-500">one of {p.schema.enum.map((v) => JSON.stringify(v)).join(', ')}</p>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function ResponseRow({ status, response, doc }: { status: string; response: ResponseObject; doc: OpenApiDocument }) {
  const [mediaType, media] = Object.entries(response.content ?? {})[0] ?? [];
  const ok = status.startsWith('2');
  return (
    <li className="py-2">
      <div className="flex flex-wrap items-baseline gap-2">
        <Badge tone={ok ? 'success' : 'muted'} className="font-mono">
          {status}
        </Badge>
        <div className="min-w-0 flex-1 text-xs text-slate-700">
          <Prose text={response.description} className="space-y-1" />
        </div>
        {mediaType && <span className="font-mono text-xs text-slate-500">{mediaType}</span>}
      </div>
      {ok && media && (
        <div className="mt-1.5 ml-1">
          <SchemaView schema={media.schema} components={doc.components.schemas} />
        </div>
      )}
      {ok && response.headers && (
        <p className="mt-1 ml-1 text-xs text-slate-500">
          Headers:{' '}
          {Object.keys(response.headers).map((h, i) => (
            <span key={h}>
              {i > 0 && ', '}
              <code className="font-mono">{h}</code>
            </span>
          ))}
        </p>
      )}
    </li>
  );
}

export function Operation({ doc, path, method, op }: { doc: OpenApiDocument; path: string; method: string; op: OperationObject }) {
  const parameters = op.parameters.map((p) => resolve<ParameterObject>(doc, p));
  const permission = op['x-charter-permission'];
  return (
    <article id={operationAnchor(op)} className="scroll-mt-4 rounded-lg border border-slate-200 bg-white shadow-sm" aria-labelledby={`${operationAnchor(op)}-title`}>
      <header className="flex flex-wrap items-center gap-2 border-b border-slate-200 px-4 py-2.5">
        <MethodBadge method={method} />
        <code className="font-mono text-sm font-semibold break-all text-slate-900">{path}</code>
        <span className="ml-auto">
          {permission ? (
            <Badge tone="neutral" className="font-mono">
              scope {permission}
            </Badge>
          ) : (
            <Badge tone="muted">public, no key needed</Badge>
          )}
        </span>
      </header>
      <div className="space-y-4 px-4 py-3">
        <div className="space-y-1">
          <h3 id={`${operationAnchor(op)}-title`} className="text-sm font-semibold text-slate-900">
            {op.summary}
          </h3>
          {op.description && <Prose text={op.description} className="space-y-1 text-xs text-slate-700" />}
        </div>
        {parameters.length > 0 && (
          <Section title="Parameters">
            <ParametersTable parameters={parameters} />
          </Section>
        )}
        {op.requestBody && (
          <Section title={`Request body${op.requestBody.required ? '' : ' (optional)'} · application/json`}>
            <SchemaView schema={op.requestBody.content['application/json']?.schema ?? {}} components={doc.components.schemas} />
          </Section>
        )}
        <Section title="Responses">
          <ul className="divide-y divide-slate-100">
            {Object.entries(op.responses).map(([status, r]) => (
              <ResponseRow key={status} status={status} response={resolve<ResponseObject>(doc, r)} doc={doc} />
            ))}
          </ul>
        </Section>
      </div>
    </article>
  );
}
