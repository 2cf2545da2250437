export { POST } from '@/lib/api/v1/deployments/heartbeat';

export const dynamic = 'force-dynamic';
