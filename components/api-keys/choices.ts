/** A tenant as the key pages show it. */
export type TenantChoice = { id: string; slug: string; legalName: string };

export function tenantLabel(t: Pick<TenantChoice, 'slug' | 'legalName'>): string {
  return `${t.legalName} (${t.slug})`;
}

/** A deployment a key may be bound to (e.g. for that deployment's agent). */
export type DeploymentChoice = { id: string; tenantId: string; name: string; environment: string };
