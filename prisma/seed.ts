import { randomUUID } from 'node:crypto';
import { db } from '@/lib/core/db';
import type { Ctx } from '@/lib/access/actor';
import { systemCtx } from '@/lib/access/system';
import { sha256Hex } from '@/lib/core/crypto/hash';
import type { Role } from '@/lib/generated/prisma/enums';
import { permissionsOf } from '@/lib/access/permissions';
import { createContractInput, type CreateContractInput } from '@/lib/modules/contracts/schema';
import { countryName } from '@/lib/core/countries';
import { createApiKey, requestPlatformApiKey } from '@/lib/modules/api-keys/service';
import { verifyApiKey } from '@/lib/access/api-keys/verify';
import { createContract, requestContractActivation, requestContractTermination } from '@/lib/modules/contracts/service';
import { createDeployment, recordHeartbeat, setRunningVersions } from '@/lib/modules/deployments/service';
import { createModelFamily, createModelVersion, deprecateModelVersion, releaseModelVersion, retireModelVersion } from '@/lib/modules/models/service';
import { createRollout } from '@/lib/modules/rollouts/service';
import { changeTenantStatus, createTenant } from '@/lib/modules/tenants/service';
import { createUser } from '@/lib/modules/users/service';
import type { RunningVersionRef } from '@/lib/modules/deployments/schema';
import type { CreateTenantInput } from '@/lib/modules/tenants/schema';

// Demo data for `npm start` on the embedded database: fictional tenants across sectors and
// countries, a model catalogue, deployments, contracts and users for every role. Everything goes
// through the services (tenants, users, the catalogue, deployments with their agents' keys, pins and
// heartbeats, contracts and four-eyes requests), so every row has its audit event.

export const DEMO_PASSWORD = 'charter-demo-2026';

export type DemoCredential = { role: string; scope: string; email: string; password: string };

const digest = (label: string) => `sha256:${sha256Hex(label)}`;

const TENANTS: (CreateTenantInput & { activate: boolean })[] = [
  {
    slug: 'nordhavn-bank',
    legalName: 'Nordhavn Bank A/S',
    lei: '5299007NHVNBANK0DK79',
    sector: 'FINANCE',
    homeCountry: 'DK',
    allowedCountries: ['DK', 'FI', 'NO', 'SE'],
    sensitivity: 'CONFIDENTIAL',
    activate: true,
  },
  {
    slug: 'agence-numerique-defense',
    legalName: 'Agence Numérique de Défense',
    lei: '969500ANDEFENSE0FR04',
    sector: 'DEFENCE',
    homeCountry: 'FR',
    allowedCountries: ['FR'],
    sensitivity: 'SECRET',
    activate: true,
  },
  {
    slug: 'helvetia-health',
    legalName: 'Helvetia Health Network AG',
    lei: '5067007HELVETIAHN090',
    sector: 'HEALTH',
    homeCountry: 'CH',
    allowedCountries: ['CH'],
    sensitivity: 'CONFIDENTIAL',
    activate: true,
  },
  {
    slug: 'bundesamt-digitale-resilienz',
    legalName: 'Bundesamt für Digitale Resilienz',
    sector: 'GOVERNMENT',
    homeCountry: 'DE',
    allowedCountries: ['AT', 'DE'],
    sensitivity: 'SECRET',
    activate: true,
  },
  {
    slug: 'iberia-energia',
    legalName: 'Iberia Energía Red S.A.',
    lei: '9598007IBERIAENR0E44',
    sector: 'ENERGY',
    homeCountry: 'ES',
    allowedCountries: ['ES', 'PT'],
    sensitivity: 'OFFICIAL',
    activate: true,
  },
  {
    slug: 'baltic-research',
    legalName: 'Baltic Research Consortium',
    lei: '5299001BALTICRES0E46',
    sector: 'RESEARCH',
    homeCountry: 'EE',
    allowedCountries: ['EE', 'LT', 'LV'],
    sensitivity: 'OFFICIAL',
    activate: false,
  },
];

