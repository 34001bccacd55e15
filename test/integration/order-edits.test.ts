import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTable } from '#test/support/table.ts';
import { call, httpEvent } from '#test/support/http.ts';
import { TEST_SECRETS } from '#test/support/env.ts';
import { makeShop } from '#test/support/factories.ts';
import { startTestQueues } from '#test/support/queues.ts';
import { makeHaravanOrder } from '#test/support/fixtures/haravan-orders.ts';
import { makeSapoGoOrder } from '#test/support/fixtures/sapo-orders.ts';
import { makeShopifyWebhookOrder } from '#test/support/fixtures/shopify-orders.ts';
import { orderSignature, rawJson } from '#test/support/fixtures/raw-json.ts';
import { handler as admin } from '#functions/admin/handler.ts';
import { handler as report } from '#functions/report/handler.ts';
import { handler as webhook } from '#functions/webhook/handler.ts';
import { createApiKey, putShop } from '#lib/store/shops.ts';
import { getRollups } from '#lib/store/rollups.ts';
import { rebuildRollups } from '#lib/admin/rebuild.ts';
import type { LocalQueues } from '../../scripts/local/queues.ts';

/**
 * Edited orders (issue 21 "an older body can never overwrite a newer
 * state"). A shop edits an order (amount, sales staff, page and customer in
 * its note attributes; removes its note attributes), the parcel is delivered
 * or the order cancelled, and the platform sends each state as a whole body
 * with a later `updated_at`. Each life below is sent through the webhook
 * (signed, under any topic header, through the ingest queue) in its true
 * order, and again as random permutations with repeated bodies, one body per
 * delivery or all in one, for Haravan, Shopify and Sapo. Every run must end
 * where the true order ends: the rollups are checked against figures written
 * here from SPEC §3's definitions and the last body of each life (not
 * computed by the code under test), and a rebuild from raw events gives them
 * again.
 */
const SHOP = 'edits';
const PAGE_A = 'edits-page-a';
const PAGE_B = 'edits-page-b';
const NO_PAGE = '_';
const SECRETS = { haravan: 'haravan-secret-edits-0123456789', sapo: 'sapo-secret-edits-0123456789ab', shopify: 'shopify-secret-edits-012345678' } as const;
type Platform = keyof typeof SECRETS;
const HEADERS: Record<Platform, [string, string]> = {
  haravan: ['x-haravan-hmacsha256', 'x-haravan-topic'],
  sapo: ['x-sapo-hmac-sha256', 'x-sapo-topic'],
  shopify: ['x-shopify-hmac-sha256', 'x-shopify-topic'],
};
const USED = ['orders/create', 'orders/updated', 'orders/paid', 'orders/cancelled', 'orders/fulfilled', 'orders/partially_fulfilled', 'fulfillments/create', 'fulfillments/update', 'orders/update', 'order/cancel'];
const UNUSED = ['orders/delete', 'refunds/create', 'customers/update', 'orders/edited', 'app/uninstalled'];
const TODAY = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Ho_Chi_Minh' }).format(new Date(Date.now() - 2 * 3_600_000));
/** 08:00 in Hồ Chí Minh: the order's day is TODAY, and so is every transition's */
const at = (hhmm: string) => `${TODAY}T${hhmm}:00.000Z`;
const CREATED = at('01:00');
const DELIVERED = at('01:55');
const CANCELLED = at('01:30');

/** One body of an order's life: its version (`updated_at`), what it says, and its state. */
type Step = { v: string; total: number; notes?: { page: string; customer: string; staff: string }; state: 'open' | 'delivered' | 'cancelled' };
/** A life of one order, in its true order; the customer id is made unique per order (`#` replaced). */
type Life = { name: string; steps: Step[] };

