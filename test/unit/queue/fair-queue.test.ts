import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalQueue, LocalQueues, NOISY_MIN_IN_FLIGHT, sqsEventOf, type Stored } from '../../../scripts/local/queues.ts';
import type { IngestMessage } from '#lib/queue/types.ts';

/**
 * The local queue imitates Amazon SQS fair queues (issue 21): with one tenant
 * (MessageGroupId) holding most messages in flight, a receive hands out the
 * quiet tenants' waiting messages before the noisy tenant's older ones.
 * Assertions are on what each batch held, never on timing.
 */
type Body = { shop: string; n: number };
let dir: string;
const started: Array<LocalQueue<Body>> = [];
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'chatpulse-fq-'));
});
afterEach(() => {
  for (const q of started.splice(0)) q.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Two pollers whose batches stay in flight until the test releases them. */
function heldQueue(fair: boolean) {
  const batches: Array<Array<Stored<Body>>> = [];
  const releases: Array<() => void> = [];
  const q = new LocalQueue<Body>(
    path.join(dir, fair ? 'fair' : 'plain'),
    (batch) => {
      batches.push(batch);
      return new Promise<string[]>((r) => releases.push(() => r([])));
    },
    { batchSize: 40, maxReceives: 5, concurrency: 2, visibilityTimeoutMs: 60_000, fair },
  );
  started.push(q);
  return { q, batches, releases };
}
const until = async (cond: () => boolean) => {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(cond()).toBe(true);
};
const flood = (n: number): Body[] => Array.from({ length: n }, (_, i) => ({ shop: 'noisy', n: i }));
const quiet = (n: number): Body[] => Array.from({ length: n }, (_, i) => ({ shop: 'quiet', n: i }));

describe('local fair queue (Amazon SQS fair queues)', () => {
  it("hands out a quiet shop's messages before a noisy shop's backlog, while the noisy shop holds the messages in flight", async () => {
    const { q, batches, releases } = heldQueue(true);
    q.send(flood(200), { groupOf: (b) => b.shop });
    q.start();
    await until(() => batches.length === 2); // 80 of the noisy shop's messages in flight, 120 waiting
    q.send(quiet(3), { groupOf: (b) => b.shop });
    releases[0]!(); // one poller frees up; the other still holds 40 (>= 30, and all of those in flight)
    await until(() => batches.length === 3);
    const third = batches[2]!.map((m) => `${m.body.shop}:${m.body.n}`);
    expect(third.slice(0, 3)).toEqual(['quiet:0', 'quiet:1', 'quiet:2']);
    expect(third.slice(3)).toEqual(Array.from({ length: 37 }, (_, i) => `noisy:${80 + i}`));
    expect(40).toBeGreaterThanOrEqual(NOISY_MIN_IN_FLIGHT);
    for (const r of releases) r();
  });

  it('without fairness (fair: false) the same quiet messages wait behind the whole backlog, as in a plain standard queue', async () => {
    const { q, batches, releases } = heldQueue(false);
    q.send(flood(200), { groupOf: (b) => b.shop });
    q.start();
    await until(() => batches.length === 2);
    q.send(quiet(3), { groupOf: (b) => b.shop });
    releases[0]!();
    await until(() => batches.length === 3);
    expect(batches[2]!.map((m) => m.body.shop)).toEqual(Array(40).fill('noisy'));
    for (const r of releases) r();
  });

  it('a tenant below the documented threshold (30 in flight) is not noisy: oldest first', async () => {
    const { q, batches, releases } = heldQueue(true);
    q.send(flood(20), { groupOf: (b) => b.shop }); // 20 in flight at most
    q.send(quiet(1), { groupOf: (b) => b.shop });
    q.start();
    await until(() => batches.length === 1);
    expect(batches[0]!.map((m) => m.body.shop)).toEqual([...Array(20).fill('noisy'), 'quiet']);
    for (const r of releases) r();
  });

  it('the ingest and digest queues name the shop as the tenant, and the SQS event carries it as MessageGroupId', async () => {
    const seen: Array<Stored<IngestMessage>> = [];
    const ingest = new LocalQueue<IngestMessage>(path.join(dir, 'ingest'), async (b) => (seen.push(...b), []), { batchSize: 10, maxReceives: 5 });
    const queues = new LocalQueues(ingest, new LocalQueue(path.join(dir, 'digest'), async () => [], { batchSize: 5, maxReceives: 5 }));
    await queues.sendIngest([{ shopId: 'hoa-mai', events: [] }]);
    ingest.start();
    await ingest.drain();
    ingest.stop();
    expect(seen[0]!.group).toBe('hoa-mai');
    expect(sqsEventOf(seen, 'ingest').Records[0]!.attributes.MessageGroupId).toBe('hoa-mai');
  });
});
