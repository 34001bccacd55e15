import { gunzipSync } from 'node:zlib';
import { queryAll } from '#lib/store/batch.ts';
import { keys } from '#lib/store/keys.ts';
import { RAW_SHARDS } from '#lib/store/ingest-store.ts';
import { addDays } from '#lib/time/zone.ts';
import type { StoredEvent } from '#lib/events/schema.ts';

const PARALLEL_QUERIES = 16;

/** Raw events of one page (or `_`) for local days `fromDay..toDay`, as stored by ingest (one Query per day and shard, 16 at a time). */
export async function readRawEvents(shopId: string, pageId: string, fromDay: string, toDay: string): Promise<StoredEvent[]> {
  const partitions: string[] = [];
  for (let day = fromDay; day <= toDay; day = addDays(day, 1)) for (let shard = 0; shard < RAW_SHARDS; shard++) partitions.push(keys.rawPartition(shopId, pageId, day, shard));
  const chunks: StoredEvent[][] = new Array(partitions.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(PARALLEL_QUERIES, partitions.length) }, async () => {
      while (next < partitions.length) {
        const i = next++;
        const items = await queryAll({ KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': partitions[i] } });
        chunks[i] = items.flatMap((it) => JSON.parse(gunzipSync(it.events as Uint8Array).toString('utf8')) as StoredEvent[]);
      }
    }),
  );
  return chunks.flat();
}
