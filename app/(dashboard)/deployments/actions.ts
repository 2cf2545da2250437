'use server';

import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import type { z } from 'zod';
import type { FormState } from '@/components/ui/form-state';
import { AppError, notFound, toProblem } from '@/lib/errors';
import { action, formDataToObject } from '@/lib/http/action';
import { uuid } from '@/lib/schemas/common';
import { createDeploymentInput, runningVersionsFile, setRunningVersionsInput } from '@/lib/schemas/deployment';
import { createRolloutInput, endRolloutInput } from '@/lib/schemas/rollout';
import { createDeployment, importRunningVersions, setRunningVersions } from '@/lib/services/deployments';
import { cancelRollout, createRollout, rollBackRollout } from '@/lib/services/rollouts';

// Thin adapters over the deployments and rollouts services (pattern: app/(dashboard)/tenants/actions.ts).

const next = (prev: FormState, extra: Omit<FormState, 'nonce'>): FormState => ({ nonce: prev.nonce + 1, ...extra });

function badId(id: string, prev: FormState, what: string): FormState | null {
  return uuid.safeParse(id).success ? null : next(prev, { problem: toProblem(notFound(what)) });
}

function done(deploymentId: string, prev: FormState, message: string): FormState {
  revalidatePath('/deployments');
  revalidatePath(`/deployments/${deploymentId}`);
  revalidatePath('/models', 'layout');
  return next(prev, { message });
}

const create = action({ schema: createDeploymentInput, permission: 'deployments:write' }, (ctx, input) => createDeployment(ctx, input));

/** redirect() is called outside action(), whose error mapping would otherwise swallow it. */
export async function createDeploymentAction(prev: FormState, form: FormData): Promise<FormState> {
  const values = formDataToObject(form);
  const result = await create(values as z.input<typeof createDeploymentInput>);
  if (!result.ok) return next(prev, { problem: result.problem, values });
  revalidatePath('/deployments');
  redirect(`/deployments/${result.data.id}`);
}

export async function createRolloutAction(deploymentId: string, prev: FormState, form: FormData): Promise<FormState> {
  const refused = badId(deploymentId, prev, 'Deployment');
  if (refused) return refused;
  const values = formDataToObject(form);
  // "Pin now" ignores any dates left in the hidden fields.
  const input = values.when === 'scheduled' ? values : { modelVersionId: values.modelVersionId, note: values.note };
  if (values.when === 'scheduled' && !values.scheduledFor) {
    return next(prev, { problem: toProblem(new AppError('validation_failed', 'Choose the date of the upgrade.', { errors: [{ path: 'scheduledFor', message: 'is required for a scheduled upgrade' }] })), values });
  }
  const result = await action({ schema: createRolloutInput, permission: 'deployments:write' }, (ctx, parsed) => createRollout(ctx, deploymentId, parsed))(
    input as z.input<typeof createRolloutInput>,
  );
  if (!result.ok) return next(prev, { problem: result.problem, values });
  const r = result.data;
  return done(
    deploymentId,
    prev,
    r.status === 'SCHEDULED'
      ? `Upgrade to ${r.to.family}@${r.to.version} scheduled for ${r.scheduledFor?.slice(0, 10)}.`
      : `Pinned to ${r.to.family}@${r.to.version}${r.status === 'COMPLETED' ? ' (already running).' : '; waiting for the deployment to report it.'}`,
  );
}

export async function endRolloutAction(deploymentId: string, rolloutId: string, prev: FormState, form: FormData): Promise<FormState> {
  const refused = badId(rolloutId, prev, 'Rollout') ?? badId(deploymentId, prev, 'Deployment');
  if (refused) return refused;
  const values = formDataToObject(form);
  const rollback = values.intent === 'rollback';
  const result = await action({ schema: endRolloutInput, permission: 'deployments:write' }, (ctx, input) =>
    rollback ? rollBackRollout(ctx, rolloutId, input) : cancelRollout(ctx, rolloutId, input),
  )(values as z.input<typeof endRolloutInput>);
  if (!result.ok) return next(prev, { problem: result.problem, values });
  return done(deploymentId, prev, rollback ? `Rolled back to ${result.data.to.family}@${result.data.to.version}.` : 'Scheduled upgrade cancelled.');
}

export async function setRunningAction(deploymentId: string, prev: FormState, form: FormData): Promise<FormState> {
  const refused = badId(deploymentId, prev, 'Deployment');
  if (refused) return refused;
  const values = formDataToObject(form);
  values.modelVersionIds ??= [];
  const result = await action({ schema: setRunningVersionsInput, permission: 'deployments:write' }, (ctx, input) =>
    setRunningVersions(ctx, deploymentId, { running: input.modelVersionIds.map((modelVersionId) => ({ modelVersionId })), source: 'MANUAL' }),
  )(values as z.input<typeof setRunningVersionsInput>);
  if (!result.ok) return next(prev, { problem: result.problem });
  return done(deploymentId, prev, 'Running versions saved.');
}

const MAX_FILE_BYTES = 256 * 1024;

export async function importRunningAction(deploymentId: string, prev: FormState, form: FormData): Promise<FormState> {
  const refused = badId(deploymentId, prev, 'Deployment');
  if (refused) return refused;
  const file = form.get('file');
  const fail = (message: string) => next(prev, { problem: toProblem(new AppError('bad_request', message)) });
  if (!(file instanceof File) || file.size === 0) return fail('Choose the file the site exported.');
  if (file.size > MAX_FILE_BYTES) return fail(`The file is larger than ${MAX_FILE_BYTES / 1024} KiB; a running-versions file is a few hundred bytes.`);
  let json: unknown;
  try {
    json = JSON.parse(await file.text());
  } catch {
    return fail(`${file.name} is not a JSON file.`);
  }
  const result = await action({ schema: runningVersionsFile, permission: 'deployments:write' }, (ctx, input) => importRunningVersions(ctx, deploymentId, input))(
    json as z.input<typeof runningVersionsFile>,
  );
  if (!result.ok) return next(prev, { problem: result.problem });
  return done(deploymentId, prev, `Imported ${file.name}: ${result.data.running.length} running version${result.data.running.length === 1 ? '' : 's'}.`);
}
