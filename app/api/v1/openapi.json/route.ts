export { getOpenApiJson as GET } from '@/lib/api/v1/routes';

export const dynamic = 'force-dynamic';
