import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { db, tableName } from '#lib/store/client.ts';
import { keys } from '#lib/store/keys.ts';
import { personalExpiry } from '#lib/store/ingest-store.ts';
import { mapLimit } from '#lib/store/batch.ts';
import { log } from '#lib/log.ts';
import type { EventOf } from '#lib/events/schema.ts';
import type { PhoneHolder } from '#lib/ingest/phone.ts';

/**
 * The phone → conversation link, and the orders waiting for it.
 *
 * An order that names no conversation but carries the customer's phone joins
 * the conversation where that phone was given (typed in a message or comment,
 * or submitted through a Zalo form), whichever arrives first. Both sides
 * write one item per phone with a single-item UpdateItem that returns the
 * item as it is after the write, so DynamoDB orders the writes and the second
 * one always sees the first:
 * - a conversation giving the phone claims the item and, if it holds the
 *   phone after the write, gets back the orders parked on it before;
 * - an order parks itself there (`o:<order id>`: its order.created event)
 *   and gets back the conversation holding the phone, if there is one yet.
 * Whichever comes second links the order (ingest applies the parked
 * order.created again, with the link: see lib/ingest/phone-join.ts).
 *
 * Which conversation holds a phone several conversations gave: the one that
 * gave it first by event time (ties: the smaller page id, then customer id;
 * `precedes` in lib/ingest/phone.ts).
 * A claim is written only when it is at least as early as the holder, so the
 * holder only ever moves earlier and ends, after any arrival order, as the
 * earliest giver: what a replay of the events in time order gives when the
 * first giver keeps the phone. Orders stay parked once linked, so a giver
 * that arrives late but gave the phone earlier takes them over (ingest moves
 * each order in one transaction with both conversations, so it never counts
 * twice). Parked orders older than the late-event limit are dropped from the
 * item: a late event can no longer change their day, so neither can a link.
 * Writes are idempotent (the same values SET again), so repeating one is safe.
 *
 * Items written before this rule name a holder without `givenAt`: it counts
 * as given at 0, so it keeps the phone (and its orders keep their link).
 */

/** Parked orders are attributes `o:<order id>` of the phone's item. */
const ORDER_PREFIX = 'o:';
/** Stale parked orders removed per UpdateItem. */
const REMOVE_CHUNK = 50;

/**
 * A phone's item names a person: every write moves its expiry (the table's TTL) to `personalDays` from now
 * (PERSONAL_DATA_DAYS, docs/operations.md "Data kept"); none when not given.
 */
function expirySet(personalDays: number | undefined): { set: string; values: Record<string, number> } {
  if (personalDays === undefined) return { set: '', values: {} };
  return { set: ', expiresAt = :exp', values: { ':exp': personalExpiry(personalDays) } };
}

/** A phone (normalised) given in a conversation. */
export type PhoneGiven = PhoneHolder & { phone: string };
type Item = Record<string, unknown>;

function holderOf(item: Item | undefined): PhoneHolder | undefined {
  if (!item || typeof item.pageId !== 'string' || typeof item.customerId !== 'string') return undefined;
  return { pageId: item.pageId, customerId: item.customerId, givenAt: item.givenAt === undefined ? 0 : Number(item.givenAt) };
}

function parkedOf(item: Item | undefined): Array<EventOf<'order.created'>> {
  if (!item) return [];
  return Object.entries(item)
    .filter(([name]) => name.startsWith(ORDER_PREFIX))
    .map(([, v]) => JSON.parse(String(v)) as EventOf<'order.created'>);
}

/** Removes parked orders created before `staleBefore` (ms) from a phone's item. Best effort: a leftover costs only room. */
async function dropStale(shopId: string, phone: string, item: Item | undefined, staleBefore: number): Promise<void> {
  const stale = parkedOf(item).filter((o) => Date.parse(o.at) < staleBefore);
  for (let i = 0; i < stale.length; i += REMOVE_CHUNK) {
    const names = Object.fromEntries(stale.slice(i, i + REMOVE_CHUNK).map((o, j) => [`#o${j}`, `${ORDER_PREFIX}${o.orderId}`]));
    await db().send(
      new UpdateCommand({ TableName: tableName(), Key: keys.phone(shopId, phone), UpdateExpression: `REMOVE ${Object.keys(names).join(', ')}`, ExpressionAttributeNames: names }),
    );
  }
}

