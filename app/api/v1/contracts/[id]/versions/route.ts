export { GET } from '@/lib/api/v1/contracts/versions';

export const dynamic = 'force-dynamic';
