import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { db } from '@/lib/core/db';
import { verifyCheckpointSignature } from '@/lib/audit/checkpoint';
import { ingestAuditEventsInput } from '@/lib/modules/audit-trail/ingest-schema';
import { makeDeployment, makeKey, makeTenant } from '@/lib/testing/factories';
import { preparePartitions, sealUnsealedChains } from './maintenance';
import { ingestAuditEvents } from './ingest';
import { bootstrap } from '@/lib/runtime/bootstrap';
import { runMaintenance } from '@/lib/runtime/maintenance';
import { listPublicKeys } from '@/lib/modules/signing-keys/service';

beforeAll(async () => {
  await bootstrap();
});

describe('periodic checkpoints', () => {
  it('seals every chain whose head is past its latest checkpoint, once', async () => {
    const tenant = await makeTenant();
    // Confined to this test's chain: other test files count their own chains' checkpoints.
    const sealed = await sealUnsealedChains({ chains: [tenant.id] });
    expect(sealed).toContainEqual({ chain: tenant.id, seq: 1 });
    const stored = await db.auditCheckpoint.findFirstOrThrow({ where: { chain: tenant.id, seq: 1n } });
    const key = (await listPublicKeys()).find((k) => k.kid === stored.kid);
    expect(
      verifyCheckpointSignature(
        { v: 1, chain: stored.chain, seq: 1, hash: stored.hash, issuedAt: stored.issuedAt.toISOString(), kid: stored.kid, signature: stored.signature },
        key?.publicKey as string,
      ),
    ).toBe(true);
    expect(await sealUnsealedChains({ chains: [tenant.id] })).toEqual([]);
    // One instance at a time (the maintenance round, which this upkeep is part of); a round also
    // prepares next month's partitions.
    const rounds = await Promise.all([runMaintenance({ chains: [tenant.id] }), runMaintenance({ chains: [tenant.id] })]);
    expect(rounds.filter((r) => r.ran).length).toBeGreaterThanOrEqual(1);
    expect(await preparePartitions()).toBeGreaterThan(0);
  });

  it('signs a checkpoint in the appending transaction whenever seq reaches a multiple of 1000', async () => {
    const tenant = await makeTenant();
    const deployment = await makeDeployment(tenant);
    const { ctx } = await makeKey(tenant.id, ['audit:write'], { deploymentId: deployment.id });
    const events = Array.from({ length: 1000 }, (_, i) => ({
      id: randomUUID(),
      occurredAt: new Date().toISOString(),
      action: 'model.loaded',
      actor: { type: 'service', id: `s-${i}` },
    }));
    const result = await ingestAuditEvents(ctx, ingestAuditEventsInput.parse({ events }));
    const last = result.events.at(-1)?.seq as number;
    expect(last).toBeGreaterThan(1000);
    const checkpoints = await db.auditCheckpoint.findMany({ where: { chain: tenant.id } });
    expect(checkpoints.map((c) => Number(c.seq))).toEqual([last]);
    const head = await db.auditChain.findUniqueOrThrow({ where: { id: tenant.id } });
    expect(checkpoints[0]?.hash).toBe(head.lastHash);
  });
});
