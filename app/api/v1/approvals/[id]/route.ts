export { GET } from '@/lib/api/v1/approvals/item';

export const dynamic = 'force-dynamic';
