import { GetCommand, PutCommand, ScanCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { db, tableName } from '#lib/store/client.ts';
import { keys, type Key } from '#lib/store/keys.ts';
import { batchWrite } from '#lib/store/batch.ts';

/**
 * Every item of one shop, found by a Scan of the table filtered to the shop's
 * keys (`keys.shopOwnership`). A shop's items sit in many partitions (one per
 * conversation, order, phone, page-day of raw events), so no Query reaches
 * them all; deletion and erasure are rare, so they pay one pass over the table
 * (read units for the whole table, about 0.125 per KB scanned) instead of
 * every write paying for an index. A pass is resumable: each page returns the
 * key to continue from.
 */
type Item = Record<string, unknown>;
export type ScanCursor = Record<string, unknown>;

function shopFilter(shopId: string) {
  const own = keys.shopOwnership(shopId);
  const values: Record<string, unknown> = {
    ':part': own.partition,
    ':dirPk': own.directoryEntry.PK,
    ':dirSk': own.directoryEntry.SK,
    ':akPrefix': own.apiKeyPrefix,
    ':akIndex': own.apiKeyIndexPartition,
    ':pagePrefix': own.pageRefPrefix,
    ':shop': shopId,
  };
  const prefixes = own.partitionPrefixes.map((p, i) => {
    values[`:pre${i}`] = p;
    return `begins_with(PK, :pre${i})`;
  });
  return {
    FilterExpression: [
      'PK = :part',
      ...prefixes,
      '(PK = :dirPk AND SK = :dirSk)',
      '(begins_with(PK, :akPrefix) AND GSI1PK = :akIndex)',
      '(begins_with(PK, :pagePrefix) AND shopId = :shop)',
    ].join(' OR '),
    ExpressionAttributeValues: values,
  };
}

/** One page of a pass over the table: the shop's items among the next `limit` items scanned. */
export async function scanShopItems(shopId: string, start: ScanCursor | undefined, limit: number): Promise<{ items: Item[]; scanned: number; next?: ScanCursor }> {
  const res = await db().send(new ScanCommand({ TableName: tableName(), ...shopFilter(shopId), Limit: limit, ExclusiveStartKey: start, ConsistentRead: true }));
  return { items: res.Items ?? [], scanned: res.ScannedCount ?? 0, ...(res.LastEvaluatedKey ? { next: res.LastEvaluatedKey } : {}) };
}

/** Like `scanShopItems`, counting only (no items travel back). */
export async function countShopItems(shopId: string, start: ScanCursor | undefined, limit: number): Promise<{ count: number; scanned: number; next?: ScanCursor }> {
  const res = await db().send(new ScanCommand({ TableName: tableName(), ...shopFilter(shopId), Select: 'COUNT', Limit: limit, ExclusiveStartKey: start, ConsistentRead: true }));
  return { count: res.Count ?? 0, scanned: res.ScannedCount ?? 0, ...(res.LastEvaluatedKey ? { next: res.LastEvaluatedKey } : {}) };
}

/** Deletes items by key (idempotent: a missing item is no error). */
export async function deleteItems(itemKeys: Key[]): Promise<void> {
  await batchWrite(itemKeys.map((k) => ({ DeleteRequest: { Key: { PK: k.PK, SK: k.SK } } })));
}

const keyOf = (it: Item): Key => ({ PK: String(it.PK), SK: String(it.SK) });

/**
 * Replaces `before` (as read) with `after`, on the condition that the item has
 * not changed since it was read (its version `v`, where it has one; else every
 * attribute compared by a fresh read). When the key changes, the old item goes
 * and the new one comes in one transaction. Returns false when the item moved
 * on in between: read it again and retry.
 */
export async function replaceItem(before: Item, after: Item): Promise<boolean> {
  const oldKey = keyOf(before);
  const newKey = keyOf(after);
  const sameKey = oldKey.PK === newKey.PK && oldKey.SK === newKey.SK;
  const versioned = typeof before.v === 'number';
  if (!versioned) {
    const now = (await db().send(new GetCommand({ TableName: tableName(), Key: oldKey, ConsistentRead: true }))).Item;
    if (!now || JSON.stringify(now) !== JSON.stringify(before)) return false;
  }
  const cond = versioned ? { ConditionExpression: 'v = :v', ExpressionAttributeValues: { ':v': before.v } } : { ConditionExpression: 'attribute_exists(PK)' };
  try {
    if (sameKey) await db().send(new PutCommand({ TableName: tableName(), Item: after, ...cond }));
    else {
      await db().send(
        new TransactWriteCommand({
          TransactItems: [
            { Delete: { TableName: tableName(), Key: oldKey, ...cond } },
            { Put: { TableName: tableName(), Item: after } },
          ],
        }),
      );
    }
    return true;
  } catch (err) {
    const name = (err as Error).name;
    if (name === 'ConditionalCheckFailedException' || name === 'TransactionCanceledException' || name === 'TransactionConflictException') return false;
    throw err;
  }
}

/** The current item under a key (consistent), for a retry after `replaceItem` returned false. */
export async function readItem(k: Key): Promise<Item | undefined> {
  return (await db().send(new GetCommand({ TableName: tableName(), Key: { PK: k.PK, SK: k.SK }, ConsistentRead: true }))).Item;
}
