import { NotFoundError } from '#lib/errors.ts';
import { parseWith } from '#lib/http/http.ts';
import { shopIdSchema } from '#lib/shops/schema.ts';
import { detachShop, getStoredShop } from '#lib/store/shops.ts';
import { listApiKeys, revokeApiKey } from '#lib/store/api-keys.ts';
import { countShopItems, deleteItems, scanShopItems } from '#lib/store/shop-items.ts';
import { getJob, saveJob } from '#lib/store/lifecycle-jobs.ts';
import { publicJob, runJob, type JobCommon, type RunOptions, type StepOptions } from '#lib/lifecycle/jobs.ts';

/**
 * `DELETE /v1/admin/shops/{shopId}`: every item of the shop goes (settings,
 * keys, secrets, page claims, state, rollups, raw events, ledgers, links).
 *
 * 1. At once: the shop is taken off the air — API keys revoked, page claims,
 *    directory entry and settings deleted — so nothing new reaches it.
 * 2. `counting`: one pass over the table counts the shop's items (so the
 *    status can say how many are left).
 * 3. `deleting`: a second pass deletes them, page by page.
 * The job's id is `delete-<shopId>`: a repeated DELETE while it runs returns
 * the same job; once the shop is gone a repeat returns the finished job.
 */
export type DeletionJob = JobCommon & {
  kind: 'shop-deletion';
  status: 'counting' | 'deleting' | 'done';
  itemsFound: number | null;
  itemsDeleted: number;
  itemsLeft: number | null;
  itemsScanned: number;
};

export const deletionJobId = (shopId: string) => `delete-${shopId}`;

export async function startShopDeletion(shopIdRaw: string, opts: RunOptions = {}): Promise<Record<string, unknown>> {
  const shopId = parseWith(shopIdSchema, shopIdRaw, 'shop id');
  const jobId = deletionJobId(shopId);
  const now = (opts.now ?? (() => new Date()))().toISOString();
  const previous = await getJob(jobId);
  const live = await getStoredShop(shopId);
  if (previous && (previous.job.status !== 'done' || !live)) return publicJob(await runJob(jobId, deletionStep, opts));
  if (!live) throw new NotFoundError(`No shop ${shopId}`);
  const job: DeletionJob = { jobId, kind: 'shop-deletion', shopId, status: 'counting', itemsFound: null, itemsDeleted: 0, itemsLeft: null, itemsScanned: 0, startedAt: now, updatedAt: now };
  // record the job first: if this request dies after taking the shop off the air, the job is still there to finish
  if (!(await saveJob(jobId, job, previous?.v ?? 0, false))) return publicJob(await runJob(jobId, deletionStep, opts));
  for (const k of await listApiKeys(shopId)) await revokeApiKey(shopId, k.keyId);
  await detachShop(shopId);
  return publicJob(await runJob(jobId, deletionStep, opts));
}

/** One step: a page of the counting pass, or a page of the deleting pass. */
export async function deletionStep(job: DeletionJob, opts: StepOptions): Promise<DeletionJob> {
  if (job.status === 'counting') {
    const page = await countShopItems(job.shopId, job.cursor, opts.pageLimit);
    const itemsFound = (job.itemsFound ?? 0) + page.count;
    const scanned = job.itemsScanned + page.scanned;
    if (page.next) return { ...job, itemsFound, itemsScanned: scanned, cursor: page.next };
    const { cursor: _c, ...rest } = job;
    return { ...rest, status: 'deleting', itemsFound, itemsLeft: itemsFound, itemsScanned: scanned };
  }
  const page = await scanShopItems(job.shopId, job.cursor, opts.pageLimit);
  await deleteItems(page.items.map((it) => ({ PK: String(it.PK), SK: String(it.SK) })));
  const itemsDeleted = job.itemsDeleted + page.items.length;
  // items an event in flight wrote after the count are deleted too; the count of those left never goes below 0
  const itemsLeft = Math.max(0, (job.itemsFound ?? 0) - itemsDeleted);
  const scanned = job.itemsScanned + page.scanned;
  if (page.next) return { ...job, itemsDeleted, itemsLeft, itemsScanned: scanned, cursor: page.next };
  const { cursor: _c, ...rest } = job;
  return { ...rest, status: 'done', itemsDeleted, itemsLeft: 0, itemsScanned: scanned };
}
