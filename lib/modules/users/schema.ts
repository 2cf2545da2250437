import { z } from 'zod';
import { Role } from '@/lib/generated/prisma/enums';
export const MIN_PASSWORD_LENGTH = 12;

export const email = z.string().trim().toLowerCase().max(254).pipe(z.email('must be an email address'));

export const password = z.string().min(MIN_PASSWORD_LENGTH, `must be at least ${MIN_PASSWORD_LENGTH} characters`).max(1024, 'must be at most 1024 characters');

export const createUserInput = z.object({
  email,
  name: z.string().trim().min(1).max(120),
  password,
  role: z.enum(Role),
  tenantId: z.uuid().nullable().default(null),
});
export type CreateUserInput = z.infer<typeof createUserInput>;

export const signInInput = z.object({ email: z.string().trim().toLowerCase().max(254), password: z.string().max(1024) });
