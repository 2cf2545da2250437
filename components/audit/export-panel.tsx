'use client';

import { useRef, useState } from 'react';
import { Button } from '@/components/ui/button';
import { Select, type SelectOption } from '@/components/ui/select';

type Props = {
  /** The search's filters, as query parameters (without chain). */
  filter: Record<string, string>;
  /** The chain of the search, if it names one. */
  chain: string | null;
  /** Chains the actor may export (slug or `platform` → label). */
  chains: SelectOption[];
};

type Progress =
  | { state: 'idle' }
  | { state: 'running'; format: string; done: number; total: number | null }
  | { state: 'done'; format: string; rows: number; fileName: string; bytes: number }
  | { state: 'failed'; message: string };

const FORMATS = [
  { format: 'ndjson', label: 'Verifiable NDJSON', hint: 'hash-chained, ends with a signed checkpoint; check it with npx charter audit verify' },
  { format: 'csv', label: 'CSV', hint: 'the same event fields flattened, for spreadsheets (not verifiable)' },
] as const;

function fileNameOf(disposition: string | null, fallback: string): string {
  const match = /filename="([^"]+)"/.exec(disposition ?? '');
  return match?.[1] ?? fallback;
}

/**
 * Exports the current search as a file, streamed from /api/v1/audit-events/export: rows are counted
 * as they arrive against the total the server announces (X-Audit-Export-Rows), so the auditor sees
 * "rows done of total". The file is assembled in the browser and offered as a download.
 */
export function ExportPanel({ filter, chain, chains }: Props) {
  const [selected, setSelected] = useState(chain ?? chains[0]?.value ?? '');
  const [progress, setProgress] = useState<Progress>({ state: 'idle' });
  const abort = useRef<AbortController | null>(null);

  async function run(format: 'ndjson' | 'csv') {
    const controller = new AbortController();
    abort.current = controller;
    setProgress({ state: 'running', format, done: 0, total: null });
    try {
      const params = new URLSearchParams({ ...filter, chain: selected, format });
      const res = await fetch(`/api/v1/audit-events/export?${params.toString()}`, { signal: controller.signal });
      if (!res.ok || !res.body) {
        const problem = (await res.json().catch(() => null)) as { detail?: string } | null;
        throw new Error(problem?.detail ?? `The export failed (HTTP ${res.status}).`);
      }
      const totalHeader = res.headers.get('x-audit-export-rows');
      const total = totalHeader ? Number(totalHeader) : null;
      const reader = res.body.getReader();
      const parts: Uint8Array<ArrayBuffer>[] = [];
      let lines = 0;
      let bytes = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        parts.push(value);
        bytes += value.length;
        for (let i = 0; i < value.length; i++) if (value[i] === 0x0a) lines += 1;
        // Data rows: every line but the header line (and, for NDJSON, the closing checkpoint).
        const rows = Math.max(0, lines - 1);
        setProgress({ state: 'running', format, done: total === null ? rows : Math.min(rows, total), total });
      }
      const rows = format === 'ndjson' ? Math.max(0, lines - 2) : Math.max(0, lines - 1);
      const fileName = fileNameOf(res.headers.get('content-disposition'), `charter-audit.${format}`);
      const url = URL.createObjectURL(new Blob(parts, { type: res.headers.get('content-type') ?? 'application/octet-stream' }));
      const link = document.createElement('a');
      link.href = url;
      link.download = fileName;
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      setProgress({ state: 'done', format, rows: total ?? rows, fileName, bytes });
    } catch (err) {
      setProgress(controller.signal.aborted ? { state: 'idle' } : { state: 'failed', message: err instanceof Error ? err.message : String(err) });
    } finally {
      abort.current = null;
    }
  }

  const running = progress.state === 'running';
  const percent = running && progress.total ? Math.round((progress.done / Math.max(progress.total, 1)) * 100) : null;

  return (
    <section aria-labelledby="export-heading" className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
      <div className="flex flex-wrap items-end gap-3">
        <div className="min-w-0 flex-1">
          <h2 id="export-heading" className="text-sm font-semibold text-slate-900">
            Export this search
          </h2>
          <p className="mt-0.5 text-xs text-slate-600">One chain per file, with the filters above. Every export is itself recorded in the audit log.</p>
        </div>
        {!chain && chains.length > 1 && (
          <label className="w-56 space-y-1 text-xs font-medium text-slate-700">
            <span className="block">Chain</span>
            <Select value={selected} onChange={(e) => setSelected(e.target.value)} options={chains} disabled={running} aria-label="Chain to export" />
          </label>
        )}
        <div className="flex flex-wrap gap-2">
          {FORMATS.map((f) => (
            <Button key={f.format} variant={f.format === 'ndjson' ? 'primary' : 'secondary'} onClick={() => void run(f.format)} disabled={running || !selected} title={f.hint}>
              {f.label}
            </Button>
          ))}
          {running && (
            <Button variant="ghost" onClick={() => abort.current?.abort()}>
              Cancel
            </Button>
          )}
        </div>
      </div>
      <div aria-live="polite" className="mt-3 text-sm">
        {running && (
          <div className="space-y-1">
            <div
              className="h-2 w-full overflow-hidden rounded bg-slate-100"
              role="progressbar"
              aria-label="Export progress"
              aria-valuemin={0}
              aria-valuemax={progress.total ?? undefined}
              aria-valuenow={progress.done}
            >
              <div className="h-full bg-sky-600 transition-[width]" style={{ width: `${percent ?? 5}%` }} />
            </div>
            <p className="text-xs text-slate-700 tabular-nums" data-testid="export-progress">
              {progress.done.toLocaleString('en')} {progress.total !== null ? `of ${progress.total.toLocaleString('en')} ` : ''}rows
            </p>
          </div>
        )}
        {progress.state === 'done' && (
          <p className="text-xs text-emerald-800" data-testid="export-done">
            Exported {progress.rows.toLocaleString('en')} rows ({(progress.bytes / 1024).toFixed(1)} KiB) to <span className="font-mono">{progress.fileName}</span>.
          </p>
        )}
        {progress.state === 'failed' && (
          <p className="text-xs text-red-800" role="alert">
            {progress.message}
          </p>
        )}
      </div>
    </section>
  );
}
