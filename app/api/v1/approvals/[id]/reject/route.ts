export { POST } from '@/lib/api/v1/approvals/reject';

export const dynamic = 'force-dynamic';
