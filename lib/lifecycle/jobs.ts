import { NotFoundError } from '#lib/errors.ts';
import { getJob, saveJob } from '#lib/store/lifecycle-jobs.ts';
import type { ScanCursor } from '#lib/store/shop-items.ts';

/**
 * A data lifecycle job runs in steps: each step does one bounded piece of work
 * (one page of a pass over the table) and records where it got to, on the
 * job's version, so the job survives the end of a request, a crash or a
 * timeout and carries on from its last recorded step. A request runs steps
 * for a time budget; a job that needs more continues whenever its status is
 * read (`GET /v1/admin/jobs/{jobId}`), in AWS as on this machine. Steps are
 * idempotent, so a step repeated after a crash changes nothing twice.
 */
export type JobCommon = {
  jobId: string;
  shopId: string;
  status: string;
  startedAt: string;
  updatedAt: string;
  finishedAt?: string;
  /** where the current pass over the table continues (internal) */
  cursor?: ScanCursor;
};

export type StepOptions = { pageLimit: number };
export type RunOptions = { budgetMs?: number; pageLimit?: number; now?: () => Date };

/** The step of each kind of job: the job after one more piece of work. */
export type StepFn<J extends JobCommon> = (job: J, opts: StepOptions) => Promise<J>;

const DEFAULT_BUDGET_MS = 8_000;
/** Items scanned per step (a Scan page): small enough that one step's writes finish well inside a Lambda's timeout. */
const DEFAULT_PAGE_LIMIT = 500;

/**
 * Runs steps of a job until it is done or the budget is spent (always at least
 * one step), and returns it as recorded. A step another runner recorded first
 * is dropped and the job read again.
 */
export async function runJob<J extends JobCommon>(jobId: string, step: StepFn<J>, opts: RunOptions = {}): Promise<J> {
  const budget = opts.budgetMs ?? DEFAULT_BUDGET_MS;
  const pageLimit = opts.pageLimit ?? DEFAULT_PAGE_LIMIT;
  const now = opts.now ?? (() => new Date());
  const started = Date.now();
  for (let steps = 0; ; steps++) {
    const stored = await getJob(jobId);
    if (!stored) throw new NotFoundError(`No job ${jobId}`);
    const job = stored.job as J;
    if (job.status === 'done' || (steps > 0 && Date.now() - started >= budget)) return job;
    const next = await step(job, { pageLimit });
    const at = now().toISOString();
    const done = next.status === 'done';
    const recorded = { ...next, updatedAt: at, ...(done ? { finishedAt: at } : {}) };
    await saveJob(jobId, recorded, stored.v, done);
  }
}

/** What a job's status shows: everything but its internal cursor (and anything else `hide` names). */
export function publicJob<J extends JobCommon>(job: J, hide: string[] = []): Record<string, unknown> {
  const { cursor: _c, ...rest } = job;
  return Object.fromEntries(Object.entries(rest).filter(([k]) => !hide.includes(k)));
}
