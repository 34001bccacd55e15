import { createHash, randomInt } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { db, tableName } from '#lib/store/client.ts';
import { batchWrite } from '#lib/store/batch.ts';
import { keys, ROLLUP_SHARDS } from '#lib/store/keys.ts';
import { parseItemId, type Cells } from '#lib/rollups/cells.ts';
import type { StoredEvent } from '#lib/events/schema.ts';

/**
 * Writes of the ingest path. A *unit* is the set of state items one group of
 * events changes (a conversation and the orders linked to it, an order, a
 * day's spend, a page) together with the rollup deltas and raw events those
 * changes cause. Each unit's state and rollup deltas are committed atomically
 * inside one TransactWriteItems: the state items are written with a version
 * condition, so a redelivered event finds itself already in its state item,
 * and a transaction either moves the rollups with the state or does nothing.
 * Several units share a transaction (up to 100 items) so that the deltas of a
 * batch for one rollup item become a single update.
 *
 * Raw events are not in the transaction: each group's raw chunks are written
 * plainly (BatchWriteItem, 1 unit per KB instead of 2) just before it. A
 * chunk's key is a hash of its event ids (and of each order.created whole: an
 * edited order is stored again under the same id), so writing it again is a
 * no-op overwrite; a chunk whose transaction was then cancelled or never ran (a
 * crash, a conflict recomputed into other chunks) leaves copies of events
 * that another chunk also holds, or events that are applied only when their
 * message is redelivered. Every reader of raw events de-duplicates by event
 * id (rebuild: lib/ingest/replay.ts; the conversation export:
 * lib/reports/export-conversations.ts), so a copy moves nothing; and because
 * the chunk lands before the state, an applied event is always in raw.
 */

type Item = Record<string, unknown>;
export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

export type Unit = {
  /** state items with the version they were read at (0: must not exist yet) */
  owners: Array<{ item: Item; readVersion: number }>;
  cells: Cells;
  /** non-additive attributes of rollup items (an ad's campaign id) */
  attrs: Map<string, Record<string, string>>;
  raw: Array<{ pageId: string; day: string; events: StoredEvent[] }>;
  eventIds: string[];
  /** waits this unit opens (conversations with no open wait before it): their alert timers are queued before the commit */
  waitsOpened?: Array<{ pageId: string; customerId: string; openedAt: number }>;
};

export const MAX_TRANSACT_ITEMS = 100;
export const RAW_SHARDS = 4;
const RAW_MAX_BYTES = 300_000;

/**
 * Hot pages: a page on which this process saw a transaction cancelled by a
 * conflict (concurrent workers on one page: a livestream) within the last
 * HOT_MS. Their rollup deltas go to a random one of ROLLUP_SHARDS shards
 * (other partitions, summed at read), so concurrent transactions rarely meet
 * on one item and the page's writes spread over several partitions. Other
 * pages keep shard 0: an ordinary page has one item per period.
 */
const HOT_MS = 60_000;
const hotPages = new Map<string, number>();
const pageKey = (shopId: string, pageId: string) => `${shopId}\u0000${pageId}`;

/** The rollup shard a transaction of these pages writes to. */
export function shardFor(shopId: string, pageIds: Iterable<string>, now = Date.now()): number {
  for (const p of pageIds) {
    const at = hotPages.get(pageKey(shopId, p));
    if (at !== undefined && now - at < HOT_MS) return randomInt(ROLLUP_SHARDS);
  }
  return 0;
}

function markHot(shopId: string, group: Unit[], now = Date.now()): void {
  for (const u of group) for (const id of u.cells.keys()) hotPages.set(pageKey(shopId, parseItemId(id).pageId), now);
  if (hotPages.size > 10_000) for (const [k, at] of hotPages) if (now - at >= HOT_MS) hotPages.delete(k);
}

