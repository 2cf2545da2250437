export { GET, POST } from '@/lib/api/v1/contracts/collection';

export const dynamic = 'force-dynamic';
