export { GET, POST } from '@/lib/api/v1/deployments/collection';

export const dynamic = 'force-dynamic';
