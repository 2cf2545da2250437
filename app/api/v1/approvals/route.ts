export { GET } from '@/lib/api/v1/approvals/collection';

export const dynamic = 'force-dynamic';