const LIVES: Life[] = [
  {
    name: 'edited, reassigned to another page and staff, delivered, edited again',
    steps: [
      { v: at('01:00'), total: 450_000, notes: { page: PAGE_A, customer: 'x#', staff: 'lan' }, state: 'open' },
      { v: at('01:20'), total: 520_000, notes: { page: PAGE_A, customer: 'x#', staff: 'lan' }, state: 'open' },
      { v: at('01:40'), total: 520_000, notes: { page: PAGE_B, customer: 'y#', staff: 'minh' }, state: 'open' },
      { v: at('02:00'), total: 520_000, notes: { page: PAGE_B, customer: 'y#', staff: 'minh' }, state: 'delivered' },
      { v: at('02:20'), total: 520_000, notes: { page: PAGE_B, customer: 'y#', staff: 'lan' }, state: 'delivered' },
    ],
  },
  {
    name: 'cancelled, then edited after the cancellation',
    steps: [
      { v: at('01:00'), total: 450_000, notes: { page: PAGE_A, customer: 'z#', staff: 'lan' }, state: 'open' },
      { v: at('01:30'), total: 450_000, notes: { page: PAGE_A, customer: 'z#', staff: 'lan' }, state: 'cancelled' },
      { v: at('01:50'), total: 300_000, notes: { page: PAGE_A, customer: 'z#', staff: 'minh' }, state: 'cancelled' },
    ],
  },
  {
    name: 'note attributes removed by an edit (the conversation stays the one last named)',
    steps: [
      { v: at('01:00'), total: 200_000, notes: { page: PAGE_B, customer: 'w#', staff: 'minh' }, state: 'open' },
      { v: at('01:10'), total: 250_000, notes: { page: PAGE_B, customer: 'w#', staff: 'minh' }, state: 'open' },
      { v: at('01:45'), total: 600_000, state: 'open' },
    ],
  },
];

/** The body a platform sends for one step of an order (fixtures from the platforms' documented shapes, our values). */
function bodyOf(platform: Platform, id: number, step: Step, unique: string): Record<string, unknown> {
  const notes = step.notes
    ? [
        { name: 'page_id', value: step.notes.page },
        { name: 'customer_id', value: step.notes.customer.replace('#', unique) },
        { name: 'staff_id', value: step.notes.staff },
      ]
    : [];
  const delivered = step.state === 'delivered';
  const cancelled = step.state === 'cancelled';
  if (platform === 'haravan') {
    const base = makeHaravanOrder({ id, carrier: delivered ? 'delivered' : 'none', cancelled, notes });
    return {
      ...base,
      created_at: CREATED,
      updated_at: step.v,
      total_price: step.total,
      line_items: [{ ...base.line_items[0]!, quantity: 1, price: step.total }],
      ...(delivered ? { fulfillments: [{ ...base.fulfillments[0]!, delivered_date: DELIVERED, updated_at: DELIVERED }] } : {}),
      ...(cancelled ? { cancelled_at: CANCELLED } : {}),
    };
  }
  if (platform === 'shopify') {
    const base = makeShopifyWebhookOrder({ id, shipment: delivered ? 'delivered' : 'none', notes });
    return {
      ...base,
      created_at: CREATED,
      updated_at: step.v,
      total_price: `${step.total}.00`,
      ...(delivered ? { fulfillments: [{ ...base.fulfillments[0]!, updated_at: DELIVERED }] } : {}),
      ...(cancelled ? { cancelled_at: CANCELLED, cancel_reason: 'customer', financial_status: 'voided' } : {}),
    };
  }
  const base = makeSapoGoOrder({ id, stage: delivered ? 'received' : 'finalized' });
  return {
    ...base,
    created_on: CREATED,
    modified_on: step.v,
    total: step.total,
    note_attributes: notes,
    ...(delivered ? { fulfillments: [{ ...base.fulfillments[0]!, received_on: DELIVERED, modified_on: DELIVERED }] } : {}),
    ...(cancelled ? { status: 'cancelled', cancelled_on: CANCELLED } : {}),
  };
}

