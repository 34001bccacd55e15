import { randomUUID } from 'node:crypto';
import { ensureTable } from '../scripts/local/dynamodb-local.ts';
import { resetConfig } from '#lib/config.ts';
import { setDb } from '#lib/store/client.ts';
import { putShop } from '#lib/store/shops.ts';
import { recordBatch } from '#lib/ingest/record-batch.ts';
import { buildReport } from '#lib/reports/build.ts';
import { reportQuerySchema } from '#lib/reports/query.ts';
import { newReadStats } from '#lib/store/rollups.ts';
import { readRawEvents } from '#lib/store/raw.ts';
import { replayCells } from '#lib/ingest/replay.ts';
import { rulesOf } from '#lib/ingest/context.ts';
import { shopInputSchema, type Shop } from '#lib/shops/schema.ts';
import { addDays } from '#lib/time/zone.ts';
import type { CanonicalEvent } from '#lib/events/schema.ts';

export type ReportFigures = { events: number; days: number; ms: number; items: number; baselineMs: number; baselineItems: number };

const END = '2026-11-20';

/** `n` events spread over the 365 days before END: customers messaging, staff replying, some orders. */
function yearOfEvents(pageId: string, n: number): CanonicalEvent[] {
  const out: CanonicalEvent[] = [];
  const start = Date.parse(`${addDays(END, -364)}T08:00:00+07:00`);
  for (let i = 0; out.length < n; i++) {
    const t = start + Math.floor((i / (n / 3)) * 365 * 86_400_000) + (i % 50) * 60_000;
    const customerId = `c${i % 5000}`;
    out.push({ id: `m${i}`, kind: 'message.received', at: new Date(t).toISOString(), pageId, customerId });
    out.push({ id: `r${i}`, kind: 'reply.sent', at: new Date(t + 120_000).toISOString(), pageId, customerId, via: 'message', automated: false, staffId: `s${i % 5}` });
    if (i % 4 === 0) out.push({ id: `o${i}`, kind: 'order.created', at: new Date(t + 600_000).toISOString(), orderId: `o${i}`, pageId, customerId, staffId: `s${i % 5}`, total: 150000 + (i % 7) * 10000 });
  }
  return out.slice(0, n);
}

/**
 * Loads `n` events into a fresh table, then times an overview for 1, 30 and
 * 365 days and counts the items it reads, against a naive baseline that
 * reads the raw events of the range and recomputes (same figures, O(events)).
 */
export async function measureReports(endpoint: string, n: number): Promise<ReportFigures[]> {
  process.env.TABLE_NAME = `bench-r-${randomUUID().slice(0, 8)}`;
  process.env.DYNAMODB_ENDPOINT = endpoint;
  resetConfig();
  setDb(undefined);
  await ensureTable(endpoint, process.env.TABLE_NAME);
  const shopId = 'bench-report';
  const pageId = `${shopId}-p`;
  const shop: Shop = { ...shopInputSchema.parse({ name: 'Bench', pages: [{ pageId, channel: 'facebook', name: 'p' }] }), shopId, updatedAt: '' };
  await putShop(shop);
  const events = yearOfEvents(pageId, n);
  // ingest as if each day's events arrived that day (nothing is "too late")
  for (let i = 0; i < events.length; i += 100) {
    const chunk = events.slice(i, i + 100);
    await recordBatch(shopId, chunk, { now: Date.parse(chunk[chunk.length - 1]!.at) + 3_600_000 });
  }
  const out: ReportFigures[] = [];
  for (const days of [1, 30, 365]) {
    const from = addDays(END, -(days - 1));
    const q = reportQuerySchema.parse({ from, to: END });
    await buildReport('overview', shop, q, { now: Date.parse(`${END}T23:00:00+07:00`) }); // warm
    const stats = newReadStats();
    const t0 = performance.now();
    await buildReport('overview', shop, q, { now: Date.parse(`${END}T23:00:00+07:00`), stats });
    const ms = performance.now() - t0;
    // baseline: the same totals recomputed from the raw events of the range
    const b0 = performance.now();
    const raw = await readRawEvents(shopId, pageId, from, END);
    replayCells(rulesOf(shop), raw);
    // the naive design keeps one item per event, so it reads one item per event of the range
    const rawItems = raw.length;
    const baselineMs = performance.now() - b0;
    out.push({ events: n, days, ms, items: stats.items, baselineMs, baselineItems: rawItems });
  }
  return out;
}
