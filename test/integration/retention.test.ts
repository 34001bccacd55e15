import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DeleteCommand, GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { createTestTable } from '#test/support/table.ts';
import { makeShop } from '#test/support/factories.ts';
import { putShop } from '#lib/store/shops.ts';
import { recordBatch } from '#lib/ingest/record-batch.ts';
import { buildReport } from '#lib/reports/build.ts';
import { reportQuerySchema } from '#lib/reports/query.ts';
import { checkConfig, ConfigError } from '#lib/config.ts';
import { db, tableName } from '#lib/store/client.ts';
import { keys } from '#lib/store/keys.ts';
import type { CanonicalEvent } from '#lib/events/schema.ts';
import type { OverviewReport } from '#lib/reports/types.ts';
import type { Shop } from '#lib/shops/schema.ts';

/**
 * Personal data retention (issue 20, docs/operations.md "Data kept"): the
 * items that name a person — a conversation's state, an order, a phone's
 * link — carry the table's TTL attribute `expiresAt`, PERSONAL_DATA_DAYS
 * (730 by default) after the last write that touched them; rollups, spend and
 * page items name no one and never expire. What DynamoDB's TTL later does
 * (delete the expired items) is done here by hand with DeleteItem on the
 * real table, since DynamoDB Local does not run TTL: the figures already
 * counted stay, and a person who comes back counts again only in later
 * periods.
 */

const DAY_S = 86_400;
const DEFAULT_DAYS = 730;
const at = (date: string, hm: string) => `${date}T${hm}:00+07:00`;

async function item(key: { PK: string; SK: string }) {
  return (await db().send(new GetCommand({ TableName: tableName(), Key: key, ConsistentRead: true }))).Item;
}

async function overview(shop: Shop, from: string, to: string, now: number): Promise<OverviewReport> {
  return (await buildReport('overview', shop, reportQuerySchema.parse({ from, to }), { now })) as OverviewReport;
}

/** Every item of the table whose text names `needle` (keys and attributes, raw chunks excepted: they are gzipped and have their own TTL). */
async function itemsNaming(needle: string): Promise<string[]> {
  const out: string[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db().send(new ScanCommand({ TableName: tableName(), ExclusiveStartKey: start, ConsistentRead: true }));
    for (const it of page.Items ?? []) if (JSON.stringify(it).includes(needle)) out.push(`${it.PK} ${it.SK}`);
    start = page.LastEvaluatedKey;
  } while (start);
  return out;
}