/** What an order counts by SPEC §3, from the last body of its life: the cells of its day (all its events fall on TODAY). */
type Cell = { page: string; scope: 'P' | 'S'; entity?: string; fields: Record<string, number> };
function expectedCells(life: Life, unique: string): Cell[] {
  const last = life.steps[life.steps.length - 1]!;
  // the conversation: the one the newest body naming one names
  const named = [...life.steps].reverse().find((s) => s.notes)?.notes;
  const page = named?.page ?? NO_PAGE;
  const customer = named?.customer.replace('#', unique);
  const staff = last.notes?.staff ?? 'unknown';
  const cancelled = life.steps.some((s) => s.state === 'cancelled');
  const delivered = life.steps.some((s) => s.state === 'delivered');
  const live = !cancelled;
  const value = last.total;
  const P: Record<string, number> = {
    ordersCreated: 1,
    ordersCancelled: cancelled ? 1 : 0,
    ordersDelivered: delivered ? 1 : 0,
    provisionalRevenueMinor: value,
    revenueMinor: live ? value : 0,
    deliveries: delivered ? 1 : 0,
    deliveredRevenueMinor: delivered ? value : 0,
    // distinct customers with a live order, and of those with a delivered one (a mark per customer)
    funnelOrdered: live && customer ? 1 : 0,
    funnelDelivered: live && customer && delivered ? 1 : 0,
  };
  const S: Record<string, number> = {
    ordersCreated: 1,
    ordersCancelled: cancelled ? 1 : 0,
    revenueMinor: live ? value : 0,
    customersOrdered: live && customer && staff !== 'unknown' ? 1 : 0,
  };
  return [
    { page, scope: 'P', fields: P },
    { page, scope: 'S', entity: staff, fields: S },
  ];
}

const cellKey = (c: { page: string; scope: string; entity?: string }) => `${c.page}|${c.scope}|${c.entity ?? ''}`;
function sumCells(cells: Cell[]): Map<string, Record<string, number>> {
  const out = new Map<string, Record<string, number>>();
  for (const c of cells) {
    const cur = out.get(cellKey(c)) ?? {};
    for (const [f, v] of Object.entries(c.fields)) if (v !== 0) cur[f] = (cur[f] ?? 0) + v;
    out.set(cellKey(c), cur);
  }
  for (const [k, v] of out) if (Object.keys(v).length === 0) out.delete(k);
  return out;
}

/** The stored rollups of the test's pages for one period, without zero fields (the order fields only: no chat happens here). */
async function storedCells(period: 'D' | 'W' | 'M'): Promise<Map<string, Record<string, number>>> {
  const key = period === 'D' ? TODAY : '0000';
  const out = new Map<string, Record<string, number>>();
  for (const page of [PAGE_A, PAGE_B, NO_PAGE])
    for (const scope of ['P', 'S', 'A'] as const)
      for (const item of await getRollups(SHOP, page, scope, period, key, period === 'D' ? TODAY : '9999')) {
        const fields = Object.fromEntries(Object.entries(item.fields).filter(([, v]) => v !== 0));
        if (Object.keys(fields).length === 0) continue;
        const k = cellKey({ page, scope, entity: item.entity });
        expect(out.has(k), `${k} in one ${period} item only`).toBe(false);
        out.set(k, fields);
      }
  return out;
}

