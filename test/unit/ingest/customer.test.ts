import { describe, expect, it } from 'vitest';
import type { ConversationEvent } from '#lib/events/schema.ts';
import { rulesOf } from '#lib/ingest/context.ts';
import { applyConversationEvents, attributedAd, deriveCustomer, emptyCustomer, entryOf, waitsOf, type CustomerState } from '#lib/ingest/customer.ts';
import { itemId, type Cells, type ItemRef } from '#lib/rollups/cells.ts';
import { makeComment, makeMessage, makeReply, makeShop } from '#test/support/factories.ts';

// Default shop: Asia/Ho_Chi_Minh, Mon–Sun 08:00–22:00, SLA 15 working minutes,
// shifts morning 08–12 / afternoon 12–18 / evening 18–22, attribution 7 days.
const rules = rulesOf(makeShop('shop-c'));
const PAGE = 'page-fb';
const ms = (iso: string) => Date.parse(iso);
const DAY = 86_400_000;

const stateOf = (events: ConversationEvent[]): CustomerState => applyConversationEvents(emptyCustomer('shop-c', PAGE, 'cust-1'), events).state;
const id = (scope: ItemRef['scope'], period: ItemRef['period'], periodKey: string, entity?: string) =>
  itemId({ pageId: PAGE, scope, period, periodKey, ...(entity !== undefined ? { entity } : {}) });
const asObject = (cells: Cells) => Object.fromEntries([...cells].map(([k, f]) => [k, Object.fromEntries(f)]));
const fieldsOf = (cells: Cells, item: string) => Object.fromEntries(cells.get(item) ?? []);

describe('waitsOf', () => {
  it('opens a wait at the first inbound with none open and closes it at the next reply', () => {
    const s = stateOf([
      makeMessage({ id: 'm1', at: '2026-11-20T10:00:00+07:00' }),
      makeMessage({ id: 'm2', at: '2026-11-20T10:02:00+07:00' }), // same wait
      makeReply({ id: 'r1', at: '2026-11-20T10:05:00+07:00', staffId: 'lan' }),
      makeReply({ id: 'r2', at: '2026-11-20T10:06:00+07:00', staffId: 'minh' }), // nothing open
      makeComment({ id: 'c1', at: '2026-11-20T11:00:00+07:00' }),
      makeReply({ id: 'r3', at: '2026-11-20T11:00:30+07:00', via: 'comment', automated: true }),
      makeMessage({ id: 'm3', at: '2026-11-20T12:00:00+07:00' }),
      makeReply({ id: 'r4', at: '2026-11-20T12:10:00+07:00' }), // no staffId
      makeMessage({ id: 'm4', at: '2026-11-20T13:00:00+07:00' }), // still open
    ]);
    expect(waitsOf(s.entries)).toEqual([
      { openedAt: ms('2026-11-20T10:00:00+07:00'), closedAt: ms('2026-11-20T10:05:00+07:00'), by: 'lan' },
      { openedAt: ms('2026-11-20T11:00:00+07:00'), closedAt: ms('2026-11-20T11:00:30+07:00'), by: 'automated' },
      { openedAt: ms('2026-11-20T12:00:00+07:00'), closedAt: ms('2026-11-20T12:10:00+07:00'), by: 'unknown' },
      { openedAt: ms('2026-11-20T13:00:00+07:00') },
    ]);
  });

  it('opens nothing for a reply with no inbound before it, and ignores referral entries', () => {
    const s = stateOf([
      makeReply({ id: 'r1', at: '2026-11-20T09:00:00+07:00', staffId: 'lan' }),
      { id: 'j1', kind: 'referral.joined', at: '2026-11-20T09:30:00+07:00', pageId: PAGE, customerId: 'cust-1', code: 'X' },
    ]);
    expect(waitsOf(s.entries)).toEqual([]);
  });

  it('gives the same waits whatever the arrival order, and duplicates are applied once', () => {
    const evs = [
      makeMessage({ id: 'm1', at: '2026-11-20T10:00:00+07:00' }),
      makeReply({ id: 'r1', at: '2026-11-20T10:05:00+07:00', staffId: 'lan' }),
      makeMessage({ id: 'm2', at: '2026-11-20T10:07:00+07:00' }),
    ];
    const forward = stateOf(evs);
    const backward = applyConversationEvents(stateOf([evs[2]!, evs[0]!]), [evs[1]!, evs[0]!, evs[2]!]).state;
    expect(backward.entries).toEqual(forward.entries);
    expect(waitsOf(backward.entries)).toEqual([
      { openedAt: ms('2026-11-20T10:00:00+07:00'), closedAt: ms('2026-11-20T10:05:00+07:00'), by: 'lan' },
      { openedAt: ms('2026-11-20T10:07:00+07:00') },
    ]);
  });
});

