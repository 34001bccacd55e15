import { randomUUID } from 'node:crypto';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { ensureTable } from '../scripts/local/dynamodb-local.ts';
import { resetConfig } from '#lib/config.ts';
import { db, setDb, tableName } from '#lib/store/client.ts';
import { putShop } from '#lib/store/shops.ts';
import { recordBatch } from '#lib/ingest/record-batch.ts';
import { exportConversations } from '#lib/reports/export-conversations.ts';
import { newReadCost, type ReadCost } from '#lib/reports/conversation-reading.ts';
import { shopInputSchema, type Shop } from '#lib/shops/schema.ts';
import { addDays } from '#lib/time/zone.ts';
import type { CanonicalEvent } from '#lib/events/schema.ts';

export type ExportFigures = { label: string; conversations: number; cost: ReadCost; ms: number };

const FIRST = '2026-11-18';
const DAYS = 3;

/** `perDay` conversations a day on one page: 2 messages and 2 replies each, an order for one in five. */
function days(pageId: string, perDay: number): CanonicalEvent[] {
  const out: CanonicalEvent[] = [];
  for (let d = 0; d < DAYS; d++) {
    const base = Date.parse(`${addDays(FIRST, d)}T08:00:00+07:00`);
    for (let i = 0; i < perDay; i++) {
      const t = base + Math.floor((i / perDay) * 13 * 3_600_000);
      const customerId = `d${d}-c${i}`;
      out.push({ id: `${customerId}-m1`, kind: 'message.received', at: new Date(t).toISOString(), pageId, customerId });
      out.push({ id: `${customerId}-r1`, kind: 'reply.sent', at: new Date(t + 90_000).toISOString(), pageId, customerId, via: 'message', automated: false, staffId: `s${i % 5}` });
      out.push({ id: `${customerId}-m2`, kind: 'message.received', at: new Date(t + 300_000).toISOString(), pageId, customerId });
      out.push({ id: `${customerId}-r2`, kind: 'reply.sent', at: new Date(t + 1_500_000).toISOString(), pageId, customerId, via: 'message', automated: false, staffId: `s${i % 5}` });
      if (i % 5 === 0) out.push({ id: `${customerId}-o`, kind: 'order.created', at: new Date(t + 1_800_000).toISOString(), orderId: `${customerId}-o`, pageId, customerId, total: 250000 });
    }
  }
  return out;
}

/**
 * Read cost of the conversation export per 1,000 conversations: a page with
 * 1,000 conversations a day for three days; the export of one day (JSON
 * pages of 500 and the CSV) against the baseline a naive export would use,
 * a Scan of the table filtered to the shop and day.
 */
