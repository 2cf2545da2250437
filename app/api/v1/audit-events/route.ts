export { GET, POST } from '@/lib/api/v1/audit-events/collection';

export const dynamic = 'force-dynamic';
