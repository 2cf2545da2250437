'use server';

import { revalidatePath } from 'next/cache';
import type { SaveContractResult } from '@/components/contracts/contract-form';
import type { FormState } from '@/components/ui/form-state';
import { notFound, toProblem } from '@/lib/errors';
import { action } from '@/lib/http/action';
import { uuid } from '@/lib/schemas/common';
import { amendContractInput, createContractInput, requestActivationInput, requestTerminationInput, updateContractInput } from '@/lib/schemas/contract';
import { type DoraExport, doraExportInput } from '@/lib/schemas/dora';
import { issueBundle } from '@/lib/services/bundles';
import { exportDoraRegister } from '@/lib/services/dora-register';
import { amendContract, createContract, requestContractActivation, requestContractTermination, updateContract } from '@/lib/services/contracts';

// Thin adapters over lib/services/contracts: parse, one service call through action(), and what
// the page shows next. Whether a change is four-eyes is the service's decision.

export async function createContractAction(input: Record<string, unknown>): Promise<SaveContractResult> {
  const result = await action({ schema: createContractInput, permission: 'contracts:write' }, (ctx, parsed) => createContract(ctx, parsed))(input as never);
  if (!result.ok) return { ok: false, problem: result.problem };
  revalidatePath('/contracts');
  return { ok: true, href: `/contracts/${result.data.id}` };
}

export async function updateContractAction(contractId: string, input: Record<string, unknown>): Promise<SaveContractResult> {
  if (!uuid.safeParse(contractId).success) return { ok: false, problem: toProblem(notFound('Contract')) };
  const result = await action({ schema: updateContractInput, permission: 'contracts:write' }, (ctx, parsed) => updateContract(ctx, contractId, parsed))(input as never);
  if (!result.ok) return { ok: false, problem: result.problem };
  revalidatePath(`/contracts/${contractId}`);
  return { ok: true, href: `/contracts/${contractId}` };
}

export async function amendContractAction(contractId: string, input: Record<string, unknown>): Promise<SaveContractResult> {
  if (!uuid.safeParse(contractId).success) return { ok: false, problem: toProblem(notFound('Contract')) };
  const result = await action({ schema: amendContractInput, permission: 'contracts:write' }, (ctx, parsed) => amendContract(ctx, contractId, parsed))(input as never);
  if (!result.ok) return { ok: false, problem: result.problem };
  revalidatePath(`/contracts/${contractId}`);
  revalidatePath('/approvals');
  return { ok: true, href: result.data.approval ? `/approvals/${result.data.approval.id}` : `/contracts/${contractId}` };
}

/** One form, two buttons on the contract page: `intent` is "activate" or "terminate". */
export async function contractLifecycleAction(contractId: string, prev: FormState, form: FormData): Promise<FormState> {
  if (!uuid.safeParse(contractId).success) return { nonce: prev.nonce + 1, problem: toProblem(notFound('Contract')) };
  const intent = String(form.get('intent') ?? '');
  const reason = typeof form.get('reason') === 'string' ? String(form.get('reason')) : '';
  const terminationReason = typeof form.get('terminationReason') === 'string' ? String(form.get('terminationReason')) : undefined;
  const values = { reason, terminationReason };
  const result =
    intent === 'terminate'
      ? await action({ schema: requestTerminationInput, permission: 'contracts:write' }, (ctx, input) => requestContractTermination(ctx, contractId, input))(values as never)
      : await action({ schema: requestActivationInput, permission: 'contracts:write' }, (ctx, input) => requestContractActivation(ctx, contractId, input))({ reason });
  if (!result.ok) return { nonce: prev.nonce + 1, problem: result.problem, values };
  revalidatePath(`/contracts/${contractId}`);
  revalidatePath('/approvals');
  const what = intent === 'terminate' ? 'Termination' : 'Activation';
  return {
    nonce: prev.nonce + 1,
    message: result.data.kind === 'requested' ? `${what} requested: a second administrator must approve it in Approvals within 72 hours.` : `${what} done.`,
  };
}

export type IssueBundleResult = { ok: true; json: string; fileName: string; kid: string } | { ok: false; problem: FormState['problem'] };

/** The signed bundle of a deployment, for the browser to save as a file (refusals come back with their reason). */
export async function issueBundleAction(deploymentId: string): Promise<IssueBundleResult> {
  if (!uuid.safeParse(deploymentId).success) return { ok: false, problem: toProblem(notFound('Deployment')) };
  const result = await action({ schema: uuid, permission: 'entitlements:read' }, (ctx, id) => issueBundle(ctx, id))(deploymentId);
  if (!result.ok) return { ok: false, problem: result.problem };
  return { ok: true, json: result.data.json, fileName: result.data.fileName, kid: result.data.bundle.kid };
}

export type DoraExportResult = { ok: true; data: DoraExport } | { ok: false; problem: FormState['problem'] };

/** Exports the register once (audited) and hands every CSV to the browser to save. */
export async function exportDoraAction(input: Record<string, unknown>): Promise<DoraExportResult> {
  const result = await action({ schema: doraExportInput, permission: 'contracts:read' }, (ctx, parsed) => exportDoraRegister(ctx, parsed))(input as never);
  return result.ok ? { ok: true, data: result.data } : { ok: false, problem: result.problem };
}
