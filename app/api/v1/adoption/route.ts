export { GET } from '@/lib/api/v1/adoption';

export const dynamic = 'force-dynamic';
