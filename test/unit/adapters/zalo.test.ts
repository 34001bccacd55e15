import { describe, expect, it } from 'vitest';
import { normalizeZalo, zaloPageIds } from '#lib/adapters/zalo.ts';
import type { ShopContext } from '#lib/adapters/types.ts';
import { OA, makeZalo, makeZaloFollow, makeZaloSubmitInfo, makeZnsReceipt } from '#test/support/fixtures/platforms.ts';

const shops = new Map<string, ShopContext>([[OA, { shopId: 'hoa-mai', automationAppIds: [], staffAccounts: new Map([['admin-77', 'lan']]) }]]);
const AT = '2026-11-20T02:30:00.000Z'; // 09:30 in Hà Nội, the fixtures' timestamp

describe('zaloPageIds', () => {
  it('names the OA: recipient of user_send_*, sender of oa_send_*, oa_id of follow', () => {
    expect(zaloPageIds(makeZalo())).toEqual([OA]);
    expect(zaloPageIds(makeZalo({ event: 'oa_send_text' }))).toEqual([OA]);
    expect(zaloPageIds(makeZaloFollow())).toEqual([OA]);
  });

  it.each([[null], [[]], [{ timestamp: '1' }], [{ event_name: '' }], [{ event_name: 42 }]])(
    'throws a ValidationError for %j',
    (payload) => {
      expect(() => zaloPageIds(payload)).toThrowError(expect.objectContaining({ name: 'ValidationError', status: 400 }));
    },
  );
});

describe('normalizeZalo', () => {
  it('turns user_send_text into message.received with the phone, never the text', () => {
    const r = normalizeZalo(makeZalo({ text: 'số em 0912.345.678 nha' }), shops);
    expect(r).toEqual({
      events: [{ shopId: 'hoa-mai', event: { id: 'zalo:zmsg-001', kind: 'message.received', at: AT, pageId: OA, customerId: '2468135790', phone: '0912345678' } }],
      unknownPages: [],
      ignored: 0,
      invalid: [],
      knownCustomers: [],
      phones: [],
    });
    expect(JSON.stringify(r)).not.toContain('số em');
  });

  it('turns any user_send_* (image, sticker, …) into message.received', () => {
    const p = { ...makeZalo({ event: 'user_send_image', msgId: 'zimg-1' }), message: { msg_id: 'zimg-1', attachments: [{ type: 'image', payload: { url: 'https://x' } }] } };
    expect(normalizeZalo(p, shops).events).toEqual([
      { shopId: 'hoa-mai', event: { id: 'zalo:zimg-1', kind: 'message.received', at: AT, pageId: OA, customerId: '2468135790' } },
    ]);
  });

  it('accepts a numeric timestamp', () => {
    const p = { ...makeZalo(), timestamp: Date.parse('2026-11-20T09:30:00+07:00') };
    expect(normalizeZalo(p, shops).events[0]!.event.at).toBe(AT);
  });

  it('turns oa_send_* into reply.sent, staff from the admin account mapping', () => {
    expect(normalizeZalo(makeZalo({ event: 'oa_send_text', msgId: 'zr-1', adminId: 'admin-77' }), shops).events).toEqual([
      {
        shopId: 'hoa-mai',
        event: { id: 'zalo:zr-1', kind: 'reply.sent', at: AT, pageId: OA, customerId: '2468135790', via: 'message', automated: false, staffId: 'lan' },
      },
    ]);
  });

  it('leaves the staff unknown without an admin id or with an unmapped one', () => {
    const unknownStaff = { id: 'zalo:zr-2', kind: 'reply.sent', at: AT, pageId: OA, customerId: '2468135790', via: 'message', automated: false };
    expect(normalizeZalo(makeZalo({ event: 'oa_send_image', msgId: 'zr-2' }), shops).events[0]!.event).toEqual(unknownStaff);
    expect(normalizeZalo(makeZalo({ event: 'oa_send_text', msgId: 'zr-2', adminId: 'admin-99' }), shops).events[0]!.event).toEqual(unknownStaff);
    const emptyAdmin = makeZalo({ event: 'oa_send_text', msgId: 'zr-2' });
    emptyAdmin.sender = { id: OA, admin_id: '' } as typeof emptyAdmin.sender;
    expect(normalizeZalo(emptyAdmin, shops).events[0]!.event).toEqual(unknownStaff);
  });

  it('makes a follower known without a metric event', () => {
    expect(normalizeZalo(makeZaloFollow({ user: 'u-9' }), shops)).toEqual({
      events: [],
      unknownPages: [],
      ignored: 1,
      invalid: [],
      knownCustomers: [{ shopId: 'hoa-mai', pageId: OA, customerId: 'u-9', at: '2026-11-20T02:00:00.000Z' }],
      phones: [],
    });
  });

  it.each([['user_seen_message'], ['user_received_message'], ['unfollow'], ['user_send_group_text'], ['oa_send_group_text'], ['anonymous_send_text'], ['oa_send_anonymous_text']])(
    'ignores %s',
    (event) => {
      const p = event === 'unfollow' ? { ...makeZaloFollow(), event_name: 'unfollow' } : makeZalo({ event });
      expect(normalizeZalo(p, shops)).toEqual({ events: [], unknownPages: [], ignored: 1, invalid: [], knownCustomers: [], phones: [] });
    },
  );

  it('reports an OA no shop registered and emits nothing', () => {
    expect(normalizeZalo(makeZalo({ oa: '777' }), shops)).toEqual({ events: [], unknownPages: ['777'], ignored: 0, invalid: [], knownCustomers: [], phones: [] });
  });

  it('gives a redelivery the same id', () => {
    expect(normalizeZalo(makeZalo(), shops)).toEqual(normalizeZalo(makeZalo(), shops));
  });
});

