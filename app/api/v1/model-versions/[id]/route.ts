export { GET } from '@/lib/api/v1/model-versions/item';

export const dynamic = 'force-dynamic';
