import { randomUUID } from 'node:crypto';
import { db, transaction } from '@/lib/db';
import type { Ctx } from '@/lib/auth/actor';
import { systemCtx } from '@/lib/auth/system';
import { record } from '@/lib/audit/record';
import { canonicalize } from '@/lib/crypto/jcs';
import { sha256Hex } from '@/lib/crypto/hash';
import type { Role } from '@/lib/generated/prisma/enums';
import { createApiKey, verifyApiKey } from '@/lib/services/api-keys';
import { createDeployment, recordHeartbeat, setRunningVersions } from '@/lib/services/deployments';
import { changeTenantStatus, createTenant } from '@/lib/services/tenants';
import { createUser } from '@/lib/services/users';
import type { RunningVersionRef } from '@/lib/schemas/deployment';
import type { CreateTenantInput } from '@/lib/schemas/tenant';

// Demo data for `npm start` on the embedded database: fictional tenants across sectors and
// countries, a model catalogue, deployments, contracts and users for every role. Tenants, users,
// deployments (with their agents' keys and heartbeats) go through their services; models and
// contracts are written here inside audited transactions until their write services exist
// (issues 4 and 6), so every row still has its event.

export const DEMO_PASSWORD = 'charter-demo-2026';

export type DemoCredential = { role: string; scope: string; email: string; password: string };

const digest = (label: string) => `sha256:${sha256Hex(label)}`;

const TENANTS: (CreateTenantInput & { activate: boolean })[] = [
  { slug: 'nordhavn-bank', legalName: 'Nordhavn Bank A/S', lei: '5299007NHVNBANK0DK79', sector: 'FINANCE', homeCountry: 'DK', allowedCountries: ['DK', 'FI', 'NO', 'SE'], sensitivity: 'CONFIDENTIAL', activate: true },
  { slug: 'agence-numerique-defense', legalName: 'Agence Numérique de Défense', lei: '969500ANDEFENSE0FR04', sector: 'DEFENCE', homeCountry: 'FR', allowedCountries: ['FR'], sensitivity: 'SECRET', activate: true },
  { slug: 'helvetia-health', legalName: 'Helvetia Health Network AG', lei: '5067007HELVETIAHN090', sector: 'HEALTH', homeCountry: 'CH', allowedCountries: ['CH'], sensitivity: 'CONFIDENTIAL', activate: true },
  { slug: 'bundesamt-digitale-resilienz', legalName: 'Bundesamt für Digitale Resilienz', sector: 'GOVERNMENT', homeCountry: 'DE', allowedCountries: ['AT', 'DE'], sensitivity: 'SECRET', activate: true },
  { slug: 'iberia-energia', legalName: 'Iberia Energía Red S.A.', lei: '9598007IBERIAENR0E44', sector: 'ENERGY', homeCountry: 'ES', allowedCountries: ['ES', 'PT'], sensitivity: 'OFFICIAL', activate: true },
  { slug: 'baltic-research', legalName: 'Baltic Research Consortium', lei: '5299001BALTICRES0E46', sector: 'RESEARCH', homeCountry: 'EE', allowedCountries: ['EE', 'LT', 'LV'], sensitivity: 'OFFICIAL', activate: false },
];

const MODELS = [
  {
    slug: 'aurora', name: 'Aurora', description: 'General-purpose multilingual language model', modality: 'text',
    versions: [
      { version: '3.1.0', status: 'RETIRED', params: 34e9, ctx: 32_768, restrictions: [] as string[] },
      { version: '3.2.0', status: 'DEPRECATED', params: 34e9, ctx: 65_536, restrictions: [] },
      { version: '4.0.0', status: 'RELEASED', params: 70e9, ctx: 131_072, restrictions: ['IR', 'KP', 'RU'] },
      { version: '4.1.0', status: 'RELEASED', params: 70e9, ctx: 131_072, restrictions: ['IR', 'KP', 'RU'] },
      { version: '4.2.0-rc.1', status: 'DRAFT', params: 72e9, ctx: 262_144, restrictions: ['IR', 'KP', 'RU'] },
    ],
  },
  {
    slug: 'meridian-embed', name: 'Meridian Embed', description: 'Retrieval embedding model for sovereign search', modality: 'embedding',
    versions: [
      { version: '1.0.0', status: 'RELEASED', params: 0.6e9, ctx: 8_192, restrictions: [] },
      { version: '1.1.0', status: 'RELEASED', params: 0.6e9, ctx: 8_192, restrictions: [] },
    ],
  },
  {
    slug: 'sentinel-guard', name: 'Sentinel Guard', description: 'Classifier for policy and safety screening', modality: 'classification',
    versions: [{ version: '2.0.0', status: 'RELEASED', params: 8e9, ctx: 16_384, restrictions: ['CN', 'IR', 'KP', 'RU'] }],
  },
] as const;

