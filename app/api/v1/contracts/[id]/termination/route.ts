export { POST } from '@/lib/api/v1/contracts/termination';

export const dynamic = 'force-dynamic';
