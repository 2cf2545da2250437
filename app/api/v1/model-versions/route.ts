export { GET } from '@/lib/api/v1/model-versions/collection';

export const dynamic = 'force-dynamic';
