import { randomBytes, randomUUID } from 'node:crypto';
import { NotFoundError, ValidationError } from '#lib/errors.ts';
import { parseWith } from '#lib/http/http.ts';
import { erasureRequestSchema } from '#lib/lifecycle/schema.ts';
import { shopIdSchema } from '#lib/shops/schema.ts';
import { normalizePhone } from '#lib/ingest/phone.ts';
import { getStoredShop } from '#lib/store/shops.ts';
import { readItem, replaceItem, scanShopItems } from '#lib/store/shop-items.ts';
import { saveJob } from '#lib/store/lifecycle-jobs.ts';
import { isStandIn, pseudonymizeItem, STAND_IN_PREFIX, type Subjects } from '#lib/lifecycle/pseudonymize.ts';
import { publicJob, runJob, type JobCommon, type RunOptions, type StepOptions } from '#lib/lifecycle/jobs.ts';

/**
 * `POST /v1/admin/shops/{shopId}/erasure` `{channel, customerId}` or
 * `{phone}`: one person's personal data is erased while the shop's figures
 * stay exactly as they were.
 *
 * Erasure replaces the person's identifiers (customer id, the phones they
 * gave, the conversations that gave their phone) with random stand-ins in
 * every item of the shop: conversation state, raw events (inside their gzipped
 * chunks), orders, phone and comment links, parked orders and replies. Rollups
 * hold no customer identifiers and are left alone, so every report reads the
 * same; because raw events and state are rewritten consistently, a rebuild
 * gives the same figures too. The stand-ins are random and the job forgets
 * which identifiers they replaced when it finishes.
 *
 * The job passes over the shop's items (`keys.shopOwnership`); a pass that
 * finds more of the person's identifiers (a phone in one of their messages)
 * is followed by another, until a pass finds nothing new.
 */
export type ErasureJob = JobCommon & {
  kind: 'erasure';
  status: 'erasing' | 'done';
  pass: number;
  itemsScanned: number;
  itemsChanged: number;
  /** while running only: identifier → stand-in, and which identifiers are phones; dropped when done */
  subjects?: Record<string, string>;
  phones?: string[];
  /** the current pass found identifiers the previous ones did not have */
  grew?: boolean;
};

/** A random stand-in: letters only, so it can never read as a phone number (nor match `isStandIn`'s opposite). */
const standIn = () => `${STAND_IN_PREFIX}${[...randomBytes(16)].map((b) => String.fromCharCode(97 + (b % 26))).join('')}`;

export async function startErasure(shopIdRaw: string, body: unknown, opts: RunOptions = {}): Promise<Record<string, unknown>> {
  const shopId = parseWith(shopIdSchema, shopIdRaw, 'shop id');
  const req = parseWith(erasureRequestSchema, body, 'erasure request');
  const stored = await getStoredShop(shopId);
  if (!stored) throw new NotFoundError(`No shop ${shopId}`);
  // an id the shop itself uses (a page, a staff member or their account) would be replaced wherever it appears
  const own = new Set([shopId, ...stored.shop.pages.map((p) => p.pageId), ...stored.shop.staff.flatMap((s) => [s.staffId, ...s.accounts.map((a) => a.id)])]);
  if ('customerId' in req && own.has(req.customerId)) {
    throw new ValidationError('Invalid erasure request', [{ path: 'customerId', message: "is one of the shop's own ids (a page, staff member or account), not a customer's" }]);
  }
  const subjects: Record<string, string> = {};
  const phones: string[] = [];
  if ('phone' in req) {
    const phone = normalizePhone(req.phone);
    if (!phone) throw new ValidationError('Invalid erasure request', [{ path: 'phone', message: 'not a phone number' }]);
    subjects[phone] = standIn();
    phones.push(phone);
  } else {
    subjects[req.customerId] = standIn();
  }
  const jobId = `erase-${randomUUID()}`;
  const now = (opts.now ?? (() => new Date()))().toISOString();
  const job: ErasureJob = { jobId, kind: 'erasure', shopId, status: 'erasing', pass: 1, itemsScanned: 0, itemsChanged: 0, subjects, phones, grew: false, startedAt: now, updatedAt: now };
  await saveJob(jobId, job, 0, false);
  return publicErasure(await runJob(jobId, erasureStep, opts));
}

/** The status without the identifiers being erased. */
export function publicErasure(job: ErasureJob): Record<string, unknown> {
  return publicJob(job, ['subjects', 'phones', 'grew']);
}

/** One step: one page of the current pass, each of the person's items rewritten with the stand-ins. */
export async function erasureStep(job: ErasureJob, opts: StepOptions): Promise<ErasureJob> {
  const subjects: Subjects = { ids: new Map(Object.entries(job.subjects ?? {})), phones: new Set(job.phones ?? []) };
  let grew = job.grew ?? false;
  const learn = (found: { customerIds: Set<string>; phones: Set<string> }) => {
    for (const c of found.customerIds) if (!subjects.ids.has(c) && !isStandIn(c)) (subjects.ids.set(c, standIn()), (grew = true));
    for (const p of found.phones) if (!subjects.ids.has(p) && !isStandIn(p)) (subjects.ids.set(p, standIn()), subjects.phones.add(p), (grew = true));
  };
  const page = await scanShopItems(job.shopId, job.cursor, opts.pageLimit);
  let changed = 0;
  for (const original of page.items) {
    let current: Record<string, unknown> | undefined = original;
    for (let attempt = 0; current; attempt++) {
      const out = pseudonymizeItem(job.shopId, current, subjects);
      learn(out.found);
      if (!out.changed) break;
      if (await replaceItem(current, out.item)) {
        changed++;
        break;
      }
      // written in between (an event for this conversation): read it again and redo it
      if (attempt >= 10) throw new Error('An item kept changing during erasure; the job will retry this step');
      current = await readItem({ PK: String(current.PK), SK: String(current.SK) });
    }
  }
  const base = { ...job, itemsScanned: job.itemsScanned + page.scanned, itemsChanged: job.itemsChanged + changed, subjects: Object.fromEntries(subjects.ids), phones: [...subjects.phones], grew };
  if (page.next) return { ...base, cursor: page.next };
  const { cursor: _c, ...rest } = base;
  // another pass when this one learnt identifiers: items read before they were known hold them too
  if (grew) return { ...rest, pass: job.pass + 1, grew: false };
  const { subjects: _s, phones: _p, grew: _g, ...finished } = rest;
  return { ...finished, status: 'done' };
}

