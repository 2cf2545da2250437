export { GET } from '@/lib/api/v1/keys';

export const dynamic = 'force-dynamic';
