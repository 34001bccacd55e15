import { describe, expect, it } from 'vitest';
import { metaPageIds, normalizeMeta } from '#lib/adapters/meta.ts';
import type { ShopContext } from '#lib/adapters/types.ts';
import { adReferral, deliveryReceipt, getStartedFromAd, messageFromAd, reaction, readReceipt, shortlinkReferral } from '#test/support/fixtures/meta-documented.ts';
import { IG, PAGE, makeFeedComment, makeIgComment, makeMetaDashboardTest, makeMetaEcho, makeMetaMessage, makeMetaReferral } from '#test/support/fixtures/platforms.ts';

const CHATBOT_APP = '263902037430900';
const shops = new Map<string, ShopContext>([
  [PAGE, { shopId: 'hoa-mai', automationAppIds: [CHATBOT_APP] }],
  [IG, { shopId: 'hoa-mai', automationAppIds: [] }],
]);
const only = (payload: unknown) => {
  const r = normalizeMeta(payload, shops);
  expect(r.events).toHaveLength(1);
  return r.events[0]!;
};

describe('metaPageIds', () => {
  it('lists the entry ids of a batch once each', () => {
    const a = makeMetaMessage();
    const batch = { object: 'page', entry: [...a.entry, ...makeMetaEcho().entry, ...makeMetaMessage({ page: '999' }).entry] };
    expect(metaPageIds(batch)).toEqual([PAGE, '999']);
  });

  it.each([[null], ['text'], [[]], [{ object: 'page' }], [{ object: 'page', entry: {} }], [{ entry: [] }], [{ object: 'page', entry: [{ time: 1 }] }]])(
    'throws a ValidationError for %j',
    (payload) => {
      expect(() => metaPageIds(payload)).toThrowError(expect.objectContaining({ name: 'ValidationError', status: 400, code: 'invalid_request' }));
    },
  );
});

describe('normalizeMeta: messages', () => {
  it('turns a customer message into message.received without its text', () => {
    const r = normalizeMeta(makeMetaMessage(), shops);
    expect(r).toEqual({
      events: [{ shopId: 'hoa-mai', event: { id: 'meta:m_AbC123', kind: 'message.received', at: '2026-11-20T03:00:00.000Z', pageId: PAGE, customerId: '6789' } }],
      unknownPages: [],
      ignored: 0,
      invalid: [],
    });
    expect(JSON.stringify(r)).not.toContain('size M');
  });

  it('adds the Vietnamese phone number the message mentions, normalised', () => {
    expect(only(makeMetaMessage({ text: 'sđt em +84 912 345 678 nhé' })).event).toEqual({
      id: 'meta:m_AbC123',
      kind: 'message.received',
      at: '2026-11-20T03:00:00.000Z',
      pageId: PAGE,
      customerId: '6789',
      phone: '0912345678',
    });
    expect(only(makeMetaMessage({ text: 'áo này giá 150000 hả shop' })).event).not.toHaveProperty('phone');
  });

  it('reads Instagram messaging like Messenger', () => {
    expect(only(makeMetaMessage({ object: 'instagram', page: IG, psid: 'igsid-1', mid: 'aWdfZAG1', ts: Date.parse('2026-11-20T10:00:00.123+07:00') })).event).toEqual({
      id: 'meta:aWdfZAG1',
      kind: 'message.received',
      at: '2026-11-20T03:00:00.123Z',
      pageId: IG,
      customerId: 'igsid-1',
    });
  });

  it('reads standby[] (another app owns the thread) like messaging[]', () => {
    expect(only(makeMetaMessage({ standby: true, mid: 'm_sb1' })).event).toEqual({
      id: 'meta:m_sb1',
      kind: 'message.received',
      at: '2026-11-20T03:00:00.000Z',
      pageId: PAGE,
      customerId: '6789',
    });
  });

  it('ignores deleted messages, deliveries and reads', () => {
    const ts = Date.parse('2026-11-20T10:00:00+07:00');
    const batch = {
      object: 'page',
      entry: [
        {
          id: PAGE,
          time: ts,
          messaging: [
            { sender: { id: '6789' }, recipient: { id: PAGE }, timestamp: ts, message: { mid: 'm_del', is_deleted: true } },
            { sender: { id: '6789' }, recipient: { id: PAGE }, timestamp: ts, delivery: { mids: ['m_echo1'], watermark: ts } },
            { sender: { id: '6789' }, recipient: { id: PAGE }, timestamp: ts, read: { watermark: ts } },
            { sender: { id: '6789' }, recipient: { id: PAGE }, timestamp: ts, reaction: { mid: 'm_echo1', action: 'react', emoji: '❤' } },
            { hello: 'an event type we do not know' },
            { message: { mid: 'm_broken', text: 'no sender, recipient or time' } },
          ],
        },
      ],
    };
    const r = normalizeMeta(batch, shops);
    expect(r).toMatchObject({ events: [], unknownPages: [], ignored: 5 });
    // a message that is not a valid messaging item is dropped as invalid, with the reason
    expect(r.invalid).toEqual([{ shopId: 'hoa-mai', id: 'm_broken', reason: expect.stringMatching(/^sender: .*recipient: .*timestamp: /) }]);
  });
});