const DEPLOYMENTS: Record<string, { name: string; environment: 'PRODUCTION' | 'STAGING' | 'AIRGAPPED'; country: string; hosting: 'ON_PREMISES' | 'SOVEREIGN_CLOUD' | 'PRIVATE_CLOUD'; running: string[] }[]> = {
  'nordhavn-bank': [
    { name: 'cph-prod-1', environment: 'PRODUCTION', country: 'DK', hosting: 'ON_PREMISES', running: ['aurora@4.1.0', 'meridian-embed@1.1.0'] },
    { name: 'sto-dr', environment: 'PRODUCTION', country: 'SE', hosting: 'SOVEREIGN_CLOUD', running: ['aurora@4.0.0', 'meridian-embed@1.1.0'] },
    { name: 'cph-staging', environment: 'STAGING', country: 'DK', hosting: 'PRIVATE_CLOUD', running: ['aurora@4.1.0'] },
  ],
  'agence-numerique-defense': [
    { name: 'balard-classified', environment: 'AIRGAPPED', country: 'FR', hosting: 'ON_PREMISES', running: ['aurora@3.2.0', 'sentinel-guard@2.0.0'] },
    { name: 'rennes-lab', environment: 'STAGING', country: 'FR', hosting: 'ON_PREMISES', running: ['aurora@4.0.0'] },
  ],
  'helvetia-health': [{ name: 'zrh-clinical', environment: 'PRODUCTION', country: 'CH', hosting: 'ON_PREMISES', running: ['aurora@4.0.0', 'meridian-embed@1.0.0'] }],
  'bundesamt-digitale-resilienz': [
    { name: 'bonn-vs-nfd', environment: 'AIRGAPPED', country: 'DE', hosting: 'ON_PREMISES', running: ['aurora@4.0.0'] },
    { name: 'wien-liaison', environment: 'PRODUCTION', country: 'AT', hosting: 'SOVEREIGN_CLOUD', running: ['aurora@4.1.0', 'sentinel-guard@2.0.0'] },
  ],
  'iberia-energia': [{ name: 'mad-ops', environment: 'PRODUCTION', country: 'ES', hosting: 'PRIVATE_CLOUD', running: ['meridian-embed@1.1.0', 'aurora@4.1.0'] }],
};

const PLATFORM_USERS: { email: string; name: string; role: Role }[] = [
  { email: 'owner@charter.example', name: 'Olivia Owner', role: 'OWNER' },
  { email: 'admin@charter.example', name: 'Adrian Admin', role: 'ADMIN' },
  { email: 'admin2@charter.example', name: 'Amira Approver', role: 'ADMIN' },
  { email: 'auditor@charter.example', name: 'Aino Auditor', role: 'AUDITOR' },
];

const TENANT_USERS: { tenant: string; email: string; name: string; role: Role }[] = [
  { tenant: 'nordhavn-bank', email: 'it-admin@nordhavn.example', name: 'Henrik Tenant-Admin', role: 'TENANT_ADMIN' },
  { tenant: 'nordhavn-bank', email: 'viewer@nordhavn.example', name: 'Sofie Viewer', role: 'TENANT_VIEWER' },
  { tenant: 'nordhavn-bank', email: 'auditor@nordhavn.example', name: 'Mads Internal-Audit', role: 'AUDITOR' },
  { tenant: 'agence-numerique-defense', email: 'rssi@and.example', name: 'Claire RSSI', role: 'TENANT_ADMIN' },
  { tenant: 'helvetia-health', email: 'ops@helvetia.example', name: 'Lukas Ops', role: 'TENANT_ADMIN' },
];