function rollupUpdate(shopId: string, id: string, fields: Map<string, number>, attrs: Record<string, string> | undefined, shard: number): TransactItem {
  const ref = parseItemId(id);
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const adds: string[] = [];
  let i = 0;
  for (const [f, v] of fields) {
    names[`#f${i}`] = f;
    values[`:f${i}`] = v;
    adds.push(`#f${i} :f${i}`);
    i++;
  }
  const sets: string[] = [];
  for (const [a, v] of Object.entries(attrs ?? {})) {
    names[`#a${i}`] = a;
    values[`:a${i}`] = v;
    sets.push(`#a${i} = :a${i}`);
    i++;
  }
  const expr = [adds.length ? `ADD ${adds.join(', ')}` : '', sets.length ? `SET ${sets.join(', ')}` : ''].filter(Boolean).join(' ');
  return {
    Update: {
      TableName: tableName(),
      Key: keys.rollup(shopId, ref.pageId, ref.scope, ref.period, ref.periodKey, ref.entity, shard),
      UpdateExpression: expr,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    },
  };
}

/**
 * What names an event in its chunk's key: its id, and for an order.created the whole event, since an order is
 * stored again under the same id when it is edited (a later version) or moves to another conversation: the copies
 * are different chunks, not one overwriting the other.
 */
const chunkIdPart = (e: StoredEvent) => (e.kind === 'order.created' ? JSON.stringify(e) : e.id);

/** Raw events of a transaction, one chunk item per page and day (split when large). */
function rawItems(shopId: string, groups: Unit['raw'], ttlDays: number): Item[] {
  const out: Item[] = [];
  for (const group of groups) {
    let chunk: StoredEvent[] = [];
    let size = 0;
    const flush = () => {
      if (chunk.length === 0) return;
      const body = JSON.stringify(chunk);
      const chunkId = createHash('sha256').update(chunk.map(chunkIdPart).join('\u0000')).digest('hex').slice(0, 24);
      const shard = parseInt(chunkId.slice(0, 4), 16) % RAW_SHARDS;
      const [y, m, d] = group.day.split('-').map(Number) as [number, number, number];
      out.push({
        ...keys.raw(shopId, group.pageId, group.day, shard, chunkId),
        type: 'raw',
        shopId,
        pageId: group.pageId,
        day: group.day,
        n: chunk.length,
        // gzip: event JSON shrinks about 4×, and write units are charged per KB
        events: gzipSync(body),
        expiresAt: Math.floor(Date.UTC(y, m - 1, d) / 1000) + ttlDays * 86_400,
      });
      chunk = [];
      size = 0;
    };
    for (const e of group.events) {
      const s = JSON.stringify(e).length;
      if (size + s > RAW_MAX_BYTES) flush();
      chunk.push(e);
      size += s;
    }
    flush();
  }
  return out;
}

/** State items that name a person (a conversation, an order): they expire `personalDays` after their last write. */
const PERSONAL_TYPES = new Set(['customer', 'order']);

/** The table's TTL value of an item that names a person, written now: `personalDays` from now (epoch seconds). */
export const personalExpiry = (personalDays: number, now = Date.now()) => Math.floor(now / 1000) + personalDays * 86_400;

function ownerPut(owner: Unit['owners'][number], personalDays: number | undefined): TransactItem {
  const personal = personalDays !== undefined && PERSONAL_TYPES.has(String(owner.item.type));
  return {
    Put: {
      TableName: tableName(),
      Item: personal ? { ...owner.item, expiresAt: personalExpiry(personalDays) } : owner.item,
      ...(owner.readVersion === 0
        ? { ConditionExpression: 'attribute_not_exists(PK)' }
        : { ConditionExpression: 'v = :v', ExpressionAttributeValues: { ':v': owner.readVersion } }),
    },
  };
}

/** Items a unit adds to a transaction besides the shared rollup updates. */
const ownItemCount = (u: Unit) => u.owners.length;
const rawKey = (g: Unit['raw'][number]) => `${g.pageId}\u0001${g.day}`;
/** The rollup items a unit's deltas and labels touch. */
const rollupIdsOf = (u: Unit) => new Set([...u.cells.keys(), ...u.attrs.keys()]);

/** The items one unit alone puts in a transaction: its owners and its rollup updates (raw chunks are written before it, plainly). */
export function transactionItemCount(u: Unit): number {
  return ownItemCount(u) + rollupIdsOf(u).size;
}

/**
 * Groups units into transactions of at most 100 items: their owners and one
 * update per rollup item they share.
 */
