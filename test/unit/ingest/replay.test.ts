import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '#lib/events/schema.ts';
import { rulesOf } from '#lib/ingest/context.ts';
import { replayCells } from '#lib/ingest/replay.ts';
import { itemId } from '#lib/rollups/cells.ts';
import { makeShop } from '#test/support/factories.ts';

const rules = rulesOf(
  makeShop('shop-r', {
    pages: [
      { pageId: 'fb', channel: 'facebook', name: 'Fanpage' },
      { pageId: 'zl', channel: 'zalo', name: 'OA' },
    ],
  }),
);
const order = { id: 'o1', kind: 'order.created', at: '2026-11-20T11:00:00+07:00', orderId: 'haravan:1', phone: '0912000001', total: 300000 } as const;
const pageDay = (pageId: string) => itemId({ pageId, scope: 'P', period: 'D', periodKey: '2026-11-20' });
const ordersOn = (events: StoredEvent[]) => {
  const cells = replayCells(rules, events);
  return Object.fromEntries(['fb', 'zl', '_'].map((p) => [p, cells.get(pageDay(p))?.get('ordersCreated') ?? 0]));
};

describe('replayCells: an order.created stored several times (moved to the earliest giver of its phone)', () => {
  const unlinked: StoredEvent = order;
  const onFb: StoredEvent = { ...order, pageId: 'fb', customerId: 'ca', phoneGivenAt: Date.parse('2026-11-20T10:00:00+07:00') };
  const onZl: StoredEvent = { ...order, pageId: 'zl', customerId: 'cb', phoneGivenAt: Date.parse('2026-11-20T09:00:00+07:00') };

  it('counts the order once, on the copy linked to the earliest giver, whatever order the copies are read in', () => {
    for (const copies of [
      [unlinked, onFb, onZl],
      [onZl, onFb, unlinked],
      [onFb, unlinked, onZl],
    ])
      expect(ordersOn(copies)).toEqual({ fb: 0, zl: 1, _: 0 });
  });

  it('prefers a linked copy to the unlinked one', () => {
    expect(ordersOn([unlinked, onFb])).toEqual({ fb: 1, zl: 0, _: 0 });
    expect(ordersOn([onFb, unlinked])).toEqual({ fb: 1, zl: 0, _: 0 });
    expect(ordersOn([unlinked])).toEqual({ fb: 0, zl: 0, _: 1 });
  });
});
