import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { config } from '#lib/config.ts';
import { TooManyRequestsError } from '#lib/errors.ts';
import { db, tableName } from '#lib/store/client.ts';
import { keys } from '#lib/store/keys.ts';
import { TABLE } from '#lib/store/table.ts';

/**
 * Per-shop request limits (issue 21): one shop's key can never use up what
 * every shop shares (API Gateway's account rate, Lambda concurrency, the
 * ingest queue). A limit is a counter per shop, limit class and one-second
 * window in the table (`RATE#<shop>#<class>`, `W#<epoch second>`): one
 * `UpdateItem` ADD per request, which holds across every Lambda instance (an
 * in-memory bucket would give each instance its own allowance) and costs one
 * write unit. API Gateway usage plans would count per key without a write,
 * but HTTP APIs have none (REST APIs only), and a shop may hold several keys.
 * A fixed window lets at most twice the rate through across a window edge;
 * that is the price of one write instead of a read and a conditional write
 * per request (a true token bucket).
 *
 * Classes: `events` (`POST /v1/events`: requests and the events they carry),
 * `reports` (reports, order lookups, exports, report links and report pages).
 * Webhooks are not limited here (SPEC §2: nothing caps the platforms below the
 * account rate; the fair ingest queue keeps a busy shop from delaying others).
 */
export type LimitClass = 'events' | 'reports';

/** The limits in force, per shop and second, from the configuration. */
export function shopLimits() {
  const c = config();
  return {
    events: { requests: c.SHOP_EVENT_REQUESTS_PER_SECOND, units: c.SHOP_EVENTS_PER_SECOND },
    reports: { requests: c.SHOP_REPORT_REQUESTS_PER_SECOND, units: Infinity },
  } satisfies Record<LimitClass, { requests: number; units: number }>;
}

/** Counter items outlive their window by this much, then DynamoDB's TTL removes them. */
const COUNTER_TTL_SECONDS = 120;

/**
 * Counts one request (carrying `units` events) against the shop's limit of
 * `cls` for the present second; throws a 429 with `Retry-After` (the seconds
 * to the next window) once the shop is past either limit. Refused requests
 * count too, so hammering does not buy a quicker turn.
 */
export async function chargeShop(shopId: string, cls: LimitClass, units = 1, now = Date.now()): Promise<void> {
  const limit = shopLimits()[cls];
  const second = Math.floor(now / 1000);
  const res = await db().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: keys.rateCounter(shopId, cls, second),
      UpdateExpression: 'ADD #r :one, #u :units SET #ttl = if_not_exists(#ttl, :ttl)',
      ExpressionAttributeNames: { '#r': 'requests', '#u': 'units', '#ttl': TABLE.ttlAttribute },
      ExpressionAttributeValues: { ':one': 1, ':units': units, ':ttl': second + COUNTER_TTL_SECONDS },
      ReturnValues: 'UPDATED_NEW',
    }),
  );
  const requests = Number(res.Attributes?.requests ?? 0);
  const used = Number(res.Attributes?.units ?? 0);
  if (requests > limit.requests || used > limit.units) {
    const retryAfter = Math.max(1, Math.ceil((second + 1) * 1000 - now) / 1000);
    throw new TooManyRequestsError(
      `This shop is over its ${cls} limit (${limit.requests} requests${Number.isFinite(limit.units) ? ` and ${limit.units} events` : ''} per second); retry after ${Math.ceil(retryAfter)} s`,
      Math.ceil(retryAfter),
      { limit: cls, requestsPerSecond: limit.requests, ...(Number.isFinite(limit.units) ? { eventsPerSecond: limit.units } : {}) },
    );
  }
}
