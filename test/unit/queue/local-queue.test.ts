import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalQueue, sqsEventOf, type Consumer, type LocalQueueOptions, type Stored } from '../../../scripts/local/queues.ts';

/**
 * The local queue has the semantics of a standard SQS queue behind a Lambda
 * event source: batch size and batching window, several pollers at once,
 * redelivery after a reported failure or an expired visibility timeout, dead
 * letters after the receive limit, and persistence across a restart.
 * Assertions are on what was delivered, never on how fast.
 */
type Body = { n: number };
let dir: string;
const started: Array<LocalQueue<Body>> = [];

function queue(consumer: Consumer<Body>, opts: Partial<LocalQueueOptions> = {}, sub = 'q'): LocalQueue<Body> {
  const q = new LocalQueue<Body>(path.join(dir, sub), consumer, { batchSize: 10, maxReceives: 5, visibilityTimeoutMs: 200, ...opts });
  started.push(q);
  return q;
}
const bodies = (from: number, to: number): Body[] => Array.from({ length: to - from }, (_, i) => ({ n: from + i }));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'chatpulse-lq-'));
});
afterEach(() => {
  for (const q of started.splice(0)) q.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('local standard queue', () => {
  it('fills batches up to the batch size', async () => {
    const sizes: number[] = [];
    const q = queue(async (b) => (sizes.push(b.length), []), { batchSize: 100, batchingWindowMs: 60_000 });
    q.send(bodies(0, 250));
    q.start();
    await q.drain();
    // 250 messages sent before the poller started: two full batches and the rest
    expect(sizes).toEqual([100, 100, 50]);
    expect(q.depth()).toBe(0);
  });

  it('holds a partial batch for the batching window, gathering messages sent meanwhile', async () => {
    const batches: number[][] = [];
    const q = queue(async (b) => (batches.push(b.map((m) => m.body.n)), []), { batchSize: 100, batchingWindowMs: 1_500, visibilityTimeoutMs: 60_000 });
    q.start();
    q.send(bodies(0, 3));
    await sleep(100); // well inside the window
    q.send(bodies(3, 7));
    while (batches.length === 0) await sleep(50);
    expect(batches).toEqual([[0, 1, 2, 3, 4, 5, 6]]);
  });

  it('delivers several batches at once with several pollers', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const seen: number[] = [];
    const q = queue(
      async (b) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        // hold the batch until four are in flight (or a generous bound passes)
        for (let i = 0; i < 100 && inFlight < 4; i++) await sleep(20);
        seen.push(...b.map((m) => m.body.n));
        inFlight--;
        return [];
      },
      { batchSize: 10, concurrency: 4, visibilityTimeoutMs: 60_000 },
    );
    q.send(bodies(0, 80));
    q.start();
    await q.drain();
    expect(maxInFlight).toBe(4);
    expect(seen.sort((a, b) => a - b)).toEqual(bodies(0, 80).map((b) => b.n));
  });

  it('redelivers a reported failure after the visibility timeout, with its receive count', async () => {
    const receives: Array<[number, number]> = [];
    const q = queue(async (b) => {
      for (const m of b) receives.push([m.body.n, m.receives]);
      return b.filter((m) => m.body.n === 1 && m.receives === 1).map((m) => m.id);
    });
    q.send(bodies(0, 3));
    q.start();
    await q.drain();
    expect(receives.filter(([n]) => n === 1)).toEqual([
      [1, 1],
      [1, 2],
    ]);
    expect(receives.filter(([n]) => n !== 1).map(([, r]) => r)).toEqual([1, 1]);
    expect(readdirSync(q.dlqDir)).toEqual([]);
  });

  it('redelivers every message of a batch whose consumer throws', async () => {
    let calls = 0;
    const delivered: number[] = [];
    const q = queue(async (b) => {
      if (calls++ === 0) throw new Error('worker crashed');
      delivered.push(...b.map((m) => m.body.n));
      return [];
    });
    q.send(bodies(0, 4));
    q.start();
    await q.drain();
    expect(delivered.sort()).toEqual([0, 1, 2, 3]);
  });

  it('delivers a message again, to another poller, when its visibility timeout ends while it is still being processed', async () => {
    const deliveries: Array<{ n: number; receives: number }> = [];
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const q = queue(
      async (b) => {
        for (const m of b) deliveries.push({ n: m.body.n, receives: m.receives });
        if (b[0]!.receives === 1) await held; // the first worker is stuck past the visibility timeout
        else release();
        return [];
      },
      { concurrency: 2, visibilityTimeoutMs: 150 },
    );
    q.send([{ n: 7 }]);
    q.start();
    await q.drain();
    // at least once: both deliveries of the same message happened
    expect(deliveries).toEqual([
      { n: 7, receives: 1 },
      { n: 7, receives: 2 },
    ]);
  });

  it('moves a message to the dead-letter folder after its receive limit', async () => {
    let calls = 0;
    const q = queue(async (b) => (calls++, b.map((m) => m.id)), { maxReceives: 3, visibilityTimeoutMs: 50 });
    q.send([{ n: 42 }]);
    q.start();
    await q.drain();
    expect(calls).toBe(3);
    const dead = readdirSync(q.dlqDir);
    expect(dead).toHaveLength(1);
    expect(JSON.parse(readFileSync(path.join(q.dlqDir, dead[0]!), 'utf8'))).toMatchObject({ body: { n: 42 }, receives: 3 });
  });

  it('keeps unconsumed messages across a restart', async () => {
    const first = queue(async () => []);
    first.send(bodies(0, 5));
    first.stop();
    const delivered: number[] = [];
    const second = queue(async (b) => (delivered.push(...b.map((m) => m.body.n)), []));
    second.start();
    await second.drain();
    expect(delivered).toEqual([0, 1, 2, 3, 4]);
  });

  it('builds the SQS event of a standard queue: no group id, the receive count as ApproximateReceiveCount', () => {
    const m: Stored<Body> = { id: 'a', body: { n: 1 }, receives: 2, sentAt: 1_700_000_000_000 };
    const r = sqsEventOf([m], 'ingest').Records[0]!;
    expect(r.messageId).toBe('a');
    expect(JSON.parse(r.body)).toEqual({ n: 1 });
    expect(r.attributes.ApproximateReceiveCount).toBe('2');
    expect(r.attributes.SentTimestamp).toBe('1700000000000');
    expect(r.attributes.MessageGroupId).toBeUndefined();
  });
});
