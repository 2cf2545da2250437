'use server';

import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import { type Problem, notFound, toProblem } from '@/lib/core/errors';
import { action, formAction } from '@/lib/http/action';
import type { FormState } from '@/lib/http/form-state';
import { isUuid, uuid } from '@/lib/core/schema';
import { amendContractForm, createContractForm, requestActivationForm, requestTerminationForm, updateContractForm } from '@/lib/modules/contracts/schema';
import { type DoraExport, doraExportInput } from '@/lib/modules/dora-register/schema';
import { issueBundle } from '@/lib/modules/bundles/service';
import { exportDoraRegister } from '@/lib/modules/dora-register/service';
import { amendContract, createContract, requestContractActivation, requestContractTermination, updateContract } from '@/lib/modules/contracts/service';

// Thin adapters over lib/modules/contracts/service: each action made once, one service call, and what the
// page shows next. Whether a change is four-eyes is the service's decision.

export const createContractAction = formAction({ schema: createContractForm, permission: 'contracts:write' }, createContract, (contract) => {
  revalidatePath('/contracts');
  redirect(`/contracts/${contract.id}`);
});

export const updateContractAction = formAction(
  { schema: updateContractForm, permission: 'contracts:write', bound: ['Contract'] },
  (ctx, input, contractId) => updateContract(ctx, contractId, input),
  (_contract, contractId) => {
    revalidatePath(`/contracts/${contractId}`);
    redirect(`/contracts/${contractId}`);
  },
);

export const amendContractAction = formAction(
  { schema: amendContractForm, permission: 'contracts:write', bound: ['Contract'] },
  (ctx, input, contractId) => amendContract(ctx, contractId, input),
  (change, contractId) => {
    revalidatePath(`/contracts/${contractId}`);
    revalidatePath('/approvals');
    redirect(change.approval ? `/approvals/${change.approval.id}` : `/contracts/${contractId}`);
  },
);

const requested = (what: string) => (change: { kind: string }, contractId: string) => {
  revalidatePath(`/contracts/${contractId}`);
  revalidatePath('/approvals');
  return { message: change.kind === 'requested' ? `${what} requested: a second administrator must approve it in Approvals within 72 hours.` : `${what} done.` };
};

const activate = formAction(
  { schema: requestActivationForm, permission: 'contracts:write', bound: ['Contract'] },
  (ctx, input, contractId) => requestContractActivation(ctx, contractId, input),
  requested('Activation'),
);

const terminate = formAction(
  { schema: requestTerminationForm, permission: 'contracts:write', bound: ['Contract'] },
  (ctx, input, contractId) => requestContractTermination(ctx, contractId, input),
  requested('Termination'),
);

/** One form, two buttons on the contract page: `intent` is "activate" or "terminate". */
export async function contractLifecycleAction(contractId: string, prev: FormState, form: FormData): Promise<FormState> {
  return (form.get('intent') === 'terminate' ? terminate : activate)(contractId, prev, form);
}

export type IssueBundleResult = { ok: true; json: string; fileName: string; kid: string } | { ok: false; problem: Problem };

const issue = action({ schema: uuid, permission: 'entitlements:read' }, issueBundle);

/** The signed bundle of a deployment, for the browser to save as a file (refusals come back with their reason). */
export async function issueBundleAction(deploymentId: string): Promise<IssueBundleResult> {
  if (!isUuid(deploymentId)) return { ok: false, problem: toProblem(notFound('Deployment')) };
  const result = await issue(deploymentId);
  if (!result.ok) return result;
  return { ok: true, json: result.data.json, fileName: result.data.fileName, kid: result.data.bundle.kid };
}

/** Exports the register once (audited) and hands every CSV to the browser to save. */
export const exportDoraAction = formAction({ schema: doraExportInput, permission: 'contracts:read' }, exportDoraRegister, (data): { data: DoraExport } => ({ data }));
