import { queryAll } from '#lib/store/batch.ts';
import { keys } from '#lib/store/keys.ts';
import { RAW_SHARDS } from '#lib/store/ingest-store.ts';
import { addDays } from '#lib/time/zone.ts';
import type { CanonicalEvent } from '#lib/events/schema.ts';

/** Raw events of one page (or `_`) for local days `fromDay..toDay`, as stored by ingest. */
export async function readRawEvents(shopId: string, pageId: string, fromDay: string, toDay: string): Promise<CanonicalEvent[]> {
  const out: CanonicalEvent[] = [];
  for (let day = fromDay; day <= toDay; day = addDays(day, 1)) {
    for (let shard = 0; shard < RAW_SHARDS; shard++) {
      const items = await queryAll({ KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': keys.rawPartition(shopId, pageId, day, shard) } });
      for (const it of items) out.push(...(JSON.parse(String(it.events)) as CanonicalEvent[]));
    }
  }
  return out;
}
