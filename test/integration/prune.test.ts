import { beforeAll, describe, expect, it } from 'vitest';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { createTestTable } from '#test/support/table.ts';
import { makeShop } from '#test/support/factories.ts';
import { putShop } from '#lib/store/shops.ts';
import { recordBatch } from '#lib/ingest/record-batch.ts';
import { replayCells } from '#lib/ingest/replay.ts';
import { rulesOf } from '#lib/ingest/context.ts';
import { itemId } from '#lib/rollups/cells.ts';
import { getRollups } from '#lib/store/rollups.ts';
import { db, tableName } from '#lib/store/client.ts';
import { keys } from '#lib/store/keys.ts';
import { addDays } from '#lib/time/zone.ts';
import { readRawEvents } from '#lib/store/raw.ts';
import type { CanonicalEvent } from '#lib/events/schema.ts';

const PAGE = 'prune-fb';
const START = '2026-08-01';

/** 80 days of one chatty customer (and a quiet one), with ads, referrals, orders and redeliveries. */
function day(d: number): CanonicalEvent[] {
  const date = addDays(START, d);
  const at = (hm: string) => `${date}T${hm}:00+07:00`;
  const ev: CanonicalEvent[] = [
    { id: `m-${d}`, kind: 'message.received', at: at('09:00'), pageId: PAGE, customerId: 'chatty', ...(d % 9 === 0 ? { adId: `ad-${d % 2}` } : {}) },
    { id: `m2-${d}`, kind: 'message.received', at: at('21:58'), pageId: PAGE, customerId: 'chatty' },
    { id: `r-${d}`, kind: 'reply.sent', at: at('09:05'), pageId: PAGE, customerId: 'chatty', via: 'message', automated: false, staffId: d % 2 ? 'lan' : 'minh' },
  ];
  // the 21:58 message is answered the next morning, so waits cross days
  if (d > 0) ev.push({ id: `r2-${d}`, kind: 'reply.sent', at: at('08:20'), pageId: PAGE, customerId: 'chatty', via: 'message', automated: false, staffId: 'lan' });
  if (d % 7 === 3) ev.push({ id: `q-${d}`, kind: 'comment.received', at: at('20:00'), pageId: PAGE, customerId: 'quiet' });
  if (d === 5) ev.push({ id: 'j', kind: 'referral.joined', at: at('10:00'), pageId: PAGE, customerId: 'chatty', code: 'C' });
  if (d % 20 === 19) ev.push({ id: `s-${d}`, kind: 'referral.shared', at: at('10:30'), pageId: PAGE, customerId: 'chatty' });
  if (d % 10 === 2) ev.push({ id: `o-${d}`, kind: 'order.created', at: at('11:00'), orderId: `o-${d}`, pageId: PAGE, customerId: 'chatty', total: 100000 + d, staffId: 'lan' });
  return ev;
}

