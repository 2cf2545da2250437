import type { ReactNode } from 'react';

/** The small Markdown subset used in the document: paragraphs, **bold** and `code`. */
export function Prose({ text, className }: { text: string; className?: string }) {
  return (
    <div className={className ?? 'space-y-2 text-sm text-slate-700'}>
      {text.split(/\n{2,}/).map((paragraph, i) => (
        <p key={i}>{inline(paragraph)}</p>
      ))}
    </div>
  );
}

function inline(text: string): ReactNode[] {
  return text.split(/(\*\*[^*]+\*\*|`[^`]+`)/g).map((part, i) => {
    if (part.startsWith('**') && part.endsWith('**'))
      return (
        <strong key={i} className="font-semibold text-slate-900">
          {part.slice(2, -2)}
        </strong>
      );
    if (part.startsWith('`') && part.endsWith('`'))
      return (
        <code key={i} className="rounded bg-slate-100 px-1 font-mono text-[0.85em] text-slate-900">
          {part.slice(1, -1)}
        </code>
      );
    return part;
  });
}
