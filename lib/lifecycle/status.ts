import * as z from '#lib/zod.ts';
import { NotFoundError } from '#lib/errors.ts';
import { log } from '#lib/log.ts';
import { parseWith } from '#lib/http/http.ts';
import { getJob, listOpenJobs, unlistJob } from '#lib/store/lifecycle-jobs.ts';
import { publicJob, runJob, type RunOptions } from '#lib/lifecycle/jobs.ts';
import { deletionStep, type DeletionJob } from '#lib/lifecycle/delete-shop.ts';
import { erasureStep, publicErasure, type ErasureJob } from '#lib/lifecycle/erase-person.ts';

const jobIdSchema = z.string().check(z.regex(/^(delete|erase)-[a-z0-9_-]{1,80}$/, 'a job id from DELETE /v1/admin/shops/{shopId} or POST …/erasure'));

/**
 * `GET /v1/admin/jobs/{jobId}`: a lifecycle job's status. A job that is not
 * done yet runs its next steps first (for the request's time budget); the
 * scheduled sweep (below) carries on with it in any case.
 */
export async function lifecycleJobStatus(jobIdRaw: string, opts: RunOptions = {}): Promise<Record<string, unknown>> {
  const jobId = parseWith(jobIdSchema, jobIdRaw, 'job id');
  const job = await runLifecycleJob(jobId, opts);
  if (!job) throw new NotFoundError(`No job ${jobId}`);
  return job;
}

/** Runs a stored job's next steps, whatever its kind; its public status, or undefined when there is no such job. */
async function runLifecycleJob(jobId: string, opts: RunOptions): Promise<Record<string, unknown> | undefined> {
  const stored = await getJob(jobId);
  if (!stored) return undefined;
  if (stored.job.kind === 'erasure') return publicErasure(await runJob<ErasureJob>(jobId, erasureStep, opts));
  return publicJob(await runJob<DeletionJob>(jobId, deletionStep, opts));
}

/** A sweep's time (the admin function's timeout is 29 s) and each job's share of it. */
const SWEEP_TOTAL_MS = 20_000;
const SWEEP_JOB_MS = 8_000;

/** What one sweep did: the open jobs it found, and those of them now done. */
export type SweepOutcome = { open: number; done: number };

/**
 * The scheduled sweep (every 5 minutes in AWS, every minute locally): runs
 * the next steps of every open job, so a deletion or erasure finishes without
 * anyone reading its status, and a run that crashed or timed out is picked up
 * by the next one from its last recorded step (steps are idempotent and
 * versioned: a sweep and a status read running one job at once never record
 * a step twice). `budgetMs` is per job. A listed job that is gone or done
 * leaves the list.
 */
export async function sweepLifecycleJobs(opts: RunOptions & { totalMs?: number } = {}): Promise<SweepOutcome> {
  const until = Date.now() + (opts.totalMs ?? SWEEP_TOTAL_MS);
  const ids = await listOpenJobs();
  let done = 0;
  for (const jobId of ids) {
    const left = until - Date.now();
    if (left <= 0) break; // the next sweep goes on with the rest
    const job = await runLifecycleJob(jobId, { ...opts, budgetMs: Math.min(opts.budgetMs ?? SWEEP_JOB_MS, left) });
    if (!job || job.status === 'done') {
      await unlistJob(jobId);
      done++;
    }
  }
  if (ids.length > 0) log.info('lifecycle sweep', { open: ids.length, done });
  return { open: ids.length, done };
}

/** 200 once done, 202 while running. */
export const jobHttpStatus = (job: Record<string, unknown>) => (job.status === 'done' ? 200 : 202);
