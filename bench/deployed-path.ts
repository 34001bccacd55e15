import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ensureTable } from '../scripts/local/dynamodb-local.ts';
import { meterWrites } from './meter.ts';
import { INGEST_BATCHING } from '#lib/queue/ingest-batching.ts';
import { setDb } from '#lib/store/client.ts';
import { resetConfig } from '#lib/config.ts';
import { putShop } from '#lib/store/shops.ts';
import { consumeIngestMessages } from '#lib/ingest/consume.ts';
import { shopInputSchema } from '#lib/shops/schema.ts';
import type { CanonicalEvent } from '#lib/events/schema.ts';

/**
 * Cost on the path as deployed: every webhook is one SQS message holding one
 * event; the Lambda event source's pollers (5, as Lambda starts with) each
 * gather up to 100 messages or until the batching window ends, and the worker
 * applies the batch (`consumeIngestMessages`, the handler's use case) against
 * DynamoDB Local under the honest write meter. Arrival times are virtual
 * (a realistic mix over `seconds`), so the batching lag each window costs is
 * exact; the applying itself runs for real.
 *
 * Traffic: 1,000 shops with Zipf-distributed rates (shop k gets 1/k of the
 * busiest), the busiest at 10,000 conversations a day, at its peak hour
 * (12 % of the day's conversations). A conversation: the customer writes 1–3
 * messages seconds apart, staff replies within 40–160 s, half the customers
 * write again and get a second reply.
 */
export type Arrival = { t: number; shopId: string; event: CanonicalEvent };
export type PathFigures = {
  label: string;
  windowSeconds: number;
  events: number;
  batches: number;
  eventsPerBatch: number;
  wruPerEvent: number;
  gsiWruPerEvent: number;
  cancelledWruPerEvent: number;
  /** committed units per event by where they land */
  byKind: { rollup: number; raw: number; state: number; gsi: number };
  lagP50: number;
  lagP95: number;
  lagMax: number;
  processMsPerBatch: number;
};

const POLLERS = 5;
/** the deployed event source's batch size (the bench measures the path as deployed) */
const BATCH = INGEST_BATCHING.batchSize;
const BASE = Date.parse('2026-11-20T20:00:00+07:00');
const NOW = Date.parse('2026-11-21T12:00:00+07:00');

/** A seeded generator, so every window sees the same traffic. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x9e3779b9) >>> 0;
    s ^= s >>> 12;
    return (s >>> 0) / 2 ** 32;
  };
}

export function chatMix(seconds: number, shops = 1000, busiestPerDay = 10_000, seed = 7): Arrival[] {
  const r = rng(seed);
  const out: Arrival[] = [];
  const peakPerSecond = (busiestPerDay * 0.12) / 3600;
  const at = (t: number) => new Date(BASE + t * 1000).toISOString();
  for (let k = 1; k <= shops; k++) {
    const shopId = `zipf-${k}`;
    const pageId = `zipf-${k}-page`;
    const rate = peakPerSecond / k;
    // conversations starting in [-300 s, seconds): some are under way when the window opens
    let t = -300 - Math.log(1 - r()) / rate;
    let n = 0;
    while (t < seconds) {
      const customerId = `c${n++}`;
      const push = (tt: number, e: Omit<CanonicalEvent, 'id' | 'at'>) => {
        if (tt >= 0 && tt < seconds) out.push({ t: tt, shopId, event: { id: `${shopId}-${customerId}-${out.length}`, at: at(tt), ...e } as CanonicalEvent });
      };
      let tt = t;
      for (let m = 0, k1 = 1 + Math.floor(r() * 3); m < k1; m++, tt += 3 + r() * 10) push(tt, { kind: 'message.received', pageId, customerId } as never);
      tt += 40 + r() * 120;
      push(tt, { kind: 'reply.sent', pageId, customerId, via: 'message', automated: false, staffId: `s${n % 3}` } as never);
      if (r() < 0.5) {
        tt += 30 + r() * 60;
        for (let m = 0, k2 = 1 + Math.floor(r() * 2); m < k2; m++, tt += 3 + r() * 10) push(tt, { kind: 'message.received', pageId, customerId } as never);
        tt += 40 + r() * 80;
        push(tt, { kind: 'reply.sent', pageId, customerId, via: 'message', automated: false, staffId: `s${n % 3}` } as never);
      }
      t += -Math.log(1 - r()) / rate;
    }
  }
  return out.sort((a, b) => a.t - b.t);
}

/** A livestream: `n` comments on one page within `seconds`, 80 % from distinct viewers. */
export function stormMix(n: number, seconds: number): Arrival[] {
  return Array.from({ length: n }, (_, i) => {
    const t = (i / n) * seconds;
    return {
      t,
      shopId: 'zipf-1',
      event: { id: `live-${i}`, kind: 'comment.received', at: new Date(BASE + t * 1000).toISOString(), pageId: 'zipf-1-page', customerId: `viewer-${i % 5 === 0 ? i % 97 : i}`, postId: 'live' } as CanonicalEvent,
    };
  });
}

