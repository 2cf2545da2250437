export { POST } from '@/lib/api/v1/contracts/amendments';

export const dynamic = 'force-dynamic';