describe('normalizeMeta: echoes (replies from the page)', () => {
  const base = { id: 'meta:m_echo1', kind: 'reply.sent', at: '2026-11-20T03:04:00.000Z', pageId: PAGE, customerId: '6789', via: 'message' } as const;

  it('names the staff member from staff:<id> metadata, even when sent by the chatbot app', () => {
    expect(only(makeMetaEcho({ metadata: 'staff:lan', appId: Number(CHATBOT_APP) })).event).toEqual({ ...base, automated: false, staffId: 'lan' });
  });

  it('marks auto:<anything> metadata automated', () => {
    expect(only(makeMetaEcho({ metadata: 'auto:welcome-flow' })).event).toEqual({ ...base, automated: true });
  });

  it('marks echoes of an automation app automated when the metadata says nothing', () => {
    expect(only(makeMetaEcho({ appId: Number(CHATBOT_APP) })).event).toEqual({ ...base, automated: true });
    expect(only(makeMetaEcho({ appId: Number(CHATBOT_APP), metadata: 'campaign-7' })).event).toEqual({ ...base, automated: true });
  });

  it('leaves other echoes manual with unknown staff (also an empty staff: tag)', () => {
    expect(only(makeMetaEcho()).event).toEqual({ ...base, automated: false });
    expect(only(makeMetaEcho({ metadata: 'staff:' })).event).toEqual({ ...base, automated: false });
  });

  it('never takes a phone from the page’s own text', () => {
    expect(only(makeMetaEcho({ metadata: 'staff:lan' })).event).not.toHaveProperty('phone');
  });
});

