import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalQueues } from '../../scripts/local/queues.ts';
import { createTestTable } from '#test/support/table.ts';
import { makeComment, makeReply, makeShop } from '#test/support/factories.ts';
import { startTestQueues } from '#test/support/queues.ts';
import { putShop } from '#lib/store/shops.ts';
import { recordBatch } from '#lib/ingest/record-batch.ts';
import { enqueueEvents } from '#lib/ingest/enqueue.ts';
import { getRollups } from '#lib/store/rollups.ts';
import { rebuildRollups } from '#lib/admin/rebuild.ts';
import { localDate } from '#lib/time/zone.ts';
import type { CanonicalEvent } from '#lib/events/schema.ts';
import { keys, ROLLUP_SHARDS, type Period, type RollupScope } from '#lib/store/keys.ts';
import { db, tableName } from '#lib/store/client.ts';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';

/**
 * A livestream storm on one page through the local standard queue: one event
 * per message (as webhooks send them), every message sent twice (SQS delivers
 * at least once), four pollers applying batches of the same page at once, a
 * short visibility timeout that makes slow batches be delivered again. The
 * figures must equal those of a one-by-one replay of the same events on a
 * twin page, and the counts built by hand.
 */
const VIEWERS = 60;
const REPLIED = 20;

function storm(pageId: string, day: string): CanonicalEvent[] {
  const out: CanonicalEvent[] = [];
  const t0 = Date.parse(`${day}T20:00:00+07:00`);
  for (let v = 0; v < VIEWERS; v++) {
    // viewer v writes 1 + (v % 4) comments: 60 viewers, 15 × (1 + 2 + 3 + 4) = 150 comments
    for (let k = 0; k <= v % 4; k++) {
      out.push(makeComment({ id: `c-${v}-${k}`, pageId, customerId: `viewer-${v}`, postId: 'live', at: new Date(t0 + (v * 7 + k * 13) * 1000).toISOString() }));
    }
    if (v < REPLIED) {
      out.push(makeReply({ id: `r-${v}`, pageId, customerId: `viewer-${v}`, via: 'comment', staffId: v % 2 === 0 ? 'lan' : 'minh', at: new Date(t0 + (v * 7 + 100) * 1000).toISOString() }));
    }
  }
  return out;
}

async function allRollups(shopId: string, pageId: string, day: string): Promise<Record<string, Record<string, number>>> {
  const out: Record<string, Record<string, number>> = {};
  for (const scope of ['P', 'S', 'A'] as RollupScope[]) {
    for (const period of ['D', 'W', 'M'] as Period[]) {
      for (const r of await getRollups(shopId, pageId, scope, period, '0000', '9999')) {
        // a field that a later delta brought back to 0 (an event applied before an earlier one moved a wait
        // from one response-time bucket to another) is the same figure as an absent one, as in the property test
        out[`${scope}${period}#${r.periodKey}#${r.entity ?? ''}`] = Object.fromEntries(Object.entries(r.fields).filter(([, v]) => v !== 0));
      }
    }
  }
  expect(Object.keys(out).some((k) => k.startsWith(`PD#${day}`))).toBe(true);
  return out;
}

describe('ingest: concurrent workers on one page stay exact', () => {
  let q: { queues: LocalQueues; stop: () => void };
  beforeAll(async () => {
    await createTestTable();
    q = startTestQueues({ batchSize: 25, batchingWindowMs: 50, concurrency: 4, visibilityTimeoutMs: 400 });
  });
  afterAll(() => q.stop());

  it('gives the figures of a sequential replay and of the hand count', async () => {
    const day = localDate(Date.now() - 2 * 86_400_000, 'Asia/Ho_Chi_Minh');
    await putShop(makeShop('storm', { pages: [{ pageId: 'storm-live', channel: 'facebook', name: 'Live' }] }));
    await putShop(makeShop('storm-seq', { pages: [{ pageId: 'storm-seq-live', channel: 'facebook', name: 'Live' }] }));
    const events = storm('storm-live', day);
    expect(events).toHaveLength(150 + REPLIED);

    // concurrent: every event its own message, each sent twice, in an interleaved order
    const routed = events.map((event) => ({ shopId: 'storm', event }));
    const shuffled = [...routed, ...routed].sort((a, b) => (a.event.id + a.event.at < b.event.id + b.event.at ? -1 : 1));
    for (const r of shuffled) await enqueueEvents([r]);
    await q.queues.ingest.drain(180_000);
    expect(readdirSync(q.queues.ingest.dlqDir)).toEqual([]);

    // sequential replay of the same events, one at a time, on the twin page
    for (const e of storm('storm-seq-live', day)) await recordBatch('storm-seq', [e]);

    const concurrent = await allRollups('storm', 'storm-live', day);
    const sequential = await allRollups('storm-seq', 'storm-seq-live', day);
    expect(concurrent).toEqual(sequential);

    // by hand: 150 comments from 60 distinct viewers, 20 of them answered (10 by lan, 10 by minh)
    const pd = concurrent[`PD#${day}#`]!;
    expect(pd.commentsReceived).toBe(150);
    expect(pd.customersReached).toBe(VIEWERS);
    expect(pd.newCustomers).toBe(VIEWERS);
    expect(pd.customersCared).toBe(REPLIED);
    expect(pd.messagesReceived ?? 0).toBe(0);
    expect(concurrent[`SD#${day}#lan`]!.commentReplies).toBe(10);
    expect(concurrent[`SD#${day}#minh`]!.commentReplies).toBe(10);

    // a rebuild from raw events folds the storm's rollup shards into one item per period, same figures
    await rebuildRollups({ shopId: 'storm', pageId: 'storm-live', from: day, to: day });
    expect(await allRollups('storm', 'storm-live', day)).toEqual(sequential);
  });

  it('sums a page\'s rollup shards at read, and a rebuild folds them into shard 0', async () => {
    const day = localDate(Date.now() - 3 * 86_400_000, 'Asia/Ho_Chi_Minh');
    await putShop(makeShop('shards', { pages: [{ pageId: 'shards-p', channel: 'facebook', name: 'P' }] }));
    await recordBatch('shards', [makeComment({ id: 'sh-1', pageId: 'shards-p', customerId: 'a', at: `${day}T20:00:00+07:00` })]);
    // a storm's deltas as a hot worker writes them: the same day item in the last shard's partition
    expect(ROLLUP_SHARDS).toBeGreaterThan(1);
    const k = keys.rollup('shards', 'shards-p', 'P', 'D', day, undefined, ROLLUP_SHARDS - 1);
    expect(k.PK).not.toBe(keys.rollupPartition('shards', 'shards-p'));
    await db().send(new UpdateCommand({ TableName: tableName(), Key: k, UpdateExpression: 'ADD commentsReceived :n', ExpressionAttributeValues: { ':n': 2 } }));
    const [item] = await getRollups('shards', 'shards-p', 'P', 'D', day, day);
    expect(item!.fields.commentsReceived).toBe(1 + 2);
    expect(item!.fields.customersReached).toBe(1);
    // the raw events hold one comment: a rebuild gives 1 and leaves nothing in the other shard
    await rebuildRollups({ shopId: 'shards', pageId: 'shards-p', from: day, to: day });
    const [rebuilt] = await getRollups('shards', 'shards-p', 'P', 'D', day, day);
    expect(rebuilt!.fields.commentsReceived).toBe(1);
  });
});
