import type { CanonicalEvent, EventOf, ResolvedReply } from '#lib/events/schema.ts';
import type { ShopInput } from '#lib/shops/schema.ts';
import { shopInputSchema } from '#lib/shops/schema.ts';
import type { Shop } from '#lib/shops/schema.ts';

/** Fixture factories: a valid object with the given overrides. */
let seq = 0;
export const nextId = (prefix = 'ev') => `${prefix}-${++seq}-${Math.random().toString(36).slice(2, 8)}`;

export function makeShop(shopId: string, overrides: Partial<ShopInput> = {}): Shop {
  const input: ShopInput = {
    name: 'Shop Hoa Mai',
    pages: [
      { pageId: 'page-fb', channel: 'facebook', name: 'Hoa Mai Fanpage' },
      { pageId: 'page-ig', channel: 'instagram', name: 'hoamai.ig' },
    ],
    staff: [
      { staffId: 'lan', name: 'Nguyễn Thị Lan' },
      { staffId: 'minh', name: 'Trần Văn Minh' },
    ],
    recipients: [{ email: 'owner@hoamai.vn', daily: true, weekly: true }],
    ...overrides,
  };
  return { ...shopInputSchema.parse(input), shopId, updatedAt: '2026-11-01T00:00:00.000Z' };
}

type Without<K extends CanonicalEvent['kind']> = Omit<EventOf<K>, 'kind' | 'id'> & { id?: string };

export const makeMessage = (o: Partial<Without<'message.received'>> = {}): EventOf<'message.received'> => ({
  id: nextId('msg'),
  kind: 'message.received',
  at: '2026-11-20T10:00:00+07:00',
  pageId: 'page-fb',
  customerId: 'cust-1',
  ...o,
});

export const makeComment = (o: Partial<Without<'comment.received'>> = {}): EventOf<'comment.received'> => ({
  id: nextId('cmt'),
  kind: 'comment.received',
  at: '2026-11-20T10:00:00+07:00',
  pageId: 'page-fb',
  customerId: 'cust-1',
  ...o,
});

export const makeReply = (o: Partial<Without<'reply.sent'>> = {}): ResolvedReply => ({
  id: nextId('rep'),
  kind: 'reply.sent',
  at: '2026-11-20T10:05:00+07:00',
  pageId: 'page-fb',
  customerId: 'cust-1',
  via: 'message',
  automated: false,
  ...o,
}) as ResolvedReply;

export const makeOrder = (o: Partial<Without<'order.created'>> = {}): EventOf<'order.created'> => ({
  id: nextId('ord'),
  kind: 'order.created',
  at: '2026-11-20T11:00:00+07:00',
  orderId: nextId('o'),
  pageId: 'page-fb',
  customerId: 'cust-1',
  total: 250000,
  ...o,
});

export const makeOrderTransition = (
  kind: 'order.cancelled' | 'order.delivered' | 'order.returned',
  orderId: string,
  at: string,
  id?: string,
): EventOf<typeof kind> => ({ id: id ?? nextId(kind), kind, at, orderId }) as EventOf<typeof kind>;