describe('normalizeZalo: forms and ZNS receipts', () => {
  it('turns user_submit_info into a phone link for the customer, with when it was given, without a metric event', () => {
    // Zalo sends the phone as 84 + 9 digits; it links orders in the domestic form. The time decides
    // which conversation holds a phone several gave (the earliest).
    expect(normalizeZalo(makeZaloSubmitInfo({ user: 'u-5', phone: '84912345678' }), shops)).toMatchObject({
      events: [],
      invalid: [],
      phones: [{ shopId: 'hoa-mai', pageId: OA, customerId: 'u-5', phone: '0912345678', at: '2026-11-20T02:40:00.000Z' }],
    });
    expect(zaloPageIds(makeZaloSubmitInfo())).toEqual([OA]);
  });

  it('ignores a submitted phone that is no Vietnamese mobile number', () => {
    expect(normalizeZalo(makeZaloSubmitInfo({ phone: '12345' }), shops).phones).toEqual([]);
  });

  it('looks up no OA for a ZNS delivery receipt, whose recipient is the customer’s phone', () => {
    expect(zaloPageIds(makeZnsReceipt({ phone: '84987654321' }))).toEqual([]);
    const r = normalizeZalo(makeZnsReceipt({ phone: '84987654321' }), shops);
    expect(r).toMatchObject({ events: [], unknownPages: [], ignored: 1 });
    expect(JSON.stringify(r)).not.toContain('84987654321');
  });

  it.each([['1e20'], [1e20], [-1], ['abc'], [1732075200000.5], [null]])('drops an event whose timestamp is %j, naming the reason', (timestamp) => {
    const r = normalizeZalo({ ...makeZalo({ msgId: 'z-bad' }), timestamp }, shops);
    expect(r.events).toEqual([]);
    expect(r.invalid).toEqual([{ shopId: 'hoa-mai', id: 'z-bad', reason: 'timestamp: expected epoch milliseconds between 2000 and 2100' }]);
  });

  it.each([['user_seen_message'], ['user_received_message'], ['unfollow']])('ignores %s quietly whatever its timestamp (0, missing, not a number)', (event) => {
    for (const timestamp of ['0', 0, undefined, 'abc']) {
      const base = event === 'unfollow' ? { ...makeZaloFollow(), event_name: 'unfollow' } : makeZalo({ event });
      const r = normalizeZalo({ ...base, timestamp }, shops);
      expect(r).toEqual({ events: [], unknownPages: [], ignored: 1, invalid: [], knownCustomers: [], phones: [] });
    }
  });
});
