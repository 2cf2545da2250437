export { POST } from '@/lib/api/v1/approvals/cancel';

export const dynamic = 'force-dynamic';
