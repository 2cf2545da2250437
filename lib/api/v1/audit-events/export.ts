import { PassThrough } from 'node:stream';
import { StreamBody } from '@/lib/http/api-request';
import { route } from '@/lib/http/route';
import { logger } from '@/lib/core/logger';
import { auditExportQuery } from '@/lib/modules/audit-trail/export-schema';
import { type ExportSealedInfo, exportAuditChain } from '@/lib/modules/audit-trail/export';

const CONTENT_TYPES = { ndjson: 'application/x-ndjson; charset=utf-8', csv: 'text/csv; charset=utf-8' } as const;

/**
 * Streams the export: the response starts once the range is sealed and audited (errors before that
 * are problem+json), then the file flows with backpressure. `X-Audit-Export-Rows` tells how many
 * data rows will follow, for progress bars.
 */
export const GET = route(
  {
    permission: 'audit:read',
    deadline: 'bulk',
    query: auditExportQuery,
    summary: 'Export one audit chain, filtered: verifiable NDJSON or CSV (streamed, audited)',
    description:
      'The chain and the same filters as the search. `format=ndjson` is the verifiable export (README "Verifiable audit export (NDJSON)": events outside the filter as `omitted` records, ending with the export\'s own `audit.exported` event and a freshly signed checkpoint); verify it offline with `npx charter audit verify FILE --keys keys.json`. `format=csv` carries the same event fields flattened, for spreadsheets (not verifiable). The body is streamed; the header `X-Audit-Export-Rows` gives the number of data rows (NDJSON: event and omitted records; CSV: rows after the header line). API keys need `audit:read`; people need `audit:export`.',
    tags: ['Audit'],
  },
  async ({ ctx, query }) => {
    const { chain, format, ...filter } = query;
    const out = new PassThrough();
    let streaming = false;
    const sealed = new Promise<ExportSealedInfo>((resolve, reject) => {
      const onSealed = (info: ExportSealedInfo) => {
        streaming = true;
        resolve(info);
      };
      exportAuditChain({ ctx, chain, format, filter, out, countRows: true, onSealed }).then(
        () => out.end(),
        (err: unknown) => {
          // Before the response started, the error becomes its problem+json; after, the stream breaks off.
          reject(err instanceof Error ? err : new Error(String(err)));
          if (streaming && !out.destroyed) {
            logger.error({ err: err instanceof Error ? err.message : String(err), requestId: ctx.request.requestId }, 'audit export stopped');
            out.destroy(err instanceof Error ? err : new Error(String(err)));
          }
        },
      );
    });
    const info = await sealed;
    return new StreamBody(out, 200, {
      'content-type': CONTENT_TYPES[info.format],
      'content-disposition': `attachment; filename="${info.fileName}"`,
      'cache-control': 'no-store',
      'x-audit-export-rows': info.rows === null ? '' : String(info.rows),
      'x-audit-export-range': `${info.fromSeq}-${info.toSeq}`,
    });
  },
);