/** A small seeded generator, so a failing permutation can be replayed. */
function random(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

describe('edited orders: the newest body counts, once, whatever the arrival order', () => {
  let queues: LocalQueues;
  let stop: () => void;
  let key: string;
  let nextId = 990_000;
  const expected: Cell[] = [];
  const views: Array<{ orderId: string; life: Life; unique: string; run: string }> = [];

  const send = async (platform: Platform, body: unknown, topic: string) => {
    const raw = rawJson(body);
    const [sig, top] = HEADERS[platform];
    const res = await call(webhook, httpEvent({ method: 'POST', path: `/webhooks/orders/${platform}/${SHOP}`, body: raw, headers: { [sig]: orderSignature(raw, SECRETS[platform]), [top]: topic } }));
    // a stale or repeated body is acknowledged like any other: it is not an error
    expect(res.status, `${platform} ${topic}`).toBe(200);
  };

  beforeAll(async () => {
    await createTestTable();
    ({ queues, stop } = startTestQueues());
    await putShop(makeShop(SHOP, { pages: [{ pageId: PAGE_A, channel: 'facebook', name: 'A' }, { pageId: PAGE_B, channel: 'facebook', name: 'B' }] }));
    key = await createApiKey(SHOP);
    for (const [platform, secret] of Object.entries(SECRETS)) {
      const res = await call(admin, httpEvent({ method: 'PUT', path: `/v1/admin/shops/${SHOP}/order-webhooks/${platform}`, body: { secret }, headers: { authorization: `Bearer ${TEST_SECRETS.ADMIN_TOKEN}` } }));
      expect(res.status).toBe(204);
    }
  });
  afterAll(() => stop());

  const platforms: Platform[] = ['haravan', 'shopify', 'sapo'];

  it.each(platforms)('%s: each life in its true order under every topic, then permuted with repeats, ends with the same figures', async (platform) => {
    const rnd = random(platforms.indexOf(platform) + 7);
    for (const [li, life] of LIVES.entries()) {
      // the true order, each body under every topic (one delivery per body)
      {
        const id = ++nextId;
        const unique = `-${id}`;
        for (const step of life.steps) {
          for (const topic of [...USED, ...UNUSED]) await send(platform, bodyOf(platform, id, step, unique), topic);
          await queues.ingest.drain();
        }
        expected.push(...expectedCells(life, unique));
        views.push({ orderId: `${platform}:${id}`, life, unique, run: 'true order' });
      }
      // permutations with repeated bodies: one per delivery, all in one delivery, or in pairs
      for (let run = 0; run < 4; run++) {
        const id = ++nextId;
        const unique = `-${id}`;
        const bodies = life.steps.map((s) => bodyOf(platform, id, s, unique));
        const sequence = [...bodies, ...bodies.filter(() => rnd() < 0.5)];
        for (let i = sequence.length - 1; i > 0; i--) {
          const j = Math.floor(rnd() * (i + 1));
          [sequence[i], sequence[j]] = [sequence[j]!, sequence[i]!];
        }
        const mode = (['apart', 'together', 'pairs', 'together'] as const)[(run + li) % 4];
        for (const [i, body] of sequence.entries()) {
          await send(platform, body, USED[Math.floor(rnd() * USED.length)]!);
          if (mode === 'apart' || (mode === 'pairs' && i % 2 === 1)) await queues.ingest.drain();
        }
        await queues.ingest.drain();
        expected.push(...expectedCells(life, unique));
        views.push({ orderId: `${platform}:${id}`, life, unique, run: `${mode} ${sequence.map((b) => life.steps.findIndex((s) => s.v === (b.updated_at ?? b.modified_on))).join(',')}` });
      }
    }
    // each order shows its last body, wherever it started
    for (const { orderId, life, unique, run } of views.filter((v) => v.orderId.startsWith(platform))) {
      const res = await call(report, httpEvent({ method: 'GET', path: `/v1/shops/${SHOP}/orders/${orderId}`, headers: { authorization: `Bearer ${key}` } }));
      const last = life.steps[life.steps.length - 1]!;
      const named = [...life.steps].reverse().find((s) => s.notes)?.notes;
      expect(res.body, `${life.name}, ${run}`).toMatchObject({
        total: last.total,
        status: life.steps.some((s) => s.state === 'cancelled') ? 'cancelled' : life.steps.some((s) => s.state === 'delivered') ? 'delivered' : 'created',
        createdAt: CREATED,
        pageId: named?.page ?? null,
        conversation: named ? { pageId: named.page, customerId: named.customer.replace('#', unique), linkedBy: 'note_attributes' } : null,
        staff: { staffId: last.notes?.staff ?? 'unknown' },
        deliveredAt: life.steps.some((s) => s.state === 'delivered') ? DELIVERED : null,
      });
    }
    // and the rollups hold exactly the sum of the orders' last bodies (other platforms' orders included)
    const want = sumCells(expected);
    expect(Object.fromEntries(await storedCells('D'))).toEqual(Object.fromEntries(want));
  });

  it('the ISO week and the month hold the same figures as the day, and a rebuild from raw events gives them all again', async () => {
    const want = Object.fromEntries(sumCells(expected));
    expect(expected.length).toBe(2 * 3 * LIVES.length * 5);
    expect(Object.fromEntries(await storedCells('W'))).toEqual(want);
    expect(Object.fromEntries(await storedCells('M'))).toEqual(want);
    await rebuildRollups({ shopId: SHOP, from: TODAY, to: TODAY });
    expect(Object.fromEntries(await storedCells('D'))).toEqual(want);
    expect(Object.fromEntries(await storedCells('W'))).toEqual(want);
    expect(Object.fromEntries(await storedCells('M'))).toEqual(want);
  });
});