/**
 * Records that conversations gave these phones (one per phone: the earliest
 * of a batch). Returns the claims that hold their phone after the write, each
 * with the orders parked on it (created since `staleBefore`), to be linked to
 * it; a claim that a holder who gave the phone earlier beat returns nothing.
 */
export async function claimPhones(
  shopId: string,
  given: PhoneGiven[],
  staleBefore: number,
  personalDays?: number,
): Promise<Array<{ holder: PhoneGiven; parked: Array<EventOf<'order.created'>> }>> {
  const expiry = expirySet(personalDays);
  const results = await mapLimit(given, async (g) => {
    try {
      const res = await db().send(
        new UpdateCommand({
          TableName: tableName(),
          Key: keys.phone(shopId, g.phone),
          UpdateExpression: `SET #type = :type, pageId = :p, customerId = :c, givenAt = :t${expiry.set}`,
          // free, or held by a later giver (or this one again: idempotent)
          ConditionExpression: 'attribute_not_exists(pageId) OR givenAt > :t OR (givenAt = :t AND (pageId > :p OR (pageId = :p AND customerId >= :c)))',
          ExpressionAttributeNames: { '#type': 'type' },
          ExpressionAttributeValues: { ':type': 'phone', ':p': g.pageId, ':c': g.customerId, ':t': g.givenAt, ...expiry.values },
          ReturnValues: 'ALL_NEW',
        }),
      );
      await dropStale(shopId, g.phone, res.Attributes, staleBefore);
      return { holder: g, parked: parkedOf(res.Attributes).filter((o) => Date.parse(o.at) >= staleBefore) };
    } catch (err) {
      if ((err as Error).name === 'ConditionalCheckFailedException') return undefined;
      throw err;
    }
  });
  return results.filter((r) => r !== undefined);
}

/**
 * Parks orders on their phone's item (`phone` normalised) and returns, per
 * order id, the conversation holding that phone now, if any. An item that
 * has reached DynamoDB's item size (a phone on thousands of recent orders) is
 * read instead: the order links to its holder but a later, earlier giver
 * will not take it over.
 */
export async function parkOrders(
  shopId: string,
  orders: Array<{ phone: string; order: EventOf<'order.created'> }>,
  staleBefore: number,
  personalDays?: number,
): Promise<Map<string, PhoneHolder>> {
  const expiry = expirySet(personalDays);
  const byPhone = new Map<string, Array<EventOf<'order.created'>>>();
  for (const o of orders) byPhone.set(o.phone, [...(byPhone.get(o.phone) ?? []).filter((x) => x.orderId !== o.order.orderId), o.order]);
  const out = new Map<string, PhoneHolder>();
  await mapLimit([...byPhone], async ([phone, list]) => {
    const names: Record<string, string> = { '#type': 'type' };
    const values: Record<string, unknown> = { ':type': 'phone', ...expiry.values };
    const sets = list.map((o, i) => {
      names[`#o${i}`] = `${ORDER_PREFIX}${o.orderId}`;
      values[`:o${i}`] = JSON.stringify(o);
      return `#o${i} = :o${i}`;
    });
    let item: Item | undefined;
    try {
      const res = await db().send(
        new UpdateCommand({
          TableName: tableName(),
          Key: keys.phone(shopId, phone),
          UpdateExpression: `SET #type = :type, ${sets.join(', ')}${expiry.set}`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      item = res.Attributes;
      await dropStale(shopId, phone, item, staleBefore);
    } catch (err) {
      const e = err as Error;
      if (e.name !== 'ValidationException' || !/size/i.test(e.message)) throw err;
      log.warn('phone item full: orders linked without parking', { shopId, orders: list.length });
      item = (await db().send(new GetCommand({ TableName: tableName(), Key: keys.phone(shopId, phone), ConsistentRead: true }))).Item;
    }
    const holder = holderOf(item);
    if (holder) for (const o of list) out.set(o.orderId, holder);
  });
  return out;
}
