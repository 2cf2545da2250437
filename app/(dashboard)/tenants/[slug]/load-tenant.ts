import { notFound } from 'next/navigation';
import { cache } from 'react';
import type { Ctx } from '@/lib/access/actor';
import { toAppError } from '@/lib/core/errors';
import type { TenantDto } from '@/lib/modules/tenants/schema';
import { getTenant } from '@/lib/modules/tenants/service';

/**
 * The tenant of a page, or the 404 page: another tenant's and a missing tenant look the same.
 * Cached per request, so that generateMetadata and the page share one query.
 */
export const loadTenant = cache(async (ctx: Ctx, slug: string): Promise<TenantDto> => {
  try {
    return await getTenant(ctx, slug);
  } catch (err) {
    if (toAppError(err).code === 'not_found') notFound();
    throw err;
  }
});