describe('attributedAd', () => {
  const T0 = ms('2026-11-10T10:00:00+07:00');
  const W = rules.attributionWindowMs; // 7 days
  const s = stateOf([
    makeMessage({ id: 'm1', at: '2026-11-10T10:00:00+07:00', adId: 'ad-1' }),
    makeMessage({ id: 'm2', at: '2026-11-11T10:00:00+07:00' }), // no ad: does not end the attribution
    makeComment({ id: 'c1', at: '2026-11-12T10:00:00+07:00' }),
  ]);

  it('is the last ad referral at or before t within the window', () => {
    expect(W).toBe(7 * DAY);
    expect(attributedAd(s, T0 - 1, W)).toBeUndefined(); // before the referral
    expect(attributedAd(s, T0, W)).toBe('ad-1'); // at it
    expect(attributedAd(s, T0 + 6 * DAY, W)).toBe('ad-1');
    expect(attributedAd(s, T0 + 7 * DAY, W)).toBe('ad-1'); // exactly 7 days: still inside
    expect(attributedAd(s, T0 + 7 * DAY + 1, W)).toBeUndefined(); // 1 ms later: outside
  });

  it('switches to a newer ad referral', () => {
    const two = stateOf([
      makeMessage({ id: 'm1', at: '2026-11-10T10:00:00+07:00', adId: 'ad-1' }),
      makeMessage({ id: 'm2', at: '2026-11-13T10:00:00+07:00', adId: 'ad-2' }),
    ]);
    expect(attributedAd(two, T0 + 2 * DAY, W)).toBe('ad-1');
    expect(attributedAd(two, T0 + 4 * DAY, W)).toBe('ad-2');
    // 8 days after ad-1 but 5 after ad-2
    expect(attributedAd(two, T0 + 8 * DAY, W)).toBe('ad-2');
    expect(attributedAd(two, T0 + 10 * DAY + 1, W)).toBeUndefined();
  });

  it('uses the ad carried over from pruned entries', () => {
    const carried = { entries: [], carry: { marks: [], ad: { ad: 'ad-0', t: T0 } } };
    expect(attributedAd(carried, T0 + DAY, W)).toBe('ad-0');
    expect(attributedAd(carried, T0 - 1, W)).toBeUndefined();
    expect(attributedAd(carried, T0 + 7 * DAY + 1, W)).toBeUndefined();
    // a newer referral in the timeline wins over the carried one
    const both = { entries: [entryOf(makeMessage({ id: 'm9', at: '2026-11-12T10:00:00+07:00', adId: 'ad-9' }))], carry: carried.carry };
    expect(attributedAd(both, T0 + 3 * DAY, W)).toBe('ad-9');
  });
});