describe('normalizeMeta: ad referrals', () => {
  const ad = { source: 'ADS', type: 'OPEN_THREAD', ad_id: '23850000000000001' };

  it('keeps the ad of a message that carries the referral (click-to-Messenger)', () => {
    expect(only(makeMetaMessage({ referral: ad })).event).toEqual({
      id: 'meta:m_AbC123',
      kind: 'message.received',
      at: '2026-11-20T03:00:00.000Z',
      pageId: PAGE,
      customerId: '6789',
      adId: '23850000000000001',
    });
  });

  it('keeps the ad of a referral next to the message in the same messaging item', () => {
    expect(only(makeMetaMessage({ itemReferral: ad })).event).toMatchObject({ kind: 'message.received', adId: '23850000000000001' });
  });

  it('takes no ad from organic referrals (m.me links) or an ADS referral without ad_id', () => {
    expect(only(makeMetaMessage({ referral: { source: 'SHORTLINK', type: 'OPEN_THREAD', ref: 'tet-sale' } })).event).not.toHaveProperty('adId');
    expect(only(makeMetaMessage({ referral: { source: 'ADS', type: 'OPEN_THREAD' } })).event).not.toHaveProperty('adId');
  });

  it('turns a bare ad referral (messaging_referrals) into attribution only: credits the ad, not a message; stable id without the customer id in clear', () => {
    const ts = Date.parse('2026-11-20T09:58:00+07:00');
    const e = only(makeMetaReferral()).event;
    expect(e).toEqual({
      id: expect.stringMatching(new RegExp(`^meta:ref:${PAGE}:[A-Za-z0-9_-]{16}:${ts}$`)),
      kind: 'message.received',
      at: '2026-11-20T02:58:00.000Z',
      pageId: PAGE,
      customerId: '6789',
      adId: '23850000000000001',
      adTitle: 'Áo khoác',
      attributionOnly: true,
    });
    expect(e.id).not.toContain('6789');
    expect(normalizeMeta(makeMetaReferral(), shops)).toEqual(normalizeMeta(makeMetaReferral(), shops));
    expect(only(makeMetaReferral({ psid: '6790' })).event.id).not.toBe(e.id);
  });

  it('does the same for Get Started (postback) carrying the ad referral, with the postback mid as id', () => {
    expect(only(makeMetaReferral({ via: 'postback' })).event).toEqual({
      id: 'meta:m_pb1',
      kind: 'message.received',
      at: '2026-11-20T02:58:00.000Z',
      pageId: PAGE,
      customerId: '6789',
      adId: '23850000000000001',
      adTitle: 'Áo khoác',
      attributionOnly: true,
    });
  });

  it('ignores organic bare referrals and plain postbacks: the customer counts when he writes', () => {
    expect(normalizeMeta(makeMetaReferral({ referral: { source: 'SHORTLINK', type: 'OPEN_THREAD', ref: 'x' } }), shops)).toMatchObject({ events: [], ignored: 1 });
    expect(normalizeMeta(makeMetaReferral({ via: 'postback', referral: { source: 'SHORTLINK', ref: 'x' } }), shops)).toMatchObject({ events: [], ignored: 1 });
  });
});

describe('normalizeMeta: documented Messenger payloads (messaging_referrals, messaging_postbacks, receipts, reactions)', () => {
  it('messaging_referrals "Ad Referral" example: attribution only', () => {
    expect(only(adReferral()).event).toMatchObject({ kind: 'message.received', adId: '23850000000000001', attributionOnly: true, at: new Date(1_763_607_480_000).toISOString() });
  });

  it('keeps an ad id beyond 2^53, sent as a string, digit for digit', () => {
    expect(only(adReferral(1_763_607_480_000, '120208765432109876')).event).toMatchObject({ adId: '120208765432109876' });
  });

  it('messaging_postbacks sample (all strings, timestamp in seconds): Get Started from an ad is attribution only', () => {
    expect(only(getStartedFromAd()).event).toEqual({
      id: 'meta:m_GETSTARTED1',
      kind: 'message.received',
      at: '2025-11-20T02:58:00.000Z',
      pageId: PAGE,
      customerId: '6789',
      adId: '23850000000000001',
      attributionOnly: true,
    });
    expect(normalizeMeta(getStartedFromAd({ source: 'SHORT-URL' }), shops)).toMatchObject({ events: [], ignored: 1, invalid: [] });
  });

  it('a message from the ad with text or an attachment is a message with its ad; without either it is attribution only', () => {
    expect(only(messageFromAd({ text: 'Áo này còn size M không shop?' })).event).toEqual({
      id: 'meta:m_FROMAD1',
      kind: 'message.received',
      at: new Date(1_763_607_540_000).toISOString(),
      pageId: PAGE,
      customerId: '6789',
      adId: '23850000000000001',
    });
    expect(only(messageFromAd({ attachments: [{ type: 'image', payload: { url: 'https://example.invalid/p.jpg' } }] })).event).not.toHaveProperty('attributionOnly');
    expect(only(messageFromAd({ text: '  ' })).event).toMatchObject({ id: 'meta:m_FROMAD1', attributionOnly: true });
    expect(only(messageFromAd()).event).toMatchObject({ attributionOnly: true });
  });

  it.each([
    ['a delivery with no timestamp (Meta’s example)', deliveryReceipt()],
    ['a delivery with timestamp 0', deliveryReceipt({ timestamp: 0 })],
    ['a delivery with timestamp "0"', deliveryReceipt({ timestamp: '0' })],
    ['a read receipt with timestamp 0', readReceipt(0)],
    ['a read receipt with a string timestamp', readReceipt('1458668856463')],
    ['a read receipt with a broken timestamp', readReceipt('soon')],
    ['a reaction with timestamp 0', reaction(0)],
  ])('ignores %s quietly: not invalid, no event', (_, payload) => {
    expect(normalizeMeta(payload, shops)).toEqual({ events: [], unknownPages: [], ignored: 1, invalid: [] });
  });

  it('an m.me link referral is a tap: ignored', () => {
    expect(normalizeMeta(shortlinkReferral(), shops)).toEqual({ events: [], unknownPages: [], ignored: 1, invalid: [] });
  });

  it('still reports an ad referral whose timestamp is out of range as invalid, naming the shop', () => {
    expect(normalizeMeta(adReferral(0), shops)).toMatchObject({ events: [], invalid: [{ shopId: 'hoa-mai', reason: 'timestamp: out of range' }] });
  });
});

