import type { FormState } from '@/components/ui/form-state';
import type { ApiKeyDto } from '@/lib/schemas/api-key';

/** The create form's state: on success, the new key in clear, exactly once. */
export type CreateApiKeyState = FormState & {
  created?: { key: string; apiKey: ApiKeyDto };
  /** A platform key is a four-eyes request: the approval to wait for, then collect the key from. */
  requested?: { approvalId: string };
};

/** The rotate dialog's state: the new key in clear once, and the old key with its new expiry. */
export type RotateApiKeyState = FormState & { rotated?: { key: string; apiKey: ApiKeyDto; previous: ApiKeyDto } };

/** A tenant as the key pages show it. */
export type TenantChoice = { id: string; slug: string; legalName: string };

export function tenantLabel(t: Pick<TenantChoice, 'slug' | 'legalName'>): string {
  return `${t.legalName} (${t.slug})`;
}

/** A deployment a key may be bound to (e.g. for that deployment's agent). */
export type DeploymentChoice = { id: string; tenantId: string; name: string; environment: string };
