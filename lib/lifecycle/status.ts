import * as z from '#lib/zod.ts';
import { NotFoundError } from '#lib/errors.ts';
import { parseWith } from '#lib/http/http.ts';
import { getJob } from '#lib/store/lifecycle-jobs.ts';
import { publicJob, runJob, type RunOptions } from '#lib/lifecycle/jobs.ts';
import { deletionStep, type DeletionJob } from '#lib/lifecycle/delete-shop.ts';
import { erasureStep, publicErasure, type ErasureJob } from '#lib/lifecycle/erase-person.ts';

const jobIdSchema = z.string().check(z.regex(/^(delete|erase)-[a-z0-9_-]{1,80}$/, 'a job id from DELETE /v1/admin/shops/{shopId} or POST …/erasure'));

/**
 * `GET /v1/admin/jobs/{jobId}`: a lifecycle job's status. A job that is not
 * done yet runs its next steps first (for the request's time budget), so
 * reading the status until `done` is what finishes a large job.
 */
export async function lifecycleJobStatus(jobIdRaw: string, opts: RunOptions = {}): Promise<Record<string, unknown>> {
  const jobId = parseWith(jobIdSchema, jobIdRaw, 'job id');
  const stored = await getJob(jobId);
  if (!stored) throw new NotFoundError(`No job ${jobId}`);
  if (stored.job.kind === 'erasure') return publicErasure(await runJob<ErasureJob>(jobId, erasureStep, opts));
  return publicJob(await runJob<DeletionJob>(jobId, deletionStep, opts));
}

/** 200 once done, 202 while running. */
export const jobHttpStatus = (job: Record<string, unknown>) => (job.status === 'done' ? 200 : 202);
