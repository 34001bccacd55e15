import { queryAll } from '#lib/store/batch.ts';
import { keys, OPEN_WAIT_INDEX_ATTRIBUTES, OPEN_WAIT_SHARDS } from '#lib/store/keys.ts';
import { TABLE } from '#lib/store/table.ts';

/**
 * Conversations of a shop whose customer is still waiting for a reply: one
 * Query per shard of the sparse GSI1 (a storm opens thousands of waits a
 * second; one index partition takes 1,000 write units a second).
 */
export async function listOpenWaits(shopId: string): Promise<Array<{ pageId: string; customerId: string; openedAt: number }>> {
  const shards = await Promise.all(
    Array.from({ length: OPEN_WAIT_SHARDS }, (_, shard) =>
      queryAll({
        IndexName: TABLE.gsi1.name,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': TABLE.gsi1.partitionKey },
        ExpressionAttributeValues: { ':pk': keys.openWaitPartition(shopId, shard) },
        ProjectionExpression: 'pageId, customerId, waitOpenedAt',
      }),
    ),
  );
  return shards
    .flat()
    .map((it) => ({ pageId: String(it.pageId), customerId: String(it.customerId), openedAt: Number(it.waitOpenedAt) }))
    .sort((a, b) => a.openedAt - b.openedAt);
}

/** An open wait as the waiting list shows it, from the index entry (the attributes of OPEN_WAIT_INDEX_ATTRIBUTES). */
export type OpenWaitItem = { pageId: string; customerId: string; channel: string; openedAt: number; entries: string[] };

/**
 * Every open wait of a shop with what the waiting list needs, and the read
 * units the Queries consumed (eventually consistent: an index can be read
 * no other way; a wait opened or closed in the last second may be missing
 * or still listed). One Query per shard, pages followed to the end.
 */
export async function readOpenWaits(shopId: string): Promise<{ waits: OpenWaitItem[]; readUnits: number }> {
  let readUnits = 0;
  const shards = await Promise.all(
    Array.from({ length: OPEN_WAIT_SHARDS }, (_, shard) =>
      queryAll(
        {
          IndexName: TABLE.gsi1.name,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': TABLE.gsi1.partitionKey },
          ExpressionAttributeValues: { ':pk': keys.openWaitPartition(shopId, shard) },
          ProjectionExpression: OPEN_WAIT_INDEX_ATTRIBUTES.join(', '),
          ReturnConsumedCapacity: 'TOTAL',
        },
        (_n, units) => {
          readUnits += units;
        },
      ),
    ),
  );
  const waits = shards
    .flat()
    .map((it) => ({ pageId: String(it.pageId), customerId: String(it.customerId), channel: String(it.channel ?? 'unknown'), openedAt: Number(it.waitOpenedAt), entries: (it.ev as string[] | undefined) ?? [] }))
    .sort((a, b) => a.openedAt - b.openedAt || (a.pageId < b.pageId ? -1 : a.pageId > b.pageId ? 1 : a.customerId < b.customerId ? -1 : a.customerId > b.customerId ? 1 : 0));
  return { waits, readUnits };
}
