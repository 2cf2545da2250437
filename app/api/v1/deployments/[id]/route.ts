export { GET, PATCH, DELETE } from '@/lib/api/v1/deployments/item';

export const dynamic = 'force-dynamic';