const MODELS = [
  {
    slug: 'aurora',
    name: 'Aurora',
    description: 'General-purpose multilingual language model',
    modality: 'text',
    versions: [
      { version: '3.1.0', status: 'RETIRED', params: 34e9, ctx: 32_768, restrictions: [] as string[] },
      { version: '3.2.0', status: 'DEPRECATED', params: 34e9, ctx: 65_536, restrictions: [] },
      { version: '4.0.0', status: 'RELEASED', params: 70e9, ctx: 131_072, restrictions: ['IR', 'KP', 'RU'] },
      { version: '4.1.0', status: 'RELEASED', params: 70e9, ctx: 131_072, restrictions: ['IR', 'KP', 'RU'] },
      { version: '4.2.0-rc.1', status: 'DRAFT', params: 72e9, ctx: 262_144, restrictions: ['IR', 'KP', 'RU'] },
    ],
  },
  {
    slug: 'meridian-embed',
    name: 'Meridian Embed',
    description: 'Retrieval embedding model for sovereign search',
    modality: 'embedding',
    versions: [
      { version: '1.0.0', status: 'RELEASED', params: 0.6e9, ctx: 8_192, restrictions: [] },
      { version: '1.1.0', status: 'RELEASED', params: 0.6e9, ctx: 8_192, restrictions: [] },
    ],
  },
  {
    slug: 'sentinel-guard',
    name: 'Sentinel Guard',
    description: 'Classifier for policy and safety screening',
    modality: 'classification',
    versions: [{ version: '2.0.0', status: 'RELEASED', params: 8e9, ctx: 16_384, restrictions: ['CN', 'IR', 'KP', 'RU'] }],
  },
] as const;

const DEPLOYMENTS: Record<
  string,
  { name: string; environment: 'PRODUCTION' | 'STAGING' | 'AIRGAPPED'; country: string; hosting: 'ON_PREMISES' | 'SOVEREIGN_CLOUD' | 'PRIVATE_CLOUD'; running: string[] }[]
> = {
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

/** Through the catalogue services: families, versions and their lifecycle, as the vendor ran it. */
async function seedCatalogue(ctx: Ctx): Promise<void> {
  const today = new Date().toISOString().slice(0, 10);
  for (const family of MODELS) {
    const f = await createModelFamily(ctx, { slug: family.slug, name: family.name, description: family.description, modality: family.modality });
    let month = 0;
    for (const v of family.versions) {
      month += 4;
      const created = await createModelVersion(ctx, {
        family: f.id,
        version: v.version,
        weightsDigest: digest(`${family.slug}@${v.version}/weights`),
        techDocDigest: digest(`${family.slug}@${v.version}/annex-xi`),
        parameterCount: v.params,
        contextLength: v.ctx,
        licence: 'Charter Sovereign Model Licence 2.0',
        releaseNotes: releaseNotesOf(family.name, v.version, v.restrictions),
        exportRestrictions: [...v.restrictions],
      });
      if (v.status === 'DRAFT') continue;
      await releaseModelVersion(ctx, created.id, { releasedAt: new Date(Date.UTC(2025, month, 1)).toISOString() });
      if (v.status === 'RELEASED') continue;
      // No contract exists yet, so no notice period applies; the retired one ends today.
      await deprecateModelVersion(ctx, created.id, {
        deprecatedAt: `${today}T00:00:00.000Z`,
        endOfLifeAt: v.status === 'RETIRED' ? `${today}T00:00:00.000Z` : '2027-06-30T00:00:00.000Z',
        reason: `Superseded by ${family.name} ${family.versions.at(-2)?.version ?? 'a newer version'}.`,
      });
      if (v.status === 'RETIRED') await retireModelVersion(ctx, created.id, { reason: 'End of life reached; no supported deployment runs it.' });
    }
  }
}

function releaseNotesOf(name: string, version: string, restrictions: readonly string[]): string {
  return [
    `## ${name} ${version}`,
    '',
    '### Changes',
    '- Quality and safety improvements across all supported languages.',
    '- Lower memory use at long context (see *Deployment notes*).',
    '',
    '### Deployment notes',
    '1. Verify the weights digest before loading: `sha256sum -c weights.sha256`.',
    '2. Restart the inference service; the agent reports the new version on its next heartbeat.',
    '',
    `Technical documentation per **EU AI Act Annex XI** is delivered with the weights.${restrictions.length ? ` Export-restricted for ${restrictions.join(', ')}.` : ''}`,
  ].join('\n');
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
      scopes: ['deployments:read', 'deployments:write', 'audit:write', 'entitlements:read'],
      expiresInDays: 365,
      allowedCidrs: [],
    });
    const verdict = await verifyApiKey(key, { ip: '10.20.0.7', permission: 'deployments:write' });
    if (!verdict.ok) throw new Error(`the seeded agent key of ${d.name} was refused (${verdict.reason})`);
    agents.push({ ctx: { actor: verdict.actor, request: { ip: '10.20.0.7', userAgent: 'charter-agent/1.8.2', requestId: randomUUID() } }, deploymentId: dep.id, running });
  }
  return agents;
}

