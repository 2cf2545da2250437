export { GET } from '@/lib/api/v1/whoami';

export const dynamic = 'force-dynamic';
