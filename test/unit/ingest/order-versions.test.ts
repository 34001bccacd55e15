import { describe, expect, it } from 'vitest';
import type { EventOf, OrderEvent, StoredEvent } from '#lib/events/schema.ts';
import { rulesOf } from '#lib/ingest/context.ts';
import { applyOrderEvent, emptyOrder, type OrderState } from '#lib/ingest/order.ts';
import { replayCells } from '#lib/ingest/replay.ts';
import { itemId } from '#lib/rollups/cells.ts';
import { makeShop } from '#test/support/factories.ts';

const rules = rulesOf(makeShop('shop-v', { pages: [{ pageId: 'fb', channel: 'facebook', name: 'Fanpage' }, { pageId: 'zl', channel: 'zalo', name: 'OA' }] }));
const created = (updatedAt: string | undefined, over: Partial<EventOf<'order.created'>> = {}): EventOf<'order.created'> => ({
  id: 'haravan:9:created',
  kind: 'order.created',
  at: '2026-11-20T11:00:00+07:00',
  orderId: 'haravan:9',
  total: 100_000,
  ...(updatedAt ? { updatedAt } : {}),
  ...over,
});
/** Applies events in order as ingest does: an event's own note link is the link it is offered. */
const apply = (events: OrderEvent[]) =>
  events.reduce<OrderState>(
    (o, e) => applyOrderEvent(o, e, rules, e.kind === 'order.created' ? { ...(e.pageId ? { pageId: e.pageId } : {}), ...(e.customerId ? { customerId: e.customerId } : {}), ...(e.adId ? { adId: e.adId } : {}) } : {}),
    emptyOrder('shop-v', 'haravan:9'),
  );

describe('applyOrderEvent: versions of an order', () => {
  it('takes the content of a newer version whole: a cost, staff or ad the newer body no longer names is gone', () => {
    const v1 = created('2026-11-20T04:10:00Z', { total: 100_000, cost: 60_000, staffId: 'lan', adId: 'ad-1', referralCode: 'R1' });
    const v2 = created('2026-11-20T04:20:00Z', { total: 150_000 });
    const o = apply([v1, v2]);
    expect(o).toMatchObject({ totalMinor: 150_000, version: Date.parse('2026-11-20T04:20:00Z') });
    expect(o).not.toHaveProperty('costMinor');
    expect(o).not.toHaveProperty('staffId');
    expect(o).not.toHaveProperty('adId');
    expect(o).not.toHaveProperty('referralCode');
  });

  it('returns the same state for an older or equal version (a duplicate), and without updatedAt the version is the creation time', () => {
    const v2 = apply([created('2026-11-20T04:20:00Z', { total: 150_000 })]);
    expect(applyOrderEvent(v2, created('2026-11-20T04:10:00Z', { total: 1 }), rules, {})).toBe(v2);
    expect(applyOrderEvent(v2, created('2026-11-20T04:20:00Z', { total: 2 }), rules, {})).toBe(v2);
    const legacy = apply([created(undefined, { total: 5 })]);
    expect(legacy.version).toBe(Date.parse('2026-11-20T11:00:00+07:00'));
    expect(applyOrderEvent(legacy, created(undefined, { total: 6 }), rules, {})).toBe(legacy);
    // an item written before versions (no `version`) counts as its creation time: any later edit replaces it
    const { version: _v, ...old } = legacy;
    expect(applyOrderEvent(old, created('2026-11-20T04:30:00Z', { total: 7 }), rules, {}).totalMinor).toBe(7);
  });

  it('keeps each transition at the earliest time a body showed it, whatever the order', () => {
    const d = (at: string): OrderEvent => ({ id: 'haravan:9:delivered', kind: 'order.delivered', at, orderId: 'haravan:9' });
    const early = '2026-11-21T01:00:00Z';
    const late = '2026-11-22T01:00:00Z';
    expect(apply([d(late), d(early)]).deliveredAt).toBe(Date.parse(early));
    expect(apply([d(early), d(late)]).deliveredAt).toBe(Date.parse(early));
    const once = apply([d(early)]);
    expect(applyOrderEvent(once, d(late), rules, {})).toBe(once);
  });

  it('links to the conversation the newest body naming one names, in any order; a newer body naming none keeps it', () => {
    const a = created('2026-11-20T04:10:00Z', { pageId: 'fb', customerId: 'c1' });
    const b = created('2026-11-20T04:20:00Z', { pageId: 'zl', customerId: 'c2', total: 200_000 });
    const none = created('2026-11-20T04:30:00Z', { total: 300_000 });
    for (const order of [
      [a, b, none],
      [none, b, a],
      [b, none, a],
      [none, a, b],
    ]) {
      const o = apply(order);
      expect(o, order.map((e) => e.updatedAt).join()).toMatchObject({ pageId: 'zl', customerId: 'c2', linkedBy: 'note_attributes', totalMinor: 300_000 });
    }
  });
});

describe('replayCells: the copies of an edited order', () => {
  const day = (pageId: string) => itemId({ pageId, scope: 'P', period: 'D', periodKey: '2026-11-20' });
  const figures = (events: StoredEvent[]) => {
    const cells = replayCells(rules, events);
    return Object.fromEntries(['fb', 'zl', '_'].map((p) => [p, { n: cells.get(day(p))?.get('ordersCreated') ?? 0, revenue: cells.get(day(p))?.get('revenueMinor') ?? 0 }]));
  };

  it("counts the newest version's amount once, on the conversation of the newest copy that named one, in any read order", () => {
    // stored as ingest stores them: each with the link it was applied with; `noteLink` when its own note attributes named it
    const v1: StoredEvent = { ...created('2026-11-20T04:10:00Z', { total: 100_000 }), pageId: 'fb', customerId: 'c1', noteLink: true };
    const v2: StoredEvent = { ...created('2026-11-20T04:20:00Z', { total: 200_000 }), pageId: 'zl', customerId: 'c2', noteLink: true };
    // version 3 names no conversation: stored with the link the order had
    const v3: StoredEvent = { ...created('2026-11-20T04:30:00Z', { total: 300_000 }), pageId: 'zl', customerId: 'c2' };
    const want = { fb: { n: 0, revenue: 0 }, zl: { n: 1, revenue: 300_000 }, _: { n: 0, revenue: 0 } };
    for (const copies of [
      [v1, v2, v3],
      [v3, v2, v1],
      [v2, v3, v1],
    ])
      expect(figures(copies)).toEqual(want);
  });
});
