'use server';

import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import { AppError, notFound, toProblem } from '@/lib/core/errors';
import { action, formAction } from '@/lib/http/action';
import type { FormState } from '@/lib/http/form-state';
import { isUuid } from '@/lib/core/schema';
import { createDeploymentInput, runningVersionsFile, setRunningVersionsInput } from '@/lib/modules/deployments/schema';
import { createRolloutForm, endRolloutInput } from '@/lib/modules/rollouts/schema';
import { createDeployment, importRunningVersions, setRunningVersions } from '@/lib/modules/deployments/service';
import { cancelRollout, createRollout, rollBackRollout } from '@/lib/modules/rollouts/service';

// Thin adapters over the deployments and rollouts services (pattern: app/(dashboard)/tenants/actions.ts).

function changed(deploymentId: string, message: string) {
  revalidatePath('/deployments');
  revalidatePath(`/deployments/${deploymentId}`);
  revalidatePath('/models', 'layout');
  return { message };
}

export const createDeploymentAction = formAction({ schema: createDeploymentInput, permission: 'deployments:write' }, createDeployment, (deployment) => {
  revalidatePath('/deployments');
  redirect(`/deployments/${deployment.id}`);
});

export const createRolloutAction = formAction(
  { schema: createRolloutForm, permission: 'deployments:write', bound: ['Deployment'] },
  (ctx, input, deploymentId) => createRollout(ctx, deploymentId, input),
  (r, deploymentId) =>
    changed(
      deploymentId,
      r.status === 'SCHEDULED'
        ? `Upgrade to ${r.to.family}@${r.to.version} scheduled for ${r.scheduledFor?.slice(0, 10)}.`
        : `Pinned to ${r.to.family}@${r.to.version}${r.status === 'COMPLETED' ? ' (already running).' : '; waiting for the deployment to report it.'}`,
    ),
);

const cancel = formAction(
  { schema: endRolloutInput, permission: 'deployments:write', bound: ['Deployment', 'Rollout'] },
  (ctx, input, _deploymentId, rolloutId) => cancelRollout(ctx, rolloutId, input),
  (_r, deploymentId) => changed(deploymentId, 'Scheduled upgrade cancelled.'),
);

const rollBack = formAction(
  { schema: endRolloutInput, permission: 'deployments:write', bound: ['Deployment', 'Rollout'] },
  (ctx, input, _deploymentId, rolloutId) => rollBackRollout(ctx, rolloutId, input),
  (r, deploymentId) => changed(deploymentId, `Rolled back to ${r.to.family}@${r.to.version}.`),
);

/** `intent` is "cancel" (a scheduled upgrade) or "rollback" (to the version before). */
export async function endRolloutAction(deploymentId: string, rolloutId: string, prev: FormState, form: FormData): Promise<FormState> {
  return (form.get('intent') === 'rollback' ? rollBack : cancel)(deploymentId, rolloutId, prev, form);
}

export const setRunningAction = formAction(
  { schema: setRunningVersionsInput, permission: 'deployments:write', bound: ['Deployment'] },
  (ctx, input, deploymentId) => setRunningVersions(ctx, deploymentId, { running: input.modelVersionIds.map((modelVersionId) => ({ modelVersionId })), source: 'MANUAL' }),
  (_d, deploymentId) => changed(deploymentId, 'Running versions saved.'),
);

const MAX_FILE_BYTES = 256 * 1024;

// A file, not fields: its JSON goes through the file format's schema.
const importFile = action({ schema: runningVersionsFile, permission: 'deployments:write' }, (ctx, input, deploymentId: string) => importRunningVersions(ctx, deploymentId, input));

export async function importRunningAction(deploymentId: string, prev: FormState, form: FormData): Promise<FormState> {
  const answer = (extra: Omit<FormState, 'nonce'>): FormState => ({ nonce: prev.nonce + 1, ...extra });
  if (!isUuid(deploymentId)) return answer({ problem: toProblem(notFound('Deployment')) });
  const file = form.get('file');
  const fail = (message: string) => answer({ problem: toProblem(new AppError('bad_request', message)) });
  if (!(file instanceof File) || file.size === 0) return fail('Choose the file the site exported.');
  if (file.size > MAX_FILE_BYTES) return fail(`The file is larger than ${MAX_FILE_BYTES / 1024} KiB; a running-versions file is a few hundred bytes.`);
  let json: unknown;
  try {
    json = JSON.parse(await file.text());
  } catch {
    return fail(`${file.name} is not a JSON file.`);
  }
  const result = await importFile(json, deploymentId);
  if (!result.ok) return answer({ problem: result.problem });
  const n = result.data.running.length;
  return answer(changed(deploymentId, `Imported ${file.name}: ${n} running version${n === 1 ? '' : 's'}.`));
}
