export { GET } from '@/lib/api/v1/audit-events/export';

export const dynamic = 'force-dynamic';
