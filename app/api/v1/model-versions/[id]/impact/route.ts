export { GET } from '@/lib/api/v1/model-versions/impact';

export const dynamic = 'force-dynamic';