/** The batches the pollers hand out: each message goes to a random poller; a batch closes when full or at its window's end. */
export function batchesOf(arrivals: Arrival[], windowSeconds: number, seed = 11, pollers = POLLERS): Array<{ closeAt: number; items: Arrival[] }> {
  const r = rng(seed);
  const open: Array<{ start: number; items: Arrival[] } | undefined> = new Array(pollers).fill(undefined);
  const out: Array<{ closeAt: number; items: Arrival[] }> = [];
  for (const a of arrivals) {
    const p = Math.floor(r() * pollers);
    // close this poller's batch if its window ended before this arrival
    const cur = open[p];
    if (cur && a.t >= cur.start + windowSeconds) {
      out.push({ closeAt: cur.start + windowSeconds, items: cur.items });
      open[p] = undefined;
    }
    const b = (open[p] ??= { start: a.t, items: [] });
    b.items.push(a);
    if (b.items.length >= BATCH) {
      out.push({ closeAt: a.t, items: b.items });
      open[p] = undefined;
    }
  }
  for (const b of open) if (b) out.push({ closeAt: b.start + windowSeconds, items: b.items });
  return out.sort((a, b) => a.closeAt - b.closeAt);
}

/**
 * What any write path must spend on this traffic, whatever it merges: per
 * batch, every conversation it touches has its own state item written once
 * (DESIGN.md: one state item per conversation, the dedup and the joins live
 * there), and every shop it touches gets at least one more item (its rollups
 * and raw events: items never span tenants). And the open waits are a sparse
 * index (DESIGN.md, so "missed" and "still waiting" are a query): whenever a
 * batch leaves a conversation's open wait different from before it (a wait
 * opens, closes, or a new one replaces it), its index entry is written at
 * least once — even with the cheapest projection (keys only, no write while
 * the entry stays as it was). DynamoDB bills at least 1 write unit per item
 * written, 2 inside a transaction. `floorPlain` prices every such write at 1
 * unit (no transaction, ≤ 1 KB); `floorTx` prices the state items at 2, as
 * writing state and deltas atomically costs.
 */
export type WriteFloor = { windowSeconds: number; conversationTouches: number; shopTouches: number; indexTouches: number; floorPlain: number; floorTx: number };

/** When the conversation's last wait opened, if it is still open (the rule of lib/ingest/customer.ts `waitsOf`, on time order). */
function openWaitOf(timeline: Array<{ t: number; inbound: boolean }>): number | undefined {
  let open: number | undefined;
  for (const e of timeline) {
    if (e.inbound && open === undefined) open = e.t;
    else if (!e.inbound && open !== undefined) open = undefined;
  }
  return open;
}

