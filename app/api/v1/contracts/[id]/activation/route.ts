export { POST } from '@/lib/api/v1/contracts/activation';

export const dynamic = 'force-dynamic';