/** Contract terms of the demo: relative to today, so that some end soon (dashboard notifications). */
function demoContractInput(tenant: { id: string; slug: string; allowedCountries: string[] }, index: number): CreateContractInput {
  const now = new Date();
  const day = (days: number) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + days));
  // Nordhavn: long-running; Agence: ends in ~80 days; Helvetia: in ~25 days; Iberia: two years.
  const endsInDays = [400, 80, 25, 200, 730][index] ?? 365;
  const finance = tenant.slug === 'nordhavn-bank';
  return createContractInput.parse({
    tenantId: tenant.id,
    reference: `CH-2025-${String(101 + index).padStart(4, '0')}`,
    type: 'SUBSCRIPTION',
    validFrom: new Date(Date.UTC(2025, index * 2, 1)).toISOString(),
    validUntil: day(endsInDays).toISOString(),
    renewal: 'BY_AGREEMENT',
    noticePeriodDays: 180,
    graceDays: 60,
    governingLaw: `Law of ${countryName(tenant.allowedCountries[0] ?? 'DE')}`,
    dataProcessingCountries: tenant.allowedCountries,
    sla: { availability: 99.9, supportResponseHours: 4, rtoHours: 8, rpoHours: 1 },
    exitPeriodDays: 365,
    auditRights: 'On-site and remote audits by the customer or its regulator, with 30 days notice.',
    entitlements: [],
    // What a bank's DORA register needs beyond the terms (lib/modules/dora-register/service.ts).
    registerInfo: finance
      ? {
          ictServiceType: 'S13',
          functionIdentifier: 'F-CREDIT-ASSESSMENT',
          annualCost: 480000,
          currency: 'EUR',
          providerNoticePeriodDays: 365,
          governingLawCountry: 'DK',
          providerStoresData: false,
          dataSensitiveness: 'HIGH',
          relianceLevel: 'MATERIAL',
          substitutability: 'MEDIUM',
          lastAuditDate: '2026-03-15',
          exitPlan: true,
          reintegration: 'DIFFICULT',
          discontinuingImpact: 'MEDIUM',
          alternativeProviders: 'YES',
        }
      : {},
  });
}

/**
 * Through the contracts service, as the operator (so activation needs no second approver): a draft,
 * its activation, and for the tenant whose contract "ended", its termination.
 */
async function seedContract(ctx: Ctx, tenant: { id: string; slug: string; allowedCountries: string[] }, index: number): Promise<void> {
  const families = await db.modelFamily.findMany({ where: { slug: { in: ['aurora', 'meridian-embed'] } }, select: { id: true } });
  const input = demoContractInput(tenant, index);
  input.entitlements = families.map((f) => ({ modelFamilyId: f.id, modelVersionId: null, maxDeployments: 5, limits: { maxGpus: 64 } }));
  const contract = await createContract(ctx, input);
  await requestContractActivation(ctx, contract.id, { reason: 'Signed by both parties.' });
  if (tenant.slug === 'bundesamt-digitale-resilienz') {
    await requestContractTermination(ctx, contract.id, { reason: 'Not renewed: the agency moved the workload in-house.', terminationReason: 'EXPIRED_NOT_RENEWED' });
  }
}