export function writeFloor(arrivals: Arrival[], windowSeconds: number, pollers = POLLERS): WriteFloor {
  let conversations = 0;
  let shops = 0;
  let index = 0;
  const timelines = new Map<string, Array<{ t: number; inbound: boolean }>>();
  for (const b of batchesOf(arrivals, windowSeconds, 11, pollers)) {
    const touched = new Map<string, Arrival[]>();
    for (const a of b.items) {
      const e = a.event as { pageId?: string; customerId?: string };
      const key = `${a.shopId}\u0000${e.pageId}\u0000${e.customerId}`;
      touched.set(key, [...(touched.get(key) ?? []), a]);
    }
    conversations += touched.size;
    shops += new Set(b.items.map((a) => a.shopId)).size;
    for (const [key, items] of touched) {
      const timeline = timelines.get(key) ?? [];
      const before = openWaitOf(timeline);
      for (const a of items) {
        const kind = a.event.kind;
        if (kind === 'message.received' || kind === 'comment.received' || kind === 'reply.sent') timeline.push({ t: Date.parse(a.event.at), inbound: kind !== 'reply.sent' });
      }
      timeline.sort((x, y) => x.t - y.t);
      timelines.set(key, timeline);
      if (openWaitOf(timeline) !== before) index += 1;
    }
  }
  const n = arrivals.length;
  return {
    windowSeconds,
    conversationTouches: conversations / n,
    shopTouches: shops / n,
    indexTouches: index / n,
    floorPlain: (conversations + shops + index) / n,
    floorTx: (2 * conversations + shops + index) / n,
  };
}

export async function measureDeployedPath(endpoint: string, label: string, arrivals: Arrival[], windowSeconds: number): Promise<PathFigures> {
  process.env.TABLE_NAME = `bench-p-${randomUUID().slice(0, 8)}`;
  process.env.DYNAMODB_ENDPOINT = endpoint;
  resetConfig();
  await ensureTable(endpoint, process.env.TABLE_NAME);
  const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }), {
    marshallOptions: { removeUndefinedValues: true },
  });
  setDb(doc);
  for (const shopId of new Set(arrivals.map((a) => a.shopId))) {
    await putShop({ ...shopInputSchema.parse({ name: shopId, pages: [{ pageId: `${shopId}-page`, channel: 'facebook', name: 'p' }] }), shopId, updatedAt: new Date().toISOString() });
  }
  const meter = meterWrites(doc, process.env.TABLE_NAME);
  const batches = batchesOf(arrivals, windowSeconds);
  const lags: number[] = [];
  let processMs = 0;
  for (const b of batches) {
    const t0 = performance.now();
    const failed = await consumeIngestMessages(
      b.items.map((a, i) => ({ messageId: `${b.closeAt}-${i}`, groupId: `${b.closeAt}-${i}`, body: JSON.stringify({ shopId: a.shopId, events: [a.event] }) })),
      NOW,
    );
    if (failed.length > 0) throw new Error(`${failed.length} messages failed`);
    processMs += performance.now() - t0;
    for (const a of b.items) lags.push(b.closeAt - a.t);
  }
  lags.sort((a, b) => a - b);
  const q = (p: number) => lags[Math.min(lags.length - 1, Math.floor(lags.length * p))] ?? 0;
  const n = arrivals.length;
  setDb(undefined);
  return {
    label,
    windowSeconds,
    events: n,
    batches: batches.length,
    eventsPerBatch: n / batches.length,
    wruPerEvent: meter.wru / n,
    gsiWruPerEvent: meter.gsiWru / n,
    cancelledWruPerEvent: meter.cancelledWru / n,
    byKind: { rollup: meter.byKind.rollup / n, raw: meter.byKind.raw / n, state: meter.byKind.state / n, gsi: meter.byKind.gsi / n },
    lagP50: q(0.5),
    lagP95: q(0.95),
    lagMax: lags[lags.length - 1] ?? 0,
    processMsPerBatch: processMs / batches.length,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { startDynamoLocal } = await import('../scripts/local/dynamodb-local.ts');
  process.env.LOG_LEVEL = 'silent';
  const d = await startDynamoLocal();
  try {
    const mix = chatMix(Number(process.env.SECONDS ?? 60));
    console.log(`${mix.length} events, ${new Set(mix.map((a) => a.shopId)).size} shops`);
    for (const w of [1, 10, 20, 60]) console.log(await measureDeployedPath(d.endpoint, `chat, window ${w} s`, mix, w));
  } finally {
    await d.stop();
  }
}