describe('pruning a long conversation', () => {
  beforeAll(createTestTable);

  it('keeps the customer item small and every rollup equal to a full replay', async () => {
    const shop = makeShop('prune', { pages: [{ pageId: PAGE, channel: 'facebook', name: 'p' }] });
    await putShop(shop);
    const all: CanonicalEvent[] = [];
    for (let d = 0; d < 80; d++) {
      const events = day(d);
      all.push(...events);
      const now = Date.parse(`${addDays(START, d)}T23:30:00+07:00`);
      // today's events, plus a redelivery of those of 3 days ago
      await recordBatch('prune', [...events, ...(d >= 3 ? day(d - 3) : [])], { now });
    }
    const item = (await db().send(new GetCommand({ TableName: tableName(), Key: keys.customer('prune', PAGE, 'chatty') }))).Item!;
    expect((item.ev as string[]).length).toBeLessThan(200); // 80 days × ~4 events, pruned to the last ~month
    expect(item.carry).toBeTruthy();

    // the reference replays the events as stored raw (orders carry their resolved conversation; the ad is derived)
    const raw = await readRawEvents('prune', PAGE, START, addDays(START, 80));
    expect(new Set(raw.map((e) => e.id))).toEqual(new Set(all.map((e) => e.id)));
    const reference = new Map<string, Record<string, number>>();
    for (const [id, fields] of replayCells(rulesOf(shop), raw)) {
      const f = Object.fromEntries([...fields].filter(([, v]) => v !== 0));
      if (Object.keys(f).length) reference.set(id, f);
    }
    const got = new Map<string, Record<string, number>>();
    for (const scope of ['P', 'S', 'A'] as const)
      for (const [period, a, b] of [['D', '2026-07-01', '2026-12-31'], ['W', '2026-W01', '2026-W53'], ['M', '2026-01', '2026-12']] as const)
        for (const r of await getRollups('prune', PAGE, scope, period, a, b)) {
          const f = Object.fromEntries(Object.entries(r.fields).filter(([, v]) => v !== 0));
          if (Object.keys(f).length) got.set(itemId({ pageId: PAGE, scope, period, periodKey: r.periodKey, ...(r.entity !== undefined ? { entity: r.entity } : {}) }), f);
        }
    expect(Object.fromEntries(got)).toEqual(Object.fromEntries(reference));
  }, 120_000);

  it('remembers what pruned entries counted in a month that late events still reach', async () => {
    const shop = makeShop('burst', { pages: [{ pageId: 'burst-fb', channel: 'facebook', name: 'p' }] });
    await putShop(shop);
    const msg = (id: string, at: string, adId?: string): CanonicalEvent => ({ id, kind: 'message.received', at, pageId: 'burst-fb', customerId: 'b', ...(adId ? { adId } : {}) });
    const reply = (id: string, at: string): CanonicalEvent => ({ id, kind: 'reply.sent', at, pageId: 'burst-fb', customerId: 'b', via: 'message', automated: false, staffId: 'lan' });
    // 1–2 August: a burst of 70 messages, each day answered; the first came from an ad
    const burst: CanonicalEvent[] = [];
    for (let i = 0; i < 40; i++) burst.push(msg(`a1-${i}`, `2026-08-01T09:${String(i).padStart(2, '0')}:00+07:00`, i === 0 ? 'ad-aug' : undefined));
    burst.push(reply('ra1', '2026-08-01T10:00:00+07:00'));
    for (let i = 0; i < 30; i++) burst.push(msg(`a2-${i}`, `2026-08-02T09:${String(i).padStart(2, '0')}:00+07:00`));
    burst.push(reply('ra2', '2026-08-02T10:00:00+07:00'));
    await recordBatch('burst', burst, { now: Date.parse('2026-08-02T12:00:00+07:00') });
    // 5 September: a late message of 12 August; the burst is now older than any accepted event and is pruned
    const late1 = msg('late-1', '2026-08-12T09:00:00+07:00');
    await recordBatch('burst', [late1], { now: Date.parse('2026-09-05T12:00:00+07:00') });
    const item = (await db().send(new GetCommand({ TableName: tableName(), Key: keys.customer('burst', 'burst-fb', 'b') }))).Item!;
    expect((item.ev as string[]).length).toBe(1);
    expect(item.carry).toMatchObject({ ad: { ad: 'ad-aug' } });
    // 6 September: a late reply of 13 August (August already counted this customer as cared for), and an order of
    // 7 August 10:00, just inside both the 30-day lateness limit and the 7-day attribution window of the 1 August ad
    const late2 = reply('late-2', '2026-08-13T09:00:00+07:00');
    const order: CanonicalEvent = { id: 'ord', kind: 'order.created', at: '2026-08-07T10:00:00+07:00', orderId: 'o1', pageId: 'burst-fb', customerId: 'b', total: 500000 };
    const outcome = await recordBatch('burst', [late2, order], { now: Date.parse('2026-09-06T08:00:00+07:00') });
    expect(outcome).toMatchObject({ applied: 2, dropped: [] });

    const [month] = await getRollups('burst', 'burst-fb', 'P', 'M', '2026-08', '2026-08');
    expect(month!.fields).toMatchObject({ customersReached: 1, customersCared: 1, messagesReceived: 71, newCustomers: 1 });
    const [lan] = await getRollups('burst', 'burst-fb', 'S', 'M', '2026-08', '2026-08');
    expect(lan!.fields.conversationsAnswered).toBe(1);
    // the order of 7 August is attributed to the ad of 1 August (within 7 days), though that message was pruned
    const [ad] = await getRollups('burst', 'burst-fb', 'A', 'M', '2026-08', '2026-08');
    expect(ad).toMatchObject({ entity: 'ad-aug', fields: expect.objectContaining({ ordersCreated: 1, revenueMinor: 500000 }) });
  });
});