describe('normalizeMeta: Page feed comments', () => {
  it('turns a new comment into comment.received with post, comment id and phone, time from created_time (seconds)', () => {
    expect(only(makeFeedComment({ message: 'gọi em 0987.654.321' }))).toEqual({
      shopId: 'hoa-mai',
      event: {
        id: 'meta:555_777',
        kind: 'comment.received',
        at: '2026-11-20T13:01:00.000Z',
        pageId: PAGE,
        customerId: '24242424',
        commentId: '555_777',
        postId: `${PAGE}_555`,
        phone: '0987654321',
      },
    });
  });

  it('turns the page’s reply to a comment into reply.sent naming that comment; ingest finds the customer', () => {
    const r = normalizeMeta(makeFeedComment({ from: PAGE, commentId: '555_778', parentId: '555_777', message: 'Dạ shop inbox ạ' }), shops);
    expect(r).toEqual({
      events: [{ shopId: 'hoa-mai', event: { id: 'meta:555_778', kind: 'reply.sent', at: '2026-11-20T13:01:00.000Z', pageId: PAGE, via: 'comment', commentId: '555_777', automated: false } }],
      unknownPages: [],
      ignored: 0,
      invalid: [],
    });
  });

  it('ignores the page commenting on its own post, edits, removals and other feed items', () => {
    expect(normalizeMeta(makeFeedComment({ from: PAGE, commentId: '555_779' }), shops)).toMatchObject({ events: [], ignored: 1 });
    expect(normalizeMeta(makeFeedComment({ verb: 'edited' }), shops)).toMatchObject({ events: [], ignored: 1 });
    expect(normalizeMeta(makeFeedComment({ verb: 'remove' }), shops)).toMatchObject({ events: [], ignored: 1 });
    expect(normalizeMeta(makeFeedComment({ item: 'reaction' }), shops)).toMatchObject({ events: [], ignored: 1 });
  });

  it('falls back to entry.time when the comment has no created_time', () => {
    const p = makeFeedComment();
    delete (p.entry[0]!.changes[0]!.value as { created_time?: number }).created_time;
    p.entry[0]!.time = Math.floor(Date.parse('2026-11-20T20:00:00+07:00') / 1000);
    expect(only(p).event.at).toBe('2026-11-20T13:00:00.000Z');
  });
});