export async function measureExport(endpoint: string, perDay = 1000): Promise<ExportFigures[]> {
  process.env.TABLE_NAME = `bench-x-${randomUUID().slice(0, 8)}`;
  process.env.DYNAMODB_ENDPOINT = endpoint;
  resetConfig();
  setDb(undefined);
  await ensureTable(endpoint, process.env.TABLE_NAME);
  const shopId = 'bench-export';
  const pageId = `${shopId}-p`;
  const shop: Shop = { ...shopInputSchema.parse({ name: 'Bench', pages: [{ pageId, channel: 'facebook', name: 'p' }] }), shopId, updatedAt: '' };
  await putShop(shop);
  const events = days(pageId, perDay);
  const now = Date.parse(`${addDays(FIRST, DAYS)}T12:00:00+07:00`);
  for (let i = 0; i < events.length; i += 100) await recordBatch(shopId, events.slice(i, i + 100), { now });

  const day = addDays(FIRST, 1);
  const out: ExportFigures[] = [];
  const run = async (label: string, query: string) => {
    const cost = newReadCost();
    const t0 = performance.now();
    let conversations = 0;
    let cursor: string | null = null;
    do {
      const res = await exportConversations(shopId, new URLSearchParams(`${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`), now, cost);
      if (res.format === 'csv') {
        conversations = res.body.split('\r\n').length - 2;
        cursor = null;
      } else if (res.format === 'json') {
        conversations += res.body.rows.length;
        cursor = res.body.nextCursor;
      } else {
        throw new Error('the export bench asks for json or csv');
      }
    } while (cursor);
    out.push({ label, conversations, cost, ms: performance.now() - t0 });
  };
  await run('CSV, one day (every row in one response)', `from=${day}&to=${day}&format=csv`);
  await run('JSON, one day, pages of 500 (each page re-reads the range)', `from=${day}&to=${day}&limit=500`);
  await run('JSON, one day, one page of 1,000', `from=${day}&to=${day}&limit=1000`);

  // baseline: Scan everything, keep the shop's conversation items active that day
  const cost = newReadCost();
  const t0 = performance.now();
  let start: Record<string, unknown> | undefined;
  let kept = 0;
  do {
    const res = await db().send(new ScanCommand({ TableName: tableName(), ExclusiveStartKey: start, ReturnConsumedCapacity: 'TOTAL' }));
    cost.queries++;
    cost.itemsRead += res.Items?.length ?? 0;
    cost.readUnits += res.ConsumedCapacity?.CapacityUnits ?? 0;
    kept += (res.Items ?? []).filter((it) => it.type === 'customer' && String(it.PK).includes(`#CUST#d1-`)).length;
    start = res.LastEvaluatedKey;
  } while (start);
  out.push({ label: `baseline: Scan of the table (${DAYS} days stored)`, conversations: kept, cost, ms: performance.now() - t0 });
  return out;
}

export function exportTable(rows: ExportFigures[]): string {
  const per1000 = (r: ExportFigures) => (r.conversations ? (r.cost.readUnits * 1000) / r.conversations : 0);
  const base = rows[rows.length - 1]!;
  return [
    '| export | conversations | Queries/Scans | BatchGetItem | items read | RCU (DynamoDB Local, eventually consistent) | RCU per 1,000 conversations | ms | RCU vs this small Scan |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map(
      (r) =>
        `| ${r.label} | ${r.conversations} | ${r.cost.queries} | ${r.cost.batchGets} | ${r.cost.itemsRead} | ${r.cost.readUnits.toFixed(1)} | ${per1000(r).toFixed(1)} | ${r.ms.toFixed(0)} | ${r === base ? '—' : `${(r.cost.readUnits / Math.max(base.cost.readUnits, 0.5)).toFixed(1)}×`} |`,
    ),
  ].join('\n');
}

/** The RESULTS.md section: the table, and the Scan baseline extrapolated to a table holding 400 days. */
export function exportSection(rows: ExportFigures[]): string[] {
  const base = rows[rows.length - 1]!;
  const csv = rows[0]!;
  const scanPerDay = base.cost.readUnits / DAYS;
  return [
    '## Conversation export (read cost per 1,000 conversations, `bench/export.ts`)',
    '',
    exportTable(rows),
    '',
    `The export reads the raw-event chunks of the selected pages and days (${RAW_QUERIES_PER_PAGE_DAY} Queries per page and day; gzip chunks hold many events, so they cost few units) and one state item per conversation by BatchGetItem (0.5 RCU each, eventually consistent: most of the cost). `
      + `It costs ${((csv.cost.readUnits * 1000) / Math.max(1, csv.conversations)).toFixed(0)} RCU per 1,000 conversations whatever the table holds. A Scan costs the whole table: here ${scanPerDay.toFixed(0)} RCU per stored day of this one page, so about ${(scanPerDay * 400).toFixed(0)} RCU for 400 days of raw events kept, before any other shop. `
      + 'Each JSON page re-reads the range: take the CSV or `limit=1000` for big exports.',
    '',
  ];
}

const RAW_QUERIES_PER_PAGE_DAY = 4;

if (import.meta.url === `file://${process.argv[1]}`) {
  process.env.LOG_LEVEL = 'silent';
  const { startDynamoLocal } = await import('../scripts/local/dynamodb-local.ts');
  const dynamo = await startDynamoLocal();
  try {
    console.log(exportSection(await measureExport(dynamo.endpoint)).join("\n"));
  } finally {
    await dynamo.stop();
  }
}