/** Four-eyes requests waiting in the inbox: admin@ asked, admin2@ (or admin@) decides. */
async function seedApprovals(): Promise<void> {
  const asUser = async (email: string): Promise<Ctx> => {
    const user = await db.user.findUniqueOrThrow({ where: { email }, select: { id: true } });
    return {
      actor: { type: 'user', id: user.id, label: email, tenantId: null, role: 'ADMIN', permissions: permissionsOf('ADMIN') },
      request: { ip: '10.0.0.5', userAgent: 'seed-demo', requestId: randomUUID() },
    };
  };
  const admin = await asUser('admin@charter.example');
  const nordhavn = await db.tenant.findUniqueOrThrow({ where: { slug: 'nordhavn-bank' }, select: { id: true, slug: true, allowedCountries: true } });
  const family = await db.modelFamily.findUniqueOrThrow({ where: { slug: 'sentinel-guard' }, select: { id: true } });
  const staging = demoContractInput(nordhavn, 0);
  staging.reference = 'CH-2026-0201';
  staging.scope = 'STAGING';
  staging.validFrom = new Date(Date.UTC(2026, 0, 1));
  staging.entitlements = [{ modelFamilyId: family.id, modelVersionId: null, maxDeployments: 1, limits: { maxGpus: 8 } }];
  const draft = await createContract(admin, staging);
  await requestContractActivation(admin, draft.id, { reason: 'Evaluation of Sentinel Guard on the staging cluster, signed 2026-11-20.' });
  const admin2 = await asUser('admin2@charter.example');
  await requestPlatformApiKey(admin2, {
    name: 'SIEM export',
    tenantId: null,
    deploymentId: null,
    scopes: ['audit:read'],
    expiresInDays: 90,
    allowedCidrs: ['10.40.0.0/16'],
    reason: 'The SOC pulls audit events of every tenant into the SIEM.',
  });
}

/** Which version each deployment is pinned to, and upgrades scheduled with notice (through the rollouts service). */
const PINS: Record<string, { pin: string; upgrade?: { to: string; inDays: number } }> = {
  'cph-prod-1': { pin: 'aurora@4.1.0' },
  'sto-dr': { pin: 'aurora@4.0.0', upgrade: { to: 'aurora@4.1.0', inDays: 21 } },
  'cph-staging': { pin: 'aurora@4.1.0' },
  'balard-classified': { pin: 'aurora@4.0.0' }, // air-gapped: stays in progress until the site's report says it runs 4.0.0
  'rennes-lab': { pin: 'aurora@4.0.0' },
  'zrh-clinical': { pin: 'aurora@4.0.0' },
  'wien-liaison': { pin: 'aurora@4.1.0' },
  'mad-ops': { pin: 'aurora@4.1.0' },
};

async function versionIdOf(ref: string): Promise<string> {
  const [family, version] = ref.split('@') as [string, string];
  return (await db.modelVersion.findFirstOrThrow({ where: { version, family: { slug: family } }, select: { id: true } })).id;
}

async function seedRollouts(ctx: Ctx, tenantId: string): Promise<void> {
  // A tenant whose demo contract has already ended is entitled to nothing new: its deployments stay unpinned.
  if (!(await db.contract.count({ where: { tenantId, status: 'ACTIVE', validUntil: { gt: new Date() } } }))) return;
  const deployments = await db.deployment.findMany({ where: { tenantId }, select: { id: true, name: true } });
  for (const d of deployments) {
    const plan = PINS[d.name];
    if (!plan) continue;
    await createRollout(ctx, d.id, { modelVersionId: await versionIdOf(plan.pin), note: 'Initial pin after acceptance testing.' });
    if (plan.upgrade) {
      await createRollout(ctx, d.id, {
        modelVersionId: await versionIdOf(plan.upgrade.to),
        scheduledFor: new Date(Date.now() + plan.upgrade.inDays * 86_400_000).toISOString(),
        noticeAt: new Date().toISOString(),
        note: 'Quarterly upgrade, agreed with the customer in the change advisory board.',
      });
    }
  }
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
    if (activate) await seedRollouts(ctx, tenant.id);
    await seedHeartbeats(agents, 12);
  }

  for (const u of TENANT_USERS) {
    const tenantId = tenantIds.get(u.tenant) as string;
    await createUser(ctx, { email: u.email, name: u.name, password: DEMO_PASSWORD, role: u.role, tenantId });
    credentials.push({ role: u.role, scope: u.tenant, email: u.email, password: DEMO_PASSWORD });
  }
  await seedApprovals();
  return { credentials };
}
