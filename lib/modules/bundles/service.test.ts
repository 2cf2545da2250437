import { createPublicKey, generateKeyPairSync, sign } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { systemCtx } from '@/lib/access/system';
import { canonicalJson, kidOfPublicKey, verifyBundle } from '@/lib/modules/bundles/verify';
import { canonicalize } from '@/lib/core/crypto/jcs';
import { db } from '@/lib/core/db';
import { makeContract, makeDeployment, makeKey, makeModelVersion, makeTenant, makeUser, runMaintenanceOf } from '@/lib/testing/factories';
import { bootstrap } from '@/lib/runtime/bootstrap';
import { issueBundle, listBundles } from './service';
import { listPublicKeys, rotateSigningKey } from '@/lib/modules/signing-keys/service';

const DAY = 86_400_000;

async function publishedKeys() {
  return (await listPublicKeys()).map((k) => ({ kid: k.kid, publicKey: k.publicKey }));
}

async function setup(options: { countries?: string[]; depCountry?: string; restrictions?: string[] } = {}) {
  const tenant = await makeTenant({ allowedCountries: ['DE', 'FR', 'US'], homeCountry: 'DE' });
  const v = await makeModelVersion();
  if (options.restrictions) await db.modelVersion.update({ where: { id: v.id }, data: { exportRestrictions: options.restrictions } });
  const draft = await makeModelVersion({ familyId: v.familyId, status: 'DRAFT' });
  const contract = await makeContract(tenant.id, {
    familyIds: [v.familyId],
    countries: options.countries ?? ['DE', 'FR'],
    validUntil: new Date(Date.UTC(2030, 0, 1)),
    graceDays: 30,
  });
  const deployment = await makeDeployment(tenant, { country: options.depCountry ?? 'DE' });
  return { tenant, v, draft, contract, deployment };
}