export async function hasData(): Promise<boolean> {
  return (await db.tenant.count()) > 0;
}

async function seedCatalogue(ctx: Ctx): Promise<void> {
  for (const family of MODELS) {
    await transaction(async (tx) => {
      const f = await tx.modelFamily.create({ data: { slug: family.slug, name: family.name, description: family.description, modality: family.modality } });
      await record(tx, ctx, { action: 'model_family.created', tenantId: null, target: { type: 'model_family', id: f.id }, data: { after: { slug: f.slug, name: f.name } } });
      let month = 0;
      for (const v of family.versions) {
        month += 4;
        const released = v.status === 'DRAFT' ? null : new Date(Date.UTC(2025, month, 1));
        const mv = await tx.modelVersion.create({
          data: {
            familyId: f.id,
            version: v.version,
            weightsDigest: digest(`${family.slug}@${v.version}/weights`),
            techDocDigest: digest(`${family.slug}@${v.version}/annex-xi`),
            parameterCount: BigInt(v.params),
            contextLength: v.ctx,
            licence: 'Charter Sovereign Model Licence 2.0',
            releaseNotes: `## ${family.name} ${v.version}\n\n- Quality and safety improvements.\n- Technical documentation per EU AI Act Annex XI.`,
            exportRestrictions: [...v.restrictions],
            status: v.status,
            releasedAt: released,
            deprecatedAt: v.status === 'DEPRECATED' || v.status === 'RETIRED' ? new Date(Date.UTC(2026, 2, 1)) : null,
            endOfLifeAt: v.status === 'DEPRECATED' ? new Date(Date.UTC(2027, 5, 30)) : v.status === 'RETIRED' ? new Date(Date.UTC(2026, 8, 30)) : null,
          },
        });
        await record(tx, ctx, {
          action: 'model_version.created',
          tenantId: null,
          target: { type: 'model_version', id: mv.id },
          data: { after: { family: family.slug, version: mv.version, status: mv.status, weightsDigest: mv.weightsDigest } },
        });
      }
    });
  }
}

type Agent = { ctx: Ctx; deploymentId: string; running: RunningVersionRef[] };

/** Through the deployments service; running versions as the agents (or, air-gapped, the admins) report them. */
async function seedDeployments(ctx: Ctx, tenantId: string, slug: string): Promise<Agent[]> {
  const agents: Agent[] = [];
  for (const d of DEPLOYMENTS[slug] ?? []) {
    const dep = await createDeployment(ctx, { tenantId, name: d.name, environment: d.environment, country: d.country, hosting: d.hosting });
    const running = d.running.map((ref) => {
      const [family, version] = ref.split('@') as [string, string];
      return { family, version };
    });
    if (dep.connectivity === 'AIRGAPPED') {
      await setRunningVersions(ctx, dep.id, { running, source: 'MANUAL' });
      continue;
    }
    // Each connected site's agent has its own key, bound to its deployment (the secret is not kept).
    const { key } = await createApiKey(ctx, {
      name: `agent ${d.name}`,
      tenantId,
      deploymentId: dep.id,
      scopes: ['deployments:write', 'audit:write', 'entitlements:read'],
      expiresInDays: 365,
      allowedCidrs: [],
    });
    const verdict = await verifyApiKey(key, { ip: '10.20.0.7', permission: 'deployments:write' });
    if (!verdict.ok) throw new Error(`the seeded agent key of ${d.name} was refused (${verdict.reason})`);
    agents.push({ ctx: { actor: verdict.actor, request: { ip: '10.20.0.7', userAgent: 'charter-agent/1.8.2', requestId: randomUUID() } }, deploymentId: dep.id, running });
  }
  return agents;
}

