export { GET } from '@/lib/api/v1/models';

export const dynamic = 'force-dynamic';
