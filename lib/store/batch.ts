import { BatchGetCommand, BatchWriteCommand, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { db, tableName } from '#lib/store/client.ts';
import type { Key } from '#lib/store/keys.ts';

/**
 * The batched and paginated primitives every repository uses: retries of
 * unprocessed items with backoff, and Query pages followed to the end.
 */
type Item = Record<string, unknown>;

export const keyId = (k: Key) => `${k.PK}\u0000${k.SK}`;

const backoff = (attempt: number) => new Promise((r) => setTimeout(r, 2 ** attempt * 20));

/** BatchGetItem in chunks of 100 with retries of unprocessed keys; returns items by key id. */
export async function batchGet(keyList: Key[], consistent = true): Promise<Map<string, Item>> {
  const out = new Map<string, Item>();
  const unique = [...new Map(keyList.map((k) => [keyId(k), k])).values()];
  for (let i = 0; i < unique.length; i += 100) {
    let pending: Key[] = unique.slice(i, i + 100);
    for (let attempt = 0; pending.length > 0; attempt++) {
      const res = await db().send(new BatchGetCommand({ RequestItems: { [tableName()]: { Keys: pending, ConsistentRead: consistent } } }));
      for (const item of res.Responses?.[tableName()] ?? []) out.set(keyId({ PK: String(item.PK), SK: String(item.SK) }), item);
      pending = (res.UnprocessedKeys?.[tableName()]?.Keys as Key[] | undefined) ?? [];
      if (pending.length > 0) {
        if (attempt > 8) throw new Error('BatchGetItem kept returning unprocessed keys');
        await backoff(attempt);
      }
    }
  }
  return out;
}

export type WriteRequest = { PutRequest: { Item: Item } } | { DeleteRequest: { Key: Key } };

/** BatchWriteItem in chunks of 25 with retries of unprocessed items. */
export async function batchWrite(writes: WriteRequest[]): Promise<void> {
  for (let i = 0; i < writes.length; i += 25) {
    let batch = writes.slice(i, i + 25);
    for (let attempt = 0; batch.length > 0; attempt++) {
      const res = await db().send(new BatchWriteCommand({ RequestItems: { [tableName()]: batch } }));
      batch = (res.UnprocessedItems?.[tableName()] as WriteRequest[] | undefined) ?? [];
      if (batch.length > 0) {
        if (attempt > 8) throw new Error('BatchWriteItem kept returning unprocessed items');
        await backoff(attempt);
      }
    }
  }
}

/** Runs `fn` over `list` with at most `limit` calls in flight; results in input order. */
export async function mapLimit<T, R>(list: T[], fn: (t: T) => Promise<R>, limit = 16): Promise<R[]> {
  const out: R[] = new Array(list.length);
  let next = 0;
  const worker = async () => {
    while (next < list.length) {
      const i = next++;
      out[i] = await fn(list[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, list.length) }, worker));
  return out;
}

/** Every item of a Query, following LastEvaluatedKey; `onPage` sees each page (read accounting). */
export async function queryAll(input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>, onPage?: (items: number, capacityUnits: number) => void): Promise<Item[]> {
  const out: Item[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const res = await db().send(new QueryCommand({ ...input, TableName: tableName(), ExclusiveStartKey: start }));
    onPage?.(res.Items?.length ?? 0, res.ConsumedCapacity?.CapacityUnits ?? 0);
    out.push(...(res.Items ?? []));
    start = res.LastEvaluatedKey;
  } while (start);
  return out;
}