describe('normalizeMeta: Instagram comments', () => {
  it('turns comments into comment.received, timed by entry.time in seconds', () => {
    expect(only(makeIgComment({ text: 'ib em 0905 123 456' })).event).toEqual({
      id: 'meta:ig:17900000000000001',
      kind: 'comment.received',
      at: '2026-11-20T14:00:00.000Z',
      pageId: IG,
      customerId: 'igsid-42',
      commentId: '17900000000000001',
      postId: '18000000000000001',
      phone: '0905123456',
    });
  });

  it('reads live_comments the same way', () => {
    expect(only(makeIgComment({ field: 'live_comments', commentId: '17900000000000002' })).event).toMatchObject({
      id: 'meta:ig:17900000000000002',
      kind: 'comment.received',
      customerId: 'igsid-42',
    });
  });

  it('turns the account’s replies into reply.sent naming the comment, and ignores its top-level comments', () => {
    expect(normalizeMeta(makeIgComment({ from: IG, commentId: '17900000000000003', parentId: '17900000000000001' }), shops).events).toEqual([
      {
        shopId: 'hoa-mai',
        event: { id: 'meta:ig:17900000000000003', kind: 'reply.sent', at: '2026-11-20T14:00:00.000Z', pageId: IG, via: 'comment', commentId: '17900000000000001', automated: false },
      },
    ]);
    expect(normalizeMeta(makeIgComment({ from: IG }), shops)).toMatchObject({ events: [], ignored: 1 });
  });
});

describe('normalizeMeta: routing', () => {
  it('lists unregistered pages once and emits nothing for them', () => {
    const a = makeMetaMessage({ page: '999' });
    const batch = { object: 'page', entry: [...a.entry, ...makeMetaEcho({ page: '999' }).entry, ...makeMetaMessage().entry] };
    const r = normalizeMeta(batch, shops);
    expect(r.unknownPages).toEqual(['999']);
    expect(r.events.map((e) => e.event.id)).toEqual(['meta:m_AbC123']);
  });

  it('ignores objects other than page and instagram', () => {
    expect(normalizeMeta(makeMetaMessage({ object: 'whatsapp_business_account' }), shops)).toEqual({ events: [], unknownPages: [], ignored: 1, invalid: [] });
  });

  it('gives a redelivered batch the same event ids', () => {
    const ids = (p: unknown) => normalizeMeta(p, shops).events.map((e) => e.event.id);
    expect(ids(makeMetaMessage())).toEqual(ids(makeMetaMessage()));
    expect(ids(makeFeedComment())).toEqual(ids(makeFeedComment()));
  });

  it('throws a ValidationError for a payload that is not a Meta batch', () => {
    expect(() => normalizeMeta({ hello: 1 }, shops)).toThrowError(expect.objectContaining({ name: 'ValidationError', message: 'Not a Meta webhook payload' }));
  });
});

describe('normalizeMeta: numbers sent as strings', () => {
  it('reads the timestamp of Meta’s dashboard test delivery, a numeric string', () => {
    const ts = Date.parse('2026-11-20T10:00:00+07:00');
    expect(normalizeMeta(makeMetaDashboardTest({ ts }), shops).events).toEqual([
      { shopId: 'hoa-mai', event: { id: 'meta:test_message_id', kind: 'message.received', at: '2026-11-20T03:00:00.000Z', pageId: PAGE, customerId: '12334' } },
    ]);
  });

  it('reads a feed comment whose created_time is a numeric string of seconds', () => {
    const p = makeFeedComment();
    (p.entry[0]!.changes[0]!.value as Record<string, unknown>).created_time = String(Math.floor(Date.parse('2026-11-20T20:01:00+07:00') / 1000));
    expect(normalizeMeta(p, shops).events[0]!.event.at).toBe('2026-11-20T13:01:00.000Z');
  });

  it.each([[1e20], [-1], ['abc'], ['1e20'], [0]])('drops a message whose timestamp is %j alone, keeping its neighbour', (timestamp) => {
    const item = (mid: string) => (makeMetaMessage({ mid }).entry[0] as unknown as { messaging: Array<Record<string, unknown>> }).messaging[0]!;
    const bad = { ...item('m_bad'), timestamp };
    const r = normalizeMeta({ object: 'page', entry: [{ id: PAGE, time: 1, messaging: [bad, item('m_good')] }] }, shops);
    expect(r.events.map((e) => e.event.id)).toEqual(['meta:m_good']);
    expect(r.invalid).toEqual([{ shopId: 'hoa-mai', id: 'm_bad', reason: expect.stringMatching(/^timestamp: /) }]);
  });
});
