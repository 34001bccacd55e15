import { queryAll } from '#lib/store/batch.ts';
import { keys } from '#lib/store/keys.ts';
import { TABLE } from '#lib/store/table.ts';

/** Conversations of a shop whose customer is still waiting for a reply: one Query on the sparse GSI1. */
export async function listOpenWaits(shopId: string): Promise<Array<{ pageId: string; customerId: string; openedAt: number }>> {
  const items = await queryAll({
    IndexName: TABLE.gsi1.name,
    KeyConditionExpression: '#pk = :pk',
    ExpressionAttributeNames: { '#pk': TABLE.gsi1.partitionKey },
    ExpressionAttributeValues: { ':pk': keys.openWaitPartition(shopId) },
    ProjectionExpression: 'pageId, customerId, waitOpenedAt',
  });
  return items.map((it) => ({ pageId: String(it.pageId), customerId: String(it.customerId), openedAt: Number(it.waitOpenedAt) }));
}
