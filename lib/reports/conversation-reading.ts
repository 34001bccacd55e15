import { gunzipSync } from 'node:zlib';
import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import { db, tableName } from '#lib/store/client.ts';
import { keys, type Key } from '#lib/store/keys.ts';
import { keyId, queryAll } from '#lib/store/batch.ts';
import { RAW_SHARDS } from '#lib/store/ingest-store.ts';
import { customerFromItem } from '#lib/store/state-items.ts';
import { isConversationEvent, type CanonicalEvent, type ConversationEvent } from '#lib/events/schema.ts';
import type { CustomerState } from '#lib/ingest/customer.ts';
import { addDays } from '#lib/time/zone.ts';

/**
 * Reading conversations for per-conversation reports (the conversation
 * export), never by a table scan: the raw events of the selected pages and
 * days (Query per page, day and shard; gzip chunks of many events) name the
 * conversations active in the range and carry their events, then one
 * BatchGetItem per 100 conversations reads their state items (orders linked
 * to them, timeline entries). Read units are counted from the
 * ConsumedCapacity DynamoDB returns.
 */

export type ReadCost = { queries: number; batchGets: number; itemsRead: number; readUnits: number };
export const newReadCost = (): ReadCost => ({ queries: 0, batchGets: 0, itemsRead: 0, readUnits: 0 });

export type ActiveConversation = { pageId: string; customerId: string; events: ConversationEvent[] };

const PARALLEL_QUERIES = 16;
export const conversationKey = (pageId: string, customerId: string) => `${pageId}\u0000${customerId}`;

/** Conversation events of `pages` on local days `from..to`, grouped by conversation. */
export async function activeConversations(shopId: string, pages: string[], from: string, to: string, cost = newReadCost()): Promise<Map<string, ActiveConversation>> {
  const partitions: string[] = [];
  for (const pageId of pages) for (let day = from; day <= to; day = addDays(day, 1)) for (let s = 0; s < RAW_SHARDS; s++) partitions.push(keys.rawPartition(shopId, pageId, day, s));
  const out = new Map<string, ActiveConversation>();
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(PARALLEL_QUERIES, partitions.length) }, async () => {
      while (next < partitions.length) {
        const pk = partitions[next++]!;
        const items = await queryAll({ KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': pk }, ReturnConsumedCapacity: 'TOTAL' }, (n, units) => {
          cost.queries++;
          cost.itemsRead += n;
          cost.readUnits += units;
        });
        for (const it of items) {
          for (const e of JSON.parse(gunzipSync(it.events as Uint8Array).toString('utf8')) as CanonicalEvent[]) {
            if (!isConversationEvent(e) || !e.customerId) continue;
            const k = conversationKey(e.pageId, e.customerId);
            let c = out.get(k);
            if (!c) out.set(k, (c = { pageId: e.pageId, customerId: e.customerId, events: [] }));
            c.events.push(e);
          }
        }
      }
    }),
  );
  return out;
}

/** The state items of conversations (eventually consistent, 100 per BatchGetItem). */
export async function conversationStates(shopId: string, list: Array<{ pageId: string; customerId: string }>, cost = newReadCost()): Promise<Map<string, CustomerState>> {
  const out = new Map<string, CustomerState>();
  const byKey = new Map<string, { pageId: string; customerId: string }>();
  const keyList: Key[] = list.map((c) => {
    const k = keys.customer(shopId, c.pageId, c.customerId);
    byKey.set(keyId(k), c);
    return k;
  });
  for (let i = 0; i < keyList.length; i += 100) {
    let pending = keyList.slice(i, i + 100);
    for (let attempt = 0; pending.length > 0; attempt++) {
      const res = await db().send(new BatchGetCommand({ RequestItems: { [tableName()]: { Keys: pending, ConsistentRead: false } }, ReturnConsumedCapacity: 'TOTAL' }));
      cost.batchGets++;
      cost.readUnits += (res.ConsumedCapacity ?? []).reduce((a, c) => a + (c.CapacityUnits ?? 0), 0);
      for (const item of res.Responses?.[tableName()] ?? []) {
        cost.itemsRead++;
        const c = byKey.get(keyId({ PK: String(item.PK), SK: String(item.SK) }));
        if (c) out.set(conversationKey(c.pageId, c.customerId), customerFromItem(shopId, c.pageId, c.customerId, item));
      }
      pending = (res.UnprocessedKeys?.[tableName()]?.Keys as Key[] | undefined) ?? [];
      if (pending.length > 0) {
        if (attempt > 8) throw new Error('BatchGetItem kept returning unprocessed keys');
        await new Promise((r) => setTimeout(r, 2 ** attempt * 20));
      }
    }
  }
  return out;
}
