import type { Role } from '@/lib/generated/prisma/enums';

export const ROLE_LABELS: Record<Role, string> = {
  OWNER: 'Owner',
  ADMIN: 'Administrator',
  AUDITOR: 'Auditor',
  TENANT_ADMIN: 'Tenant administrator',
  TENANT_VIEWER: 'Tenant viewer',
};
