import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ensureTable } from '../scripts/local/dynamodb-local.ts';
import { meterWrites } from './meter.ts';
import { setDb } from '#lib/store/client.ts';
import { resetConfig } from '#lib/config.ts';
import { putShop } from '#lib/store/shops.ts';
import { recordBatch } from '#lib/ingest/record-batch.ts';
import type { CanonicalEvent } from '#lib/events/schema.ts';
import { shopInputSchema } from '#lib/shops/schema.ts';

/** Ingest cost and speed through `recordBatch` against DynamoDB Local. */
export type IngestFigures = { label: string; batch: number; events: number; seconds: number; eventsPerSecond: number; wruPerEvent: number; requestsPerEvent: number; transactions: number };

/** Chat traffic: customers writing a few messages each, staff replying. */
export function chatTraffic(pageId: string, n: number, day = '2026-11-20'): CanonicalEvent[] {
  const out: CanonicalEvent[] = [];
  let c = 0;
  while (out.length < n) {
    const customerId = `cust-${c++}`;
    const base = Date.parse(`${day}T09:00:00+07:00`) + (c % 600) * 60_000;
    const msgs = 2 + (c % 4);
    for (let k = 0; k < msgs && out.length < n; k++) {
      out.push({ id: `m-${customerId}-${k}-${randomUUID().slice(0, 6)}`, kind: 'message.received', at: new Date(base + k * 30_000).toISOString(), pageId, customerId });
    }
    if (out.length < n) out.push({ id: `r-${customerId}-${randomUUID().slice(0, 6)}`, kind: 'reply.sent', at: new Date(base + 240_000).toISOString(), pageId, customerId, via: 'message', automated: false, staffId: `staff-${c % 4}` });
  }
  return out;
}

/** A livestream comment storm: `n` comments within two minutes, 80 % from distinct viewers. */
export function commentStorm(pageId: string, n: number, day = '2026-11-20'): CanonicalEvent[] {
  const start = Date.parse(`${day}T20:15:00+07:00`);
  return Array.from({ length: n }, (_, i) => ({
    id: `storm-${i}-${randomUUID().slice(0, 6)}`,
    kind: 'comment.received' as const,
    at: new Date(start + Math.floor((i / n) * 120_000)).toISOString(),
    pageId,
    customerId: `viewer-${i % 5 === 0 ? i % 97 : i}`,
    postId: 'live-1',
  }));
}

export async function measureIngest(endpoint: string, label: string, events: (pageId: string) => CanonicalEvent[], batch: number): Promise<IngestFigures> {
  process.env.TABLE_NAME = `bench-${randomUUID().slice(0, 8)}`;
  process.env.DYNAMODB_ENDPOINT = endpoint;
  resetConfig();
  await ensureTable(endpoint, process.env.TABLE_NAME);
  const doc = DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
    { marshallOptions: { removeUndefinedValues: true } },
  );
  const meter = meterWrites(doc, process.env.TABLE_NAME);
  setDb(doc);
  const shopId = `bench-${label.replace(/\W+/g, '-')}`;
  const pageId = `${shopId}-page`;
  await putShop({ ...shopInputSchema.parse({ name: 'Bench', pages: [{ pageId, channel: 'facebook', name: 'p' }] }), shopId, updatedAt: new Date().toISOString() });
  const list = events(pageId);
  meter.reset();
  const now = Date.parse('2026-11-21T12:00:00+07:00');
  const t0 = performance.now();
  for (let i = 0; i < list.length; i += batch) await recordBatch(shopId, list.slice(i, i + batch), { now });
  const seconds = (performance.now() - t0) / 1000;
  const figures = {
    label,
    batch,
    events: list.length,
    seconds,
    eventsPerSecond: list.length / seconds,
    wruPerEvent: meter.wru / list.length,
    requestsPerEvent: meter.requests / list.length,
    transactions: meter.transactions,
  };
  setDb(undefined);
  return figures;
}
