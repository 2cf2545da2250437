export { GET, PUT } from '@/lib/api/v1/contracts/item';

export const dynamic = 'force-dynamic';
