import Markdown, { type Components } from 'react-markdown';
import remarkGfm from 'remark-gfm';

// Release notes are Markdown written by people, so they are rendered as untrusted input:
// react-markdown builds React elements (never innerHTML), raw HTML in the source is dropped
// (skipHtml; there is no rehype-raw), and link targets go through its URL filter (no javascript: and the like). Images are not
// rendered at all — an air-gapped console must not fetch anything — and links never carry the
// console's referrer or opener.

const components: Components = {
  h1: ({ children }) => <h3 className="mt-4 text-base font-semibold text-slate-900 first:mt-0">{children}</h3>,
  h2: ({ children }) => <h3 className="mt-4 text-base font-semibold text-slate-900 first:mt-0">{children}</h3>,
  h3: ({ children }) => <h4 className="mt-3 text-sm font-semibold text-slate-900 first:mt-0">{children}</h4>,
  h4: ({ children }) => <h5 className="mt-3 text-sm font-semibold text-slate-800">{children}</h5>,
  p: ({ children }) => <p className="mt-2 first:mt-0">{children}</p>,
  ul: ({ children }) => <ul className="mt-2 list-disc space-y-1 pl-5">{children}</ul>,
  ol: ({ children }) => <ol className="mt-2 list-decimal space-y-1 pl-5">{children}</ol>,
  a: ({ href, children }) => (
    <a href={href} rel="noopener noreferrer nofollow" target="_blank" className="text-brand-700 underline">
      {children}
    </a>
  ),
  code: ({ children }) => <code className="rounded bg-slate-100 px-1 font-mono text-[0.85em] text-slate-900">{children}</code>,
  pre: ({ children }) => <pre className="mt-2 overflow-x-auto rounded bg-slate-100 p-2 text-xs">{children}</pre>,
  blockquote: ({ children }) => <blockquote className="mt-2 border-l-2 border-slate-300 pl-3 text-slate-700">{children}</blockquote>,
  table: ({ children }) => <table className="mt-2 border-collapse text-xs">{children}</table>,
  th: ({ children }) => <th className="border border-slate-200 bg-slate-50 px-2 py-1 text-left">{children}</th>,
  td: ({ children }) => <td className="border border-slate-200 px-2 py-1">{children}</td>,
};

export function ReleaseNotes({ markdown }: { markdown: string | null }) {
  if (!markdown?.trim()) return <p className="text-sm text-slate-600">No release notes.</p>;
  return (
    <div className="text-sm leading-relaxed text-slate-800" data-testid="release-notes">
      <Markdown remarkPlugins={[remarkGfm]} components={components} disallowedElements={['img']} unwrapDisallowed={false} skipHtml>
        {markdown}
      </Markdown>
    </div>
  );
}