async function seedContract(ctx: Ctx, tenant: { id: string; slug: string; allowedCountries: string[] }, index: number): Promise<void> {
  await transaction(async (tx) => {
    const validFrom = new Date(Date.UTC(2025, index * 2, 1));
    const validUntil = new Date(Date.UTC(2026 + (index % 3), 11 - index * 2, 31));
    const terms = {
      reference: `CH-2025-${String(101 + index).padStart(4, '0')}`,
      type: 'SUBSCRIPTION',
      validFrom: validFrom.toISOString(),
      validUntil: validUntil.toISOString(),
      renewal: 'BY_AGREEMENT',
      noticePeriodDays: 180,
      graceDays: 60,
      governingLaw: `Law of ${tenant.allowedCountries[0]}`,
      dataProcessingCountries: tenant.allowedCountries,
      sla: { availability: 99.9, supportResponseHours: 4, rtoHours: 8, rpoHours: 1 },
      exitPeriodDays: 365,
      auditRights: 'On-site and remote audits by the customer or its regulator, with 30 days notice.',
      entitlements: [{ family: 'aurora', maxDeployments: 5 }, { family: 'meridian-embed', maxDeployments: 5 }],
    };
    const contract = await tx.contract.create({
      data: {
        tenantId: tenant.id,
        reference: terms.reference,
        type: 'SUBSCRIPTION',
        status: 'ACTIVE',
        validFrom,
        validUntil,
        renewal: 'BY_AGREEMENT',
        noticePeriodDays: terms.noticePeriodDays,
        graceDays: terms.graceDays,
        governingLaw: terms.governingLaw,
        dataProcessingCountries: terms.dataProcessingCountries,
        sla: terms.sla,
        exitPeriodDays: terms.exitPeriodDays,
        auditRights: terms.auditRights,
        activatedAt: validFrom,
        versions: { create: { version: 1, terms, hash: sha256Hex(canonicalize(terms)), createdBy: ctx.actor.label } },
      },
    });
    const families = await tx.modelFamily.findMany({ where: { slug: { in: ['aurora', 'meridian-embed'] } } });
    for (const f of families) {
      await tx.entitlement.create({ data: { contractId: contract.id, modelFamilyId: f.id, maxDeployments: 5, limits: { maxGpus: 64 } } });
    }
    await record(tx, ctx, {
      action: 'contract.created',
      tenantId: tenant.id,
      target: { type: 'contract', id: contract.id },
      data: { after: { reference: contract.reference, status: contract.status, validFrom: terms.validFrom, validUntil: terms.validUntil } },
    });
  });
}

/** Agent check-ins through the heartbeat service, so the demo audit log has the rhythm of a real one. */
async function seedHeartbeats(agents: Agent[], rounds: number): Promise<void> {
  for (let round = 0; round < rounds; round++) {
    for (const agent of agents) {
      const ctx = { ...agent.ctx, request: { ...agent.ctx.request, requestId: randomUUID() } };
      await recordHeartbeat(ctx, agent.deploymentId, { agentVersion: '1.8.2', running: agent.running });
    }
  }
}

/** Seeds the demo data set; returns the sign-in credentials to print. Run once, on an empty database. */
export async function seedDemo(): Promise<{ credentials: DemoCredential[] }> {
  if (await hasData()) throw new Error('the database already has tenants; demo data is only seeded into an empty database');
  const ctx = systemCtx('seed-demo');
  await seedCatalogue(ctx);
  const credentials: DemoCredential[] = [];

  for (const u of PLATFORM_USERS) {
    await createUser(ctx, { email: u.email, name: u.name, password: DEMO_PASSWORD, role: u.role, tenantId: null });
    credentials.push({ role: u.role, scope: 'platform', email: u.email, password: DEMO_PASSWORD });
  }

  const tenantIds = new Map<string, string>();
  for (const [index, t] of TENANTS.entries()) {
    const { activate, ...input } = t;
    const tenant = await createTenant(ctx, input);
    tenantIds.set(t.slug, tenant.id);
    if (activate) {
      await changeTenantStatus(ctx, tenant.id, { status: 'ACTIVE', reason: 'Onboarding completed: contract signed and first deployment accepted.' });
      await seedContract(ctx, tenant, index);
    }
    const agents = await seedDeployments(ctx, tenant.id, t.slug);
    await seedHeartbeats(agents, 12);
  }

  for (const u of TENANT_USERS) {
    const tenantId = tenantIds.get(u.tenant) as string;
    await createUser(ctx, { email: u.email, name: u.name, password: DEMO_PASSWORD, role: u.role, tenantId });
    credentials.push({ role: u.role, scope: u.tenant, email: u.email, password: DEMO_PASSWORD });
  }
  return { credentials };
}