describe('personal data retention', () => {
  beforeAll(createTestTable);

  it('conversation, order and phone items expire PERSONAL_DATA_DAYS after their last write; rollups, spend and pages never', async () => {
    const shopId = 'ret-shop';
    const page = 'ret-page';
    const shop = makeShop(shopId, { pages: [{ pageId: page, channel: 'facebook', name: 'Fanpage' }] });
    expect(await putShop(shop)).toEqual({});
    const events: CanonicalEvent[] = [
      { kind: 'message.received', id: 'm1', pageId: page, customerId: 'cust-ret-1', at: at('2026-11-20', '10:00'), phone: '0912 345 678' },
      { kind: 'reply.sent', id: 'r1', pageId: page, customerId: 'cust-ret-1', at: at('2026-11-20', '10:05'), via: 'message', automated: false, staffId: 'lan' },
      { kind: 'order.created', id: 'o1', orderId: 'haravan:ret-1', at: at('2026-11-20', '11:00'), phone: '+84 912 345 678', total: 350000 },
      { kind: 'ad.spend', id: 's1', adId: 'ad-ret', pageId: page, at: at('2026-11-20', '23:00'), amount: 120000 },
      { kind: 'page.connected', id: 'p1', pageId: page, at: at('2026-11-20', '08:00') },
    ];
    const before = Math.floor(Date.now() / 1000);
    const outcome = await recordBatch(shopId, events, { now: Date.parse('2026-11-21T12:00:00+07:00') });
    const after = Math.floor(Date.now() / 1000);
    expect(outcome).toMatchObject({ applied: 5, dropped: [] });

    const personal = [keys.customer(shopId, page, 'cust-ret-1'), keys.order(shopId, 'haravan:ret-1'), keys.phone(shopId, '0912345678')];
    for (const key of personal) {
      const it = await item(key);
      expect(it, key.PK).toBeDefined();
      expect(Number(it!.expiresAt), key.PK).toBeGreaterThanOrEqual(before + DEFAULT_DAYS * DAY_S);
      expect(Number(it!.expiresAt), key.PK).toBeLessThanOrEqual(after + DEFAULT_DAYS * DAY_S);
    }
    // the order did link by the phone (so the phone item is the one above)
    expect((await item(keys.order(shopId, 'haravan:ret-1')))!.customerId).toBe('cust-ret-1');
    for (const key of [keys.spend(shopId, 'ad-ret', '2026-11-20'), keys.pageState(shopId, page)]) {
      const it = await item(key);
      expect(it, key.PK).toBeDefined();
      expect(it!.expiresAt, key.PK).toBeUndefined();
    }
    const rollups = (await db().send(new ScanCommand({ TableName: tableName(), FilterExpression: 'begins_with(PK, :p)', ExpressionAttributeValues: { ':p': keys.rollupPartition(shopId, page) } }))).Items ?? [];
    expect(rollups.length).toBeGreaterThan(0);
    for (const r of rollups) expect(r.expiresAt, `${r.PK} ${r.SK}`).toBeUndefined();

    // a later event moves the conversation's expiry on (never back)
    const first = Number((await item(personal[0]!))!.expiresAt);
    await new Promise((r) => setTimeout(r, 1100));
    await recordBatch(shopId, [{ kind: 'message.received', id: 'm2', pageId: page, customerId: 'cust-ret-1', at: at('2026-11-19', '09:00') }], { now: Date.parse('2026-11-21T12:00:00+07:00') });
    expect(Number((await item(personal[0]!))!.expiresAt)).toBeGreaterThan(first);
  });

  it('once TTL removes a person, the figures already counted stay and their id is gone; back later, they count in the new period only', async () => {
    const shopId = 'ret-back';
    const page = 'ret-back-page';
    const shop = makeShop(shopId, { pages: [{ pageId: page, channel: 'facebook', name: 'Fanpage' }] });
    expect(await putShop(shop)).toEqual({});
    const person = 'cust-ret-gone';
    const nov = Date.parse('2026-11-21T12:00:00+07:00');
    await recordBatch(
      shopId,
      [
        { kind: 'message.received', id: 'b1', pageId: page, customerId: person, at: at('2026-11-20', '10:00') },
        { kind: 'message.received', id: 'b2', pageId: page, customerId: 'cust-ret-stays', at: at('2026-11-20', '10:30') },
        { kind: 'order.created', id: 'bo1', orderId: 'haravan:ret-gone', at: at('2026-11-20', '11:00'), pageId: page, customerId: person, total: 200000 },
      ],
      { now: nov },
    );
    const novBefore = await overview(shop, '2026-11-01', '2026-11-30', nov);
    expect(novBefore.totals.customersReached).toBe(2);
    expect(novBefore.totals.ordersCreated).toBe(1);
    expect(novBefore.totals.revenue).toBe(200000);

    // what DynamoDB's TTL does once the person's items have expired: delete them (and nothing else)
    for (const key of [keys.customer(shopId, page, person), keys.order(shopId, 'haravan:ret-gone')]) {
      expect((await item(key))?.expiresAt, key.PK).toBeDefined();
      await db().send(new DeleteCommand({ TableName: tableName(), Key: key }));
    }
    const left = (await itemsNaming(person)).filter((k) => !k.includes('#RAW#'));
    expect(left).toEqual([]);
    expect(await overview(shop, '2026-11-01', '2026-11-30', nov)).toEqual(novBefore);

    // the person writes again in a later month (retention ≥ LATE_EVENT_DAYS + 62 days puts any return there)
    const jul = Date.parse('2027-07-02T12:00:00+07:00');
    await recordBatch(shopId, [{ kind: 'message.received', id: 'b3', pageId: page, customerId: person, at: at('2027-07-01', '10:00') }], { now: jul });
    expect(await overview(shop, '2026-11-01', '2026-11-30', jul)).toMatchObject({ totals: novBefore.totals });
    const julReport = await overview(shop, '2027-07-01', '2027-07-31', jul);
    expect(julReport.totals.customersReached).toBe(1);
    expect(julReport.totals.ordersCreated).toBe(0);
  });
});

describe('retention settings are checked at start', () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const k of ['PERSONAL_DATA_DAYS', 'RAW_EVENT_TTL_DAYS', 'LATE_EVENT_DAYS']) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
    checkConfig();
  });

  const problems = (env: Record<string, string>): string[] => {
    Object.assign(process.env, env);
    try {
      checkConfig();
      return [];
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      return (err as ConfigError).problems;
    }
  };

  it('names the variable and its rule', () => {
    expect(problems({ PERSONAL_DATA_DAYS: '30' })).toEqual(['PERSONAL_DATA_DAYS: must be at least 90 days']);
    expect(problems({ PERSONAL_DATA_DAYS: '365', RAW_EVENT_TTL_DAYS: '400' })).toEqual(['RAW_EVENT_TTL_DAYS: must not be more than PERSONAL_DATA_DAYS (raw events name people too)']);
    expect(problems({ PERSONAL_DATA_DAYS: '120', RAW_EVENT_TTL_DAYS: '100', LATE_EVENT_DAYS: '90' })).toEqual(['PERSONAL_DATA_DAYS: must be at least LATE_EVENT_DAYS + 62 days']);
    expect(problems({ PERSONAL_DATA_DAYS: '180', RAW_EVENT_TTL_DAYS: '180', LATE_EVENT_DAYS: '30' })).toEqual([]);
  });
});
