import * as z from '#lib/zod.ts';
import { digestRange } from '#lib/digests/periods.ts';
import { isLoopbackHost } from '#lib/http/loopback.ts';

/**
 * A digest job: one recipient and one period, with the links its email
 * carries, already signed by whoever queued it (digest-dispatch on the
 * schedule, admin for `POST /v1/admin/digests/run`). digest-send holds no
 * key: it checks here that the links have the right shape and belong to
 * this job, and puts them in the email as they are.
 */

function urlOf(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

/** An https URL whose path ends as `path` says; plain http only on this machine (the local runtime's `PUBLIC_BASE_URL` is `http://127.0.0.1:<port>`). */
const link = (path: RegExp, what: string) =>
  z.string().check(
    z.maxLength(4096),
    z.refine((value) => {
      const url = urlOf(value);
      return url !== undefined && (url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname))) && path.test(url.pathname);
    }, `must be the https URL of ${what} (http only on localhost)`),
  );

/** The unsubscribe link names this job's shop, recipient and period, and the report link this job's shop. */
function linksMatch(job: { shopId: string; email: string; period: string; unsubscribeUrl: string; reportUrl?: string | undefined }): boolean {
  const unsubscribe = urlOf(job.unsubscribeUrl)?.searchParams;
  if (!unsubscribe || unsubscribe.get('shop') !== job.shopId || unsubscribe.get('email')?.toLowerCase() !== job.email.toLowerCase() || unsubscribe.get('period') !== job.period) return false;
  if (job.reportUrl === undefined) return true;
  const page = /\/v1\/report-pages\/([^/]+)\/[^/]+$/.exec(urlOf(job.reportUrl)?.pathname ?? '');
  return page !== null && decodeURIComponent(page[1]!) === job.shopId;
}

export const digestJobSchema = z
  .object({
    shopId: z.string().check(z.minLength(1)),
    period: z.enum(['daily', 'weekly']),
    periodKey: z.string().check(z.minLength(1)),
    email: z.email(),
    /** one-click unsubscribe (signed with UNSUBSCRIBE_SIGNING_KEY): the List-Unsubscribe header and the footer link */
    unsubscribeUrl: link(/\/v1\/unsubscribe$/, 'an unsubscribe link'),
    /** the full report of the period (signed with REPORT_LINK_KEY); absent where the deployment signs no report links */
    reportUrl: z.optional(link(/\/v1\/report-pages\/[^/]+\/[^/]+$/, 'a report page')),
  })
  .check(z.refine(linksMatch, { message: "the links must name this job's shop, recipient and period", path: ['unsubscribeUrl'] }));

export type DigestJob = z.infer<typeof digestJobSchema>;

/** A queued job that can never be sent as it is (old shape, altered, or not a job at all). */
export class InvalidDigestJobError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidDigestJobError';
  }
}

/** The body of `POST /v1/admin/digests/run` that queues this job's digest again, signed, for every subscribed recipient (the ledger skips those who had it). */
function rerunOf(body: Record<string, unknown>): string {
  const { shopId, period, periodKey } = body;
  if (typeof shopId !== 'string' || (period !== 'daily' && period !== 'weekly') || typeof periodKey !== 'string') return '{shopId, period, date}';
  try {
    return JSON.stringify({ shopId, period, date: digestRange(period, periodKey).from });
  } catch {
    return '{shopId, period, date}';
  }
}

/**
 * Validates a queued job. A job without `unsubscribeUrl` was queued before
 * the dispatcher signed the links (digest-send signed them then, and holds
 * no key now): it is refused with the admin call that queues it again (the
 * ledger still sends each recipient's digest once).
 */
export function parseDigestJob(body: unknown): DigestJob {
  const parsed = digestJobSchema.safeParse(body);
  if (parsed.success) return parsed.data;
  if (typeof body === 'object' && body !== null && !('unsubscribeUrl' in body)) {
    throw new InvalidDigestJobError(`digest job without signed links (queued before digest-dispatch signed them); queue it again: POST /v1/admin/digests/run ${rerunOf(body as Record<string, unknown>)}`);
  }
  throw new InvalidDigestJobError(`invalid digest job: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(job)'}: ${i.message}`).join('; ')}`);
}
