export { GET, PATCH } from '@/lib/api/v1/tenants/item';

export const dynamic = 'force-dynamic';
