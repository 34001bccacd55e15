import { queryAll } from '#lib/store/batch.ts';
import { keys, OPEN_WAIT_INDEX_ATTRIBUTES, OPEN_WAIT_SHARDS, type OpenWaitAttribute } from '#lib/store/keys.ts';
import { TABLE } from '#lib/store/table.ts';

/**
 * A ProjectionExpression over attributes the open-waits index projects: the
 * type admits only OPEN_WAIT_INDEX_ATTRIBUTES, so no reader can ask the index
 * for an attribute it does not hold (DynamoDB would return it missing).
 */
export const openWaitProjection = (attrs: readonly OpenWaitAttribute[]) => attrs.join(', ');

type Item = Record<string, unknown>;

/**
 * Every entry of a shop's open waits: one Query per shard of the sparse
 * open-waits index (a storm opens thousands of waits a second; one index
 * partition takes 1,000 write units a second).
 *
 * Until a deployed table has run the open-waits migration
 * (`npm run migrate:open-waits`, lib/migrations/open-waits.ts), waits opened
 * before the deployment are still under GSI1 (`WAIT#` partitions); they are
 * read too, with the same attributes, so none goes missing or is listed twice
 * in between (after the migration those Queries return nothing). Such a wait
 * has no `lastReplyBy` until it is migrated or ingest rewrites it.
 */
async function openWaitEntries(shopId: string, attrs: readonly OpenWaitAttribute[], onUnits?: (units: number) => void): Promise<Item[]> {
  const query = (index: { name: string; partitionKey: string }, shard: number) =>
    queryAll(
      {
        IndexName: index.name,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': index.partitionKey },
        ExpressionAttributeValues: { ':pk': keys.openWaitPartition(shopId, shard) },
        ProjectionExpression: openWaitProjection(attrs),
        ...(onUnits ? { ReturnConsumedCapacity: 'TOTAL' as const } : {}),
      },
      onUnits ? (_n, units) => onUnits(units) : undefined,
    );
  const shards = Array.from({ length: OPEN_WAIT_SHARDS }, (_, shard) => shard);
  const [current, legacy] = await Promise.all([Promise.all(shards.map((s) => query(TABLE.openWaits, s))), Promise.all(shards.map((s) => query(TABLE.gsi1, s)))]);
  // an item is in one index or the other (ingest and the migration move it whole); the current index wins if a read sees both
  const byConversation = new Map<string, Item>();
  for (const it of [...legacy.flat(), ...current.flat()]) byConversation.set(`${String(it.pageId)}\u0000${String(it.customerId)}`, it);
  return [...byConversation.values()];
}

/** Conversations of a shop whose customer is still waiting for a reply, oldest first. */
export async function listOpenWaits(shopId: string): Promise<Array<{ pageId: string; customerId: string; openedAt: number }>> {
  return (await openWaitEntries(shopId, ['pageId', 'customerId', 'waitOpenedAt']))
    .map((it) => ({ pageId: String(it.pageId), customerId: String(it.customerId), openedAt: Number(it.waitOpenedAt) }))
    .sort((a, b) => a.openedAt - b.openedAt);
}

/** An open wait as the waiting list shows it, from the index entry (the attributes of OPEN_WAIT_INDEX_ATTRIBUTES). */
export type OpenWaitItem = { pageId: string; customerId: string; channel: string; openedAt: number; lastReplyBy?: string };

/**
 * Every open wait of a shop with what the waiting list needs, and the read
 * units the Queries consumed (eventually consistent: an index can be read
 * no other way; a wait opened or closed in the last second may be missing
 * or still listed). Pages followed to the end.
 */
export async function readOpenWaits(shopId: string): Promise<{ waits: OpenWaitItem[]; readUnits: number }> {
  let readUnits = 0;
  const items = await openWaitEntries(shopId, OPEN_WAIT_INDEX_ATTRIBUTES, (units) => {
    readUnits += units;
  });
  const waits = items
    .map((it) => ({
      pageId: String(it.pageId),
      customerId: String(it.customerId),
      channel: String(it.channel ?? 'unknown'),
      openedAt: Number(it.waitOpenedAt),
      ...(typeof it.lastReplyBy === 'string' ? { lastReplyBy: it.lastReplyBy } : {}),
    }))
    .sort((a, b) => a.openedAt - b.openedAt || (a.pageId < b.pageId ? -1 : a.pageId > b.pageId ? 1 : a.customerId < b.customerId ? -1 : a.customerId > b.customerId ? 1 : 0));
  return { waits, readUnits };
}
