import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { db, tableName } from '#lib/store/client.ts';
import { keys } from '#lib/store/keys.ts';
import { TABLE } from '#lib/store/table.ts';
import { mapLimit } from '#lib/store/batch.ts';

/**
 * Events of a shop that were acknowledged but not counted (SPEC §4.1
 * `rejected-events`), decided where the drop happens (the webhook adapters,
 * which pass them to ingest on the ingest queue: the webhook function writes
 * nothing to the table; ingest's own refusals) and kept 30 days (the table's TTL). One item per event id: a
 * redelivered event that is refused again overwrites its item (latest time),
 * so it is listed once. Nothing personal is stored: the producer's event id,
 * the reason, the source, the event's own time and a short detail.
 */
export const REJECTED_EVENT_DAYS = 30;

export const REJECTED_REASONS = ['too_late', 'in_future', 'invalid', 'currency_mismatch', 'unknown_page', 'test_order'] as const;
export type RejectedReason = (typeof REJECTED_REASONS)[number];

export type RejectedEvent = {
  eventId: string;
  reason: RejectedReason;
  /** Where it came from: `meta`, `zalo`, `haravan`, `sapo`, `shopify` or `api` */
  source: string;
  /** The event's own time, when it had a readable one */
  at?: string;
  /** What was wrong, without values (a field path and rule, a currency pair) */
  detail?: string;
};

export type RejectedEventRow = RejectedEvent & { rejectedAt: string };

const MAX_ID = 200;
const MAX_DETAIL = 200;

/** Records refused events (de-duplicated per event id). Best effort is not enough: a failure throws, so the caller's retry records them. */
export async function recordRejectedEvents(shopId: string, events: RejectedEvent[], now = Date.now()): Promise<void> {
  if (events.length === 0) return;
  const rejectedAt = new Date(now).toISOString();
  const expiresAt = Math.floor(now / 1000) + REJECTED_EVENT_DAYS * 86_400;
  const byId = new Map<string, RejectedEvent>();
  for (const e of events) byId.set(e.eventId.slice(0, MAX_ID), e);
  await mapLimit([...byId], ([eventId, e]) =>
    db().send(
      new PutCommand({
        TableName: tableName(),
        Item: {
        ...keys.rejectedEvent(shopId, eventId),
        ...keys.rejectedEventIndex(shopId, rejectedAt, eventId),
        shopId,
        eventId,
        reason: e.reason,
        source: e.source,
        ...(e.at ? { at: e.at } : {}),
        ...(e.detail ? { detail: e.detail.slice(0, MAX_DETAIL) } : {}),
        rejectedAt,
        expiresAt,
        },
      }),
    ),
  );
}

/** Where a page of the listing stopped: the index position of its last item (its keys; nothing personal). */
export type RejectedEventsPosition = { PK: string; SK: string; GSI1PK: string; GSI1SK: string };

/**
 * The shop's rejected events refused in [fromMs, toMs), newest first, one
 * page of at most `limit` (a Query on the shop's index partition; items past
 * their 30 days that TTL has not removed yet are left out). `after` is the
 * `last` of the previous page; one of another shop is refused by the caller.
 */
export async function listRejectedEvents(
  shopId: string,
  fromMs: number,
  toMs: number,
  opts: { limit: number; after?: RejectedEventsPosition; now?: number },
): Promise<{ rows: RejectedEventRow[]; last?: RejectedEventsPosition }> {
  const floor = Math.max(fromMs, (opts.now ?? Date.now()) - REJECTED_EVENT_DAYS * 86_400_000);
  if (floor >= toMs) return { rows: [] };
  const res = await db().send(
    new QueryCommand({
      TableName: tableName(),
      IndexName: TABLE.gsi1.name,
      KeyConditionExpression: 'GSI1PK = :pk AND GSI1SK BETWEEN :lo AND :hi',
      ExpressionAttributeValues: { ':pk': keys.rejectedEventPartition(shopId), ':lo': new Date(floor).toISOString(), ':hi': new Date(toMs - 1).toISOString() + '#\uffff' },
      ScanIndexForward: false,
      Limit: opts.limit,
      ...(opts.after ? { ExclusiveStartKey: opts.after } : {}),
    }),
  );
  const rows = (res.Items ?? []).map((i) => ({
    eventId: String(i.eventId),
    reason: i.reason as RejectedReason,
    source: String(i.source),
    ...(typeof i.at === 'string' ? { at: i.at } : {}),
    ...(typeof i.detail === 'string' ? { detail: i.detail } : {}),
    rejectedAt: String(i.rejectedAt),
  }));
  const last = res.LastEvaluatedKey as RejectedEventsPosition | undefined;
  return { rows, ...(last ? { last } : {}) };
}

/** Whether a position decoded from a cursor belongs to this shop's listing. */
export function isPositionOf(shopId: string, p: unknown): p is RejectedEventsPosition {
  const o = p as Record<string, unknown> | null;
  return (
    typeof o === 'object' && o !== null && Object.keys(o).length === 4 &&
    o.GSI1PK === keys.rejectedEventPartition(shopId) && typeof o.GSI1SK === 'string' && typeof o.PK === 'string' && o.SK === 'REJECTED' &&
    o.PK.startsWith(keys.rejectedEvent(shopId, '').PK)
  );
}