describe('deriveCustomer', () => {
  it('marks a customer with messages on two local days once per week and month', () => {
    // 23:30 and 00:10 local are 16:30Z and 17:10Z of the same UTC day, but two local days
    // 2026-11-20 (Fri) and 2026-11-21 (Sat) are both in ISO week 2026-W47
    const cells = deriveCustomer(
      stateOf([makeMessage({ id: 'm1', at: '2026-11-20T23:30:00+07:00' }), makeMessage({ id: 'm2', at: '2026-11-21T00:10:00+07:00' })]),
      rules,
    );
    const both = { messagesReceived: 2, customersReached: 1, messageConversations: 1, newCustomers: 1, hm23: 1, hm00: 1, hr23: 1, hr00: 1 };
    expect(asObject(cells)).toEqual({
      [id('P', 'D', '2026-11-20')]: { messagesReceived: 1, customersReached: 1, messageConversations: 1, newCustomers: 1, hm23: 1, hr23: 1 },
      [id('P', 'D', '2026-11-21')]: { messagesReceived: 1, customersReached: 1, messageConversations: 1, hm00: 1, hr00: 1 },
      [id('P', 'W', '2026-W47')]: both,
      [id('P', 'M', '2026-11')]: both,
    });
  });

  it('books a staff reply: cared, replies, answered, response time', () => {
    const cells = deriveCustomer(
      stateOf([makeMessage({ id: 'm1', at: '2026-11-20T10:00:00+07:00' }), makeReply({ id: 'r1', at: '2026-11-20T10:05:00+07:00', staffId: 'lan' })]),
      rules,
    );
    expect(fieldsOf(cells, id('P', 'D', '2026-11-20'))).toEqual({
      messagesReceived: 1,
      customersReached: 1,
      messageConversations: 1,
      customersCared: 1,
      cohortCared: 1, // reached and replied to the same day
      newCustomers: 1,
      hm10: 1,
      hr10: 1,
    });
    // 300 s falls in the bucket (240, 300] = rt09; within the 15 min SLA, wait began 10:00 (morning)
    const staff = { messageReplies: 1, conversationsAnswered: 1, rtSum: 300, rtCount: 1, rt09: 1, slaMet: 1, 'slaWaits:morning': 1, 'slaMet:morning': 1 };
    expect(fieldsOf(cells, id('S', 'D', '2026-11-20', 'lan'))).toEqual(staff);
    expect(fieldsOf(cells, id('S', 'W', '2026-W47', 'lan'))).toEqual(staff);
    expect(fieldsOf(cells, id('S', 'M', '2026-11', 'lan'))).toEqual(staff);
    expect(cells.has(id('S', 'D', '2026-11-20', 'unknown'))).toBe(false);
  });

  it("books an automated reply under 'automated'", () => {
    const cells = deriveCustomer(
      stateOf([
        makeComment({ id: 'c1', at: '2026-11-20T10:00:00+07:00' }),
        makeReply({ id: 'r1', at: '2026-11-20T10:00:10+07:00', via: 'comment', automated: true, staffId: 'lan' }),
      ]),
      rules,
    );
    expect(fieldsOf(cells, id('P', 'D', '2026-11-20'))).toEqual({ commentsReceived: 1, customersReached: 1, customersCared: 1, cohortCared: 1, newCustomers: 1, hc10: 1, hr10: 1 });
    // 10 s: bucket (0, 15] = rt01; automated even though a staffId was sent
    expect(fieldsOf(cells, id('S', 'D', '2026-11-20', 'automated'))).toEqual({ commentReplies: 1, conversationsAnswered: 1, rtSum: 10, rtCount: 1, rt01: 1, slaMet: 1, 'slaWaits:morning': 1, 'slaMet:morning': 1 });
    expect(cells.has(id('S', 'D', '2026-11-20', 'lan'))).toBe(false);
  });

  it("books a reply without staff under 'unknown', and a late one as missed", () => {
    const cells = deriveCustomer(
      stateOf([makeMessage({ id: 'm1', at: '2026-11-20T10:00:00+07:00' }), makeReply({ id: 'r1', at: '2026-11-20T10:20:00+07:00' })]),
      rules,
    );
    // 1200 s: bucket (900, 1200] = rt13; SLA expired 10:15 (morning) < reply 10:20
    expect(fieldsOf(cells, id('S', 'D', '2026-11-20', 'unknown'))).toEqual({
      messageReplies: 1,
      conversationsAnswered: 1,
      rtSum: 1200,
      rtCount: 1,
      rt13: 1,
      missed: 1,
      'missed:morning': 1,
      'slaWaits:morning': 1, // a closed wait of the morning shift, not within the SLA
    });
  });

  describe('missed waits go to the shift in which the SLA ran out', () => {
    const missedOf = (msgAt: string, replyAt: string) =>
      deriveCustomer(stateOf([makeMessage({ id: 'm1', at: msgAt }), makeReply({ id: 'r1', at: replyAt, staffId: 'minh' })]), rules);
    const missedFields = (cells: Cells, day: string) =>
      Object.fromEntries(Object.entries(fieldsOf(cells, id('S', 'D', day, 'minh'))).filter(([k]) => k.startsWith('missed')));

    it('opened in the morning, expired in the afternoon → afternoon', () => {
      // 11:50 + 15 min = 12:05
      expect(missedFields(missedOf('2026-11-20T11:50:00+07:00', '2026-11-20T12:30:00+07:00'), '2026-11-20')).toEqual({ missed: 1, 'missed:afternoon': 1 });
    });
    it('opened and expired in the morning, answered in the afternoon → morning', () => {
      // 11:40 + 15 min = 11:55
      expect(missedFields(missedOf('2026-11-20T11:40:00+07:00', '2026-11-20T12:30:00+07:00'), '2026-11-20')).toEqual({ missed: 1, 'missed:morning': 1 });
    });
    it('expired at 18:05 → evening', () => {
      expect(missedFields(missedOf('2026-11-20T17:50:00+07:00', '2026-11-20T18:10:00+07:00'), '2026-11-20')).toEqual({ missed: 1, 'missed:evening': 1 });
    });
    it('opened at 21:50, expired 08:05 next morning → morning of the next day, response time in working seconds', () => {
      const cells = missedOf('2026-11-20T21:50:00+07:00', '2026-11-21T09:00:00+07:00');
      expect(missedFields(cells, '2026-11-20')).toEqual({});
      expect(missedFields(cells, '2026-11-21')).toEqual({ missed: 1, 'missed:morning': 1 });
      // 21:50–22:00 + 08:00–09:00 = 70 min, booked on the day of the reply
      expect(fieldsOf(cells, id('S', 'D', '2026-11-21', 'minh')).rtSum).toBe(4200);
    });
    it('a reply exactly at the SLA expiry is not missed; one second later is', () => {
      const onTime = missedOf('2026-11-20T10:00:00+07:00', '2026-11-20T10:15:00+07:00');
      expect(missedFields(onTime, '2026-11-20')).toEqual({});
      expect(fieldsOf(onTime, id('S', 'D', '2026-11-20', 'minh'))).toMatchObject({ rtSum: 900, rt12: 1 });
      const late = missedOf('2026-11-20T10:00:00+07:00', '2026-11-20T10:15:01+07:00');
      expect(missedFields(late, '2026-11-20')).toEqual({ missed: 1, 'missed:morning': 1 });
      expect(fieldsOf(late, id('S', 'D', '2026-11-20', 'minh'))).toMatchObject({ rtSum: 901, rt13: 1 });
    });
    it('a wait opened at night counts its SLA from opening time', () => {
      // 23:00 → SLA 08:15; answered 08:10 next day: 10 working minutes, not missed, booked on 11-21;
      // its working time began at 08:00, so it is a morning-shift wait within the SLA
      const cells = missedOf('2026-11-20T23:00:00+07:00', '2026-11-21T08:10:00+07:00');
      expect(fieldsOf(cells, id('S', 'D', '2026-11-21', 'minh'))).toEqual({
        messageReplies: 1, conversationsAnswered: 1, rtSum: 600, rtCount: 1, rt11: 1, slaMet: 1, 'slaWaits:morning': 1, 'slaMet:morning': 1,
      });
    });
  });

  describe('split shifts and closed dates', () => {
    // 08:00–11:30 and 13:30–21:00 every day, closed Saturday 2026-11-21, SLA 15 min, default shifts
    const split = rulesOf(
      makeShop('shop-c', {
        workingHours: [
          { days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], start: '08:00', end: '11:30' },
          { days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], start: '13:30', end: '21:00' },
        ],
        closedDates: ['2026-11-21'],
      }),
    );
    const waitOf = (msgAt: string, replyAt: string) =>
      deriveCustomer(stateOf([makeMessage({ id: 'm1', at: msgAt }), makeReply({ id: 'r1', at: replyAt, staffId: 'minh' })]), split);

    it('a wait across the lunch break counts only working minutes and misses in the afternoon', () => {
      // Fri 11:25 → 13:45: 11:25–11:30 (5 min) + 13:30–13:45 (15 min) = 1200 s (rt13);
      // SLA: 5 min by 11:30, 10 more by 13:40 < 13:45 → missed, expired in the afternoon; the wait began 11:25 (morning)
      expect(fieldsOf(waitOf('2026-11-20T11:25:00+07:00', '2026-11-20T13:45:00+07:00'), id('S', 'D', '2026-11-20', 'minh'))).toEqual({
        messageReplies: 1, conversationsAnswered: 1, rtSum: 1200, rtCount: 1, rt13: 1, missed: 1, 'missed:afternoon': 1, 'slaWaits:morning': 1,
      });
    });

    it('a closed date holds no working time: Friday evening to Sunday morning is 10 minutes', () => {
      // Fri 20:55 → Sun 08:05: 20:55–21:00 (5 min) + Sun 08:00–08:05 (5 min) = 600 s (rt11); SLA runs to Sun 08:10 → met;
      // began 20:55 (evening); booked on Sunday 2026-11-22, the day of the reply
      const cells = waitOf('2026-11-20T20:55:00+07:00', '2026-11-22T08:05:00+07:00');
      expect(fieldsOf(cells, id('S', 'D', '2026-11-22', 'minh'))).toEqual({
        messageReplies: 1, conversationsAnswered: 1, rtSum: 600, rtCount: 1, rt11: 1, slaMet: 1, 'slaWaits:evening': 1, 'slaMet:evening': 1,
      });
      // the same wait with Saturday open counts Saturday's 11 h (3 h 30 + 7 h 30) and is missed: its SLA ran out Saturday 08:10 (morning)
      const open = deriveCustomer(stateOf([makeMessage({ id: 'm1', at: '2026-11-20T20:55:00+07:00' }), makeReply({ id: 'r1', at: '2026-11-22T08:05:00+07:00', staffId: 'minh' })]), { ...split, closedDates: [] });
      expect(fieldsOf(open, id('S', 'D', '2026-11-22', 'minh')).rtSum).toBe(600 + 11 * 3600);
      expect(fieldsOf(open, id('S', 'D', '2026-11-21', 'minh'))).toEqual({ missed: 1, 'missed:morning': 1 });
    });
  });

  it('counts the hour of the first inbound of each local day in hr<HH>', () => {
    const cells = deriveCustomer(
      stateOf([
        makeComment({ id: 'c1', at: '2026-11-20T09:10:00+07:00' }),
        makeMessage({ id: 'm1', at: '2026-11-20T09:40:00+07:00' }),
        makeMessage({ id: 'm2', at: '2026-11-20T14:00:00+07:00' }),
        makeMessage({ id: 'm3', at: '2026-11-21T20:00:00+07:00' }),
      ]),
      rules,
    );
    const hours = (item: string) => Object.fromEntries(Object.entries(fieldsOf(cells, item)).filter(([k]) => /^h[mcr]\d\d$/.test(k)));
    expect(hours(id('P', 'D', '2026-11-20'))).toEqual({ hc09: 1, hm09: 1, hm14: 1, hr09: 1 });
    expect(hours(id('P', 'D', '2026-11-21'))).toEqual({ hm20: 1, hr20: 1 });
    // week and month add the days up
    expect(hours(id('P', 'W', '2026-W47'))).toEqual({ hc09: 1, hm09: 1, hm14: 1, hm20: 1, hr09: 1, hr20: 1 });
    expect(hours(id('P', 'M', '2026-11'))).toEqual({ hc09: 1, hm09: 1, hm14: 1, hm20: 1, hr09: 1, hr20: 1 });
  });

  it('credits an ad referral with conversationsStarted, and reach within the window only', () => {
    // 2026-11-10 (Tue) and 11-15 (Sun) are in 2026-W46; 11-17 and 11-18 in 2026-W47
    const cells = deriveCustomer(
      stateOf([
        makeMessage({ id: 'm1', at: '2026-11-10T10:00:00+07:00', adId: 'ad-1' }),
        makeComment({ id: 'c1', at: '2026-11-15T10:00:00+07:00' }),
        makeMessage({ id: 'm2', at: '2026-11-17T10:00:00+07:00' }), // exactly 7 days: inside
        makeMessage({ id: 'm3', at: '2026-11-18T10:00:00+07:00' }), // 8 days: outside
      ]),
      rules,
    );
    const adItems = Object.fromEntries(Object.entries(asObject(cells)).filter(([k]) => k.includes('\u0001A\u0001')));
    expect(adItems).toEqual({
      [id('A', 'D', '2026-11-10', 'ad-1')]: { conversationsStarted: 1, customersReached: 1 },
      [id('A', 'D', '2026-11-15', 'ad-1')]: { customersReached: 1 },
      [id('A', 'D', '2026-11-17', 'ad-1')]: { customersReached: 1 },
      [id('A', 'W', '2026-W46', 'ad-1')]: { conversationsStarted: 1, customersReached: 1 },
      [id('A', 'W', '2026-W47', 'ad-1')]: { customersReached: 1 },
      [id('A', 'M', '2026-11', 'ad-1')]: { conversationsStarted: 1, customersReached: 1 },
    });
  });

  it('counts every ad referral message as a conversation started, and reach moves to the newer ad', () => {
    const cells = deriveCustomer(
      stateOf([
        makeMessage({ id: 'm1', at: '2026-11-16T10:00:00+07:00', adId: 'ad-1' }),
        makeMessage({ id: 'm2', at: '2026-11-16T11:00:00+07:00', adId: 'ad-1' }),
        makeMessage({ id: 'm3', at: '2026-11-17T10:00:00+07:00', adId: 'ad-2' }),
        makeMessage({ id: 'm4', at: '2026-11-18T10:00:00+07:00' }),
      ]),
      rules,
    );
    expect(fieldsOf(cells, id('A', 'D', '2026-11-16', 'ad-1'))).toEqual({ conversationsStarted: 2, customersReached: 1 });
    expect(fieldsOf(cells, id('A', 'D', '2026-11-17', 'ad-2'))).toEqual({ conversationsStarted: 1, customersReached: 1 });
    expect(fieldsOf(cells, id('A', 'D', '2026-11-18', 'ad-2'))).toEqual({ customersReached: 1 });
    expect(cells.has(id('A', 'D', '2026-11-17', 'ad-1'))).toBe(false);
    expect(cells.has(id('A', 'D', '2026-11-18', 'ad-1'))).toBe(false);
    expect(fieldsOf(cells, id('A', 'W', '2026-W47', 'ad-1'))).toEqual({ conversationsStarted: 2, customersReached: 1 });
  });

  it('an attribution-only referral (SPEC §1.1) starts a conversation for its ad but is no message: no reach, no wait, no new customer, no hour', () => {
    const referral = makeMessage({ id: 'ref1', at: '2026-11-16T09:58:00+07:00', adId: 'ad-1', attributionOnly: true });
    const alone = stateOf([referral]);
    expect(waitsOf(alone.entries)).toEqual([]);
    expect(alone.first).toBeUndefined();
    expect(asObject(deriveCustomer(alone, rules))).toEqual({
      [id('A', 'D', '2026-11-16', 'ad-1')]: { conversationsStarted: 1 },
      [id('A', 'W', '2026-W47', 'ad-1')]: { conversationsStarted: 1 },
      [id('A', 'M', '2026-11', 'ad-1')]: { conversationsStarted: 1 },
    });
    // the customer writes 2 days later: reached then, credited to the ad within the window, and the wait opens at the message
    const wrote = stateOf([referral, makeMessage({ id: 'm1', at: '2026-11-18T10:00:00+07:00' }), makeReply({ id: 'r1', at: '2026-11-18T10:05:00+07:00', staffId: 'lan' })]);
    expect(waitsOf(wrote.entries)).toEqual([{ openedAt: ms('2026-11-18T10:00:00+07:00'), closedAt: ms('2026-11-18T10:05:00+07:00'), by: 'lan' }]);
    expect(wrote.first).toBe(ms('2026-11-18T10:00:00+07:00'));
    const cells = deriveCustomer(wrote, rules);
    expect(fieldsOf(cells, id('P', 'D', '2026-11-16'))).toEqual({});
    expect(fieldsOf(cells, id('P', 'D', '2026-11-18'))).toMatchObject({ messagesReceived: 1, customersReached: 1, newCustomers: 1 });
    expect(fieldsOf(cells, id('A', 'D', '2026-11-18', 'ad-1'))).toEqual({ customersReached: 1 });
    expect(fieldsOf(cells, id('A', 'W', '2026-W47', 'ad-1'))).toEqual({ conversationsStarted: 1, customersReached: 1 });
    expect(attributedAd(wrote, ms('2026-11-18T12:00:00+07:00'), rules.attributionWindowMs)).toBe('ad-1');
  });

  it('marks newCustomers on the day of the first inbound only', () => {
    const cells = deriveCustomer(
      stateOf([makeMessage({ id: 'm1', at: '2026-11-30T21:00:00+07:00' }), makeMessage({ id: 'm2', at: '2026-12-01T09:00:00+07:00' })]),
      rules,
    );
    expect(fieldsOf(cells, id('P', 'D', '2026-11-30')).newCustomers).toBe(1);
    expect(fieldsOf(cells, id('P', 'D', '2026-12-01')).newCustomers).toBeUndefined();
    expect(fieldsOf(cells, id('P', 'M', '2026-11')).newCustomers).toBe(1);
    expect(fieldsOf(cells, id('P', 'M', '2026-12')).newCustomers).toBeUndefined();
    // both days are in 2026-W49 (Mon 11-30 … Sun 12-06)
    expect(fieldsOf(cells, id('P', 'W', '2026-W49'))).toMatchObject({ newCustomers: 1, customersReached: 1, messagesReceived: 2 });
  });

  it('marks referral participants, referred and sharers (sharing counts only after joining)', () => {
    const joined = deriveCustomer(
      stateOf([
        { id: 'j1', kind: 'referral.joined', at: '2026-11-20T10:00:00+07:00', pageId: PAGE, customerId: 'cust-1', code: 'R1', referredBy: 'cust-0' },
        { id: 's1', kind: 'referral.shared', at: '2026-11-20T11:00:00+07:00', pageId: PAGE, customerId: 'cust-1' },
      ]),
      rules,
    );
    expect(fieldsOf(joined, id('P', 'D', '2026-11-20'))).toEqual({ referralParticipants: 1, referralReferred: 1, referralSharers: 1 });
    const sharedOnly = deriveCustomer(stateOf([{ id: 's1', kind: 'referral.shared', at: '2026-11-20T11:00:00+07:00', pageId: PAGE, customerId: 'cust-1' }]), rules);
    expect(asObject(sharedOnly)).toEqual({});
  });

  it('marks the funnel from the orders linked to the conversation', () => {
    const s: CustomerState = {
      ...stateOf([makeMessage({ id: 'm1', at: '2026-11-20T10:00:00+07:00' })]),
      orders: {
        o1: { t: ms('2026-11-20T11:00:00+07:00'), st: 'lan', live: true, dl: true },
        o2: { t: ms('2026-11-21T11:00:00+07:00'), live: false, dl: false }, // cancelled
      },
    };
    const cells = deriveCustomer(s, rules);
    expect(fieldsOf(cells, id('P', 'D', '2026-11-20'))).toMatchObject({ funnelOrdered: 1, funnelDelivered: 1 });
    expect(fieldsOf(cells, id('S', 'D', '2026-11-20', 'lan'))).toEqual({ customersOrdered: 1 });
    expect(cells.has(id('P', 'D', '2026-11-21'))).toBe(false);
  });

  it('marks the cohort funnel only where every earlier stage holds in the same period', () => {
    // Fri 20 Nov: message 21:00, no reply that day; Sat 21: reply 08:05, order (live, delivered);
    // Sun 22: message, reply and an order that is cancelled; Mon 23 (W48): message, reply, live order not delivered
    const s: CustomerState = {
      ...stateOf([
        makeMessage({ id: 'm1', at: '2026-11-20T21:00:00+07:00' }),
        makeReply({ id: 'r1', at: '2026-11-21T08:05:00+07:00', staffId: 'lan' }),
        makeMessage({ id: 'm2', at: '2026-11-22T09:00:00+07:00' }),
        makeReply({ id: 'r2', at: '2026-11-22T09:01:00+07:00', staffId: 'lan' }),
        makeMessage({ id: 'm3', at: '2026-11-23T09:00:00+07:00' }),
        makeReply({ id: 'r3', at: '2026-11-23T09:01:00+07:00', staffId: 'lan' }),
      ]),
      orders: {
        o1: { t: ms('2026-11-21T10:00:00+07:00'), live: true, dl: true },
        o2: { t: ms('2026-11-22T10:00:00+07:00'), live: false, dl: false },
        o3: { t: ms('2026-11-23T10:00:00+07:00'), live: true, dl: false },
      },
    };
    const cells = deriveCustomer(s, rules);
    const cohort = (ref: string) => {
      const f = fieldsOf(cells, ref);
      return [f.cohortCared ?? 0, f.cohortOrdered ?? 0, f.cohortDelivered ?? 0];
    };
    expect(cohort(id('P', 'D', '2026-11-20'))).toEqual([0, 0, 0]); // reached, not replied to that day
    expect(cohort(id('P', 'D', '2026-11-21'))).toEqual([0, 0, 0]); // replied to and ordered, but not reached that day
    expect(cohort(id('P', 'D', '2026-11-22'))).toEqual([1, 0, 0]); // its order is cancelled
    expect(cohort(id('P', 'D', '2026-11-23'))).toEqual([1, 1, 0]); // ordered, not delivered
    expect(cohort(id('P', 'W', '2026-W47'))).toEqual([1, 1, 1]); // the week holds all of 20–22: o1 is live and delivered
    expect(cohort(id('P', 'M', '2026-11'))).toEqual([1, 1, 1]);
    // staff and ad items never carry cohort marks
    expect(fieldsOf(cells, id('S', 'D', '2026-11-22', 'lan')).cohortCared).toBeUndefined();
  });
});
