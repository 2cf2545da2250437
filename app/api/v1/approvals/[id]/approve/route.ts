export { POST } from '@/lib/api/v1/approvals/approve';

export const dynamic = 'force-dynamic';
