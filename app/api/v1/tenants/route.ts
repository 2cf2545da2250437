export { GET, POST } from '@/lib/api/v1/tenants/collection';

export const dynamic = 'force-dynamic';
