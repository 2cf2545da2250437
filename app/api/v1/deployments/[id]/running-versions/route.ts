export { POST } from '@/lib/api/v1/deployments/running-versions';

export const dynamic = 'force-dynamic';
