import { queryAll } from '#lib/store/batch.ts';
import { keys, OPEN_WAIT_SHARDS } from '#lib/store/keys.ts';
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
