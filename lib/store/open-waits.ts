import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { db, tableName } from '#lib/store/client.ts';
import { keys } from '#lib/store/keys.ts';
import { TABLE } from '#lib/store/table.ts';

/** Conversations of a shop whose customer is still waiting for a reply: one Query on the sparse GSI1. */
export async function listOpenWaits(shopId: string): Promise<Array<{ pageId: string; customerId: string; openedAt: number }>> {
  const out: Array<{ pageId: string; customerId: string; openedAt: number }> = [];
  let start: Record<string, unknown> | undefined;
  do {
    const res = await db().send(
      new QueryCommand({
        TableName: tableName(),
        IndexName: TABLE.gsi1.name,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': TABLE.gsi1.partitionKey },
        ExpressionAttributeValues: { ':pk': keys.openWaitPartition(shopId) },
        ProjectionExpression: 'pageId, customerId, waitOpenedAt',
        ExclusiveStartKey: start,
      }),
    );
    for (const it of res.Items ?? []) out.push({ pageId: String(it.pageId), customerId: String(it.customerId), openedAt: Number(it.waitOpenedAt) });
    start = res.LastEvaluatedKey;
  } while (start);
  return out;
}
