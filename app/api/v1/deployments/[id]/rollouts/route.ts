export { GET, POST } from '@/lib/api/v1/deployments/rollouts';

export const dynamic = 'force-dynamic';