describe('entitlement bundles', () => {
  beforeAll(bootstrap);

  it('round-trips: issued from the active contract, verified offline with the published key, audited', async () => {
    const { tenant, v, draft, contract, deployment } = await setup();
    const { ctx } = await makeUser('TENANT_VIEWER', tenant.id);
    const issued = await issueBundle(ctx, deployment.id);
    const { bundle } = issued;
    expect(bundle).toMatchObject({ v: 1, alg: 'Ed25519' });
    expect(bundle.payload).toMatchObject({
      tenant: { id: tenant.id, name: tenant.legalName, lei: null },
      contract: { id: contract.id, reference: contract.reference, version: 1, validFrom: '2026-01-01T00:00:00.000Z', validUntil: '2030-01-01T00:00:00.000Z', graceDays: 30 },
      deployments: [{ id: deployment.id, name: deployment.name, country: 'DE' }],
      allowedCountries: ['DE', 'FR'],
      notBefore: '2026-01-01T00:00:00.000Z',
    });
    expect(bundle.payload.models).toEqual([{ family: v.family, version: v.version, digest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) }]);
    expect(bundle.payload.models.map((m) => m.version)).not.toContain(draft.version);
    expect(bundle.payload.limits).toEqual({ [v.family]: { maxDeployments: 3, maxGpus: 8 } });
    // The tiny JCS of the verifier is byte-identical to the library Charter signs with.
    expect(canonicalJson(bundle.payload)).toBe(canonicalize(bundle.payload));

    const keys = await publishedKeys();
    expect(verifyBundle(issued.json, { keys, at: new Date('2027-06-01T00:00:00Z') })).toMatchObject({ status: 'valid', kid: bundle.kid });
    expect(verifyBundle(issued.json, { keys: keys.map((k) => k.publicKey) }).status).toBe('valid');

    const records = await listBundles(ctx, { deploymentId: deployment.id, limit: 10 });
    expect(records.data).toHaveLength(1);
    expect(records.data[0]).toMatchObject({ contractReference: contract.reference, contractVersion: 1, kid: bundle.kid });
    const events = await db.auditEvent.findMany({ where: { tenantId: tenant.id, action: 'bundle.issued' } });
    expect(events).toHaveLength(1);
  });

  it('gives every verifier outcome: valid, grace, expired, not_yet_valid, bad_signature, unknown_key', async () => {
    const { deployment } = await setup();
    const { json, bundle } = await issueBundle(systemCtx('test'), deployment.id);
    const keys = await publishedKeys();
    const at = (iso: string) => verifyBundle(json, { keys, at: new Date(iso) });
    expect(at('2026-01-01T00:00:00.000Z').status).toBe('valid');
    expect(at('2025-12-31T23:59:59.999Z')).toMatchObject({ status: 'not_yet_valid', reason: expect.stringContaining('starts at 2026-01-01T00:00:00.000Z') });
    expect(at('2030-01-01T00:00:00.000Z').status).toBe('valid');
    const grace = at('2030-01-15T00:00:00.000Z');
    expect(grace).toMatchObject({ status: 'grace', graceUntil: '2030-01-31T00:00:00.000Z' });
    expect(grace.reason).toContain('grace period of 30 days');
    const expired = at('2030-01-31T00:00:00.001Z');
    expect(expired.status).toBe('expired');
    // Never a shutdown instruction.
    for (const r of [grace, expired]) expect(r.reason.toLowerCase()).not.toMatch(/shut|stop|disable|kill/);

    // One changed byte anywhere in the signed payload breaks the signature.
    const tampered = json.replace(`"country": "DE"`, `"country": "DF"`);
    expect(tampered).not.toBe(json);
    expect(verifyBundle(tampered, { keys }).status).toBe('bad_signature');
    const bumped = JSON.parse(json) as typeof bundle;
    bumped.payload.contract.graceDays += 1;
    expect(verifyBundle(bumped, { keys }).status).toBe('bad_signature');
    const badSig = { ...bundle, signature: `${bundle.signature.slice(0, -2)}${bundle.signature.endsWith('AA') ? 'BA' : 'AA'}` };
    expect(verifyBundle(badSig, { keys }).status).toBe('bad_signature');
    expect(verifyBundle('{not json', { keys }).status).toBe('bad_signature');

    const stranger = generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' }).x as string;
    expect(verifyBundle(json, { keys: [stranger] })).toMatchObject({ status: 'unknown_key', reason: expect.stringContaining(bundle.kid) });
    expect(verifyBundle(json, { keys: [] }).status).toBe('unknown_key');
    // A key listed under a kid that is not its fingerprint is ignored.
    expect(verifyBundle(json, { keys: keys.map((k) => ({ kid: kidOfPublicKey(stranger), publicKey: k.publicKey })) }).status).toBe('unknown_key');

    // Re-signed by someone else with a key claiming the same kid: bad signature against the pinned key.
    const forger = generateKeyPairSync('ed25519');
    const forged = { ...bundle, signature: sign(null, Buffer.from(canonicalJson(bundle.payload)), forger.privateKey).toString('base64url') };
    expect(verifyBundle(forged, { keys }).status).toBe('bad_signature');
    expect(createPublicKey(forger.privateKey)).toBeDefined();
  });

  it("refuses a deployment outside the contract's data-processing countries, with the reason, audited", async () => {
    const { tenant, deployment } = await setup({ countries: ['DE'], depCountry: 'US' });
    await expect(issueBundle(systemCtx('test'), deployment.id)).rejects.toMatchObject({
      code: 'conflict',
      status: 409,
      message: expect.stringMatching(/is in US, outside the data-processing countries of contract .* \(DE\)/),
      extra: { reason: 'residency_violation', country: 'US', allowedCountries: ['DE'] },
    });
    expect(await db.entitlementBundle.count({ where: { deploymentId: deployment.id } })).toBe(0);
    const refused = await db.auditEvent.findMany({ where: { tenantId: tenant.id, action: 'bundle.refused' } });
    expect(refused.map((e) => (e.data as { reason: string }).reason)).toEqual(['residency_violation']);
  });

  it("refuses model versions that may not be exported to the deployment's country", async () => {
    const { deployment, v } = await setup({ restrictions: ['FR'], depCountry: 'FR' });
    await expect(issueBundle(systemCtx('test'), deployment.id)).rejects.toMatchObject({ extra: { reason: 'export_restricted', models: [`${v.family}@${v.version}`] } });
  });

  it('refuses without an active contract, and once the contract has expired', async () => {
    const tenant = await makeTenant();
    const deployment = await makeDeployment(tenant);
    await expect(issueBundle(systemCtx('test'), deployment.id)).rejects.toMatchObject({ extra: { reason: 'no_active_contract' } });
    const v = await makeModelVersion();
    const contract = await makeContract(tenant.id, { familyIds: [v.familyId] });
    expect((await issueBundle(systemCtx('test'), deployment.id)).bundle.payload.contract.id).toBe(contract.id);
    await db.contract.update({ where: { id: contract.id }, data: { validUntil: new Date(Date.now() - DAY) } });
    await expect(issueBundle(systemCtx('test'), deployment.id)).rejects.toMatchObject({ extra: { reason: 'no_active_contract' } });
    // Refused by date alone: the request does not mark the contract (the maintenance round does).
    expect((await db.contract.findUniqueOrThrow({ where: { id: contract.id } })).status).toBe('ACTIVE');
    await runMaintenanceOf([tenant.id]);
    expect((await db.contract.findUniqueOrThrow({ where: { id: contract.id } })).status).toBe('EXPIRED');
    await expect(issueBundle(systemCtx('test'), deployment.id)).rejects.toMatchObject({ extra: { reason: 'no_active_contract' } });
  });

  it('keeps verifying bundles signed by a rotated key (overlap)', async () => {
    const { deployment } = await setup();
    const before = await issueBundle(systemCtx('test'), deployment.id);
    const rotated = await rotateSigningKey(systemCtx('test'));
    expect(rotated.retired).toContain(before.bundle.kid);
    const after = await issueBundle(systemCtx('test'), deployment.id);
    expect(after.bundle.kid).toBe(rotated.kid);
    const keys = await publishedKeys();
    expect(verifyBundle(before.json, { keys }).status).toBe('valid');
    expect(verifyBundle(after.json, { keys }).status).toBe('valid');
  });

  it('isolates tenants and needs entitlements:read (cross-tenant and denied-role tests)', async () => {
    const mine = await setup();
    const theirs = await setup();
    const { ctx } = await makeUser('TENANT_ADMIN', mine.tenant.id);
    await expect(issueBundle(ctx, theirs.deployment.id)).rejects.toMatchObject({ code: 'not_found', status: 404 });
    const key = await makeKey(mine.tenant.id, ['entitlements:read']);
    expect((await issueBundle(key.ctx, mine.deployment.id)).bundle.payload.tenant.id).toBe(mine.tenant.id);
    await expect(issueBundle(key.ctx, theirs.deployment.id)).rejects.toMatchObject({ code: 'not_found' });
    const noScope = await makeKey(mine.tenant.id, ['deployments:read']);
    await expect(issueBundle(noScope.ctx, mine.deployment.id)).rejects.toMatchObject({ code: 'forbidden' });
  });
});