export function packUnits(units: Unit[]): Unit[][] {
  const groups: Unit[][] = [];
  let current: Unit[] = [];
  let rollupIds = new Set<string>();
  let own = 0;
  for (const u of units) {
    const ids = rollupIdsOf(u);
    const rollups = rollupIds.size + [...ids].filter((id) => !rollupIds.has(id)).length;
    if (current.length > 0 && own + ownItemCount(u) + rollups > MAX_TRANSACT_ITEMS) {
      groups.push(current);
      current = [];
      rollupIds = new Set();
      own = 0;
    }
    current.push(u);
    own += ownItemCount(u);
    for (const id of ids) rollupIds.add(id);
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

/** The raw chunk items of one group of units: one per page and day (more past 300 KB of events). */
export function rawChunksOf(shopId: string, group: Unit[], ttlDays: number): Item[] {
  const raw = new Map<string, Unit['raw'][number]>();
  for (const u of group)
    for (const g of u.raw) {
      const cur = raw.get(rawKey(g));
      if (cur) cur.events.push(...g.events);
      else raw.set(rawKey(g), { pageId: g.pageId, day: g.day, events: [...g.events] });
    }
  return rawItems(shopId, [...raw.values()], ttlDays);
}

/** The TransactItems of one group of units: state with its version conditions, rollup deltas pre-aggregated per item. */
export function transactionOf(shopId: string, group: Unit[], personalDays?: number): TransactItem[] {
  const items: TransactItem[] = [];
  const merged = new Map<string, Map<string, number>>();
  const attrs = new Map<string, Record<string, string>>();
  for (const u of group) {
    for (const o of u.owners) items.push(ownerPut(o, personalDays));
    for (const [id, fields] of u.cells) {
      let m = merged.get(id);
      if (!m) merged.set(id, (m = new Map()));
      for (const [f, v] of fields) m.set(f, (m.get(f) ?? 0) + v);
    }
    for (const [id, a] of u.attrs) attrs.set(id, { ...attrs.get(id), ...a });
  }
  const shard = shardFor(shopId, new Set([...merged.keys()].map((id) => parseItemId(id).pageId)));
  for (const id of new Set([...merged.keys(), ...attrs.keys()])) {
    const fields = new Map([...(merged.get(id) ?? new Map<string, number>())].filter(([, v]) => v !== 0));
    if (fields.size === 0 && !attrs.get(id)) continue;
    items.push(rollupUpdate(shopId, id, fields, attrs.get(id), shard));
  }
  if (items.length > MAX_TRANSACT_ITEMS) throw new Error(`transaction of ${items.length} items exceeds ${MAX_TRANSACT_ITEMS}`);
  return items;
}

export type CommitOutcome = { committed: Unit[]; conflicted: Unit[] };

/**
 * Commits each group: its raw chunks first (plain, idempotent writes), then
 * its state and rollups in one transaction. A group whose transaction is
 * cancelled (a state item changed since it was read, or a concurrent
 * transaction) is returned as conflicted; the caller re-reads and recomputes.
 */
export async function commitUnits(shopId: string, units: Unit[], ttlDays: number, personalDays?: number): Promise<CommitOutcome> {
  const committed: Unit[] = [];
  const conflicted: Unit[] = [];
  for (const group of packUnits(units)) {
    const TransactItems = transactionOf(shopId, group, personalDays);
    if (TransactItems.length === 0) continue;
    await batchWrite(rawChunksOf(shopId, group, ttlDays).map((Item) => ({ PutRequest: { Item } })));
    try {
      await db().send(new TransactWriteCommand({ TransactItems }));
      committed.push(...group);
    } catch (err) {
      if (isRetryableCancellation(err)) {
        markHot(shopId, group);
        conflicted.push(...group);
      } else {
        throw err;
      }
    }
  }
  return { committed, conflicted };
}

/** A cancellation we can resolve by re-reading: failed version conditions or a concurrent transaction. */
function isRetryableCancellation(err: unknown): boolean {
  const e = err as { name?: string; CancellationReasons?: Array<{ Code?: string }> };
  if (e.name === 'TransactionConflictException') return true;
  if (e.name !== 'TransactionCanceledException') return false;
  const codes = (e.CancellationReasons ?? []).map((r) => r.Code ?? 'None');
  return codes.every((c) => c === 'None' || c === 'ConditionalCheckFailed' || c === 'TransactionConflict');
}
