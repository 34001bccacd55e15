import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { db, tableName } from '#lib/store/client.ts';
import { queryAll } from '#lib/store/batch.ts';
import { keys, OPEN_WAIT_SHARDS } from '#lib/store/keys.ts';
import { TABLE } from '#lib/store/table.ts';
import { listShopIds } from '#lib/store/shops.ts';
import { customerFromItem } from '#lib/store/state-items.ts';
import { lastReplyBy } from '#lib/ingest/customer.ts';

/**
 * Moves the open waits of a deployed table from GSI1 (projection ALL, every
 * state write rewrote the entry) to the open-waits index (projection
 * OPEN_WAIT_INDEX_ATTRIBUTES). Deploy the stack first (CloudFormation adds
 * the new index; GSI1 stays for API keys and rejected events), then run
 * `npm run migrate:open-waits`.
 *
 * Per shop and shard, the conversations under GSI1's `WAIT#` partitions get
 * their open-waits keys (the same partition and sort key values) and
 * `lastReplyBy`, and lose their GSI1 keys, in one UpdateItem conditioned on
 * the version and GSI1 key read: a conversation ingest rewrote meanwhile is
 * already in the new layout (ingest writes whole items) and is left alone.
 * Nothing else of the item changes, so no figure moves; running it again
 * finds nothing. Until it has run, `listOpenWaits` reads both indexes, so no
 * open wait is missing or listed twice in between.
 */
export async function migrateOpenWaits(): Promise<{ shops: number; moved: number; skipped: number }> {
  let moved = 0;
  let skipped = 0;
  const shops = await listShopIds();
  for (const shopId of shops) {
    for (let shard = 0; shard < OPEN_WAIT_SHARDS; shard++) {
      const items = await queryAll({
        IndexName: TABLE.gsi1.name,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': TABLE.gsi1.partitionKey },
        ExpressionAttributeValues: { ':pk': keys.openWaitPartition(shopId, shard) },
      });
      for (const it of items) {
        const state = customerFromItem(shopId, String(it.pageId), String(it.customerId), it);
        const by = lastReplyBy(state);
        try {
          await db().send(
            new UpdateCommand({
              TableName: tableName(),
              Key: { PK: it.PK, SK: it.SK },
              UpdateExpression: `SET #wpk = :pk, #wsk = :sk${by !== undefined ? ', lastReplyBy = :by' : ''} REMOVE #gpk, #gsk`,
              ConditionExpression: 'v = :v AND #gpk = :pk AND #gsk = :sk',
              ExpressionAttributeNames: {
                '#wpk': TABLE.openWaits.partitionKey,
                '#wsk': TABLE.openWaits.sortKey,
                '#gpk': TABLE.gsi1.partitionKey,
                '#gsk': TABLE.gsi1.sortKey,
              },
              ExpressionAttributeValues: { ':pk': it[TABLE.gsi1.partitionKey], ':sk': it[TABLE.gsi1.sortKey], ':v': it.v, ...(by !== undefined ? { ':by': by } : {}) },
            }),
          );
          moved++;
        } catch (err) {
          if ((err as Error).name !== 'ConditionalCheckFailedException') throw err;
          skipped++;
        }
      }
    }
  }
  return { shops: shops.length, moved, skipped };
}
