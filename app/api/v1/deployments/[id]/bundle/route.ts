export { GET } from '@/lib/api/v1/deployments/bundle';

export const dynamic = 'force-dynamic';
