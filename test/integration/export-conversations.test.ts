import { beforeAll, describe, expect, it } from 'vitest';
import { createTestTable } from '#test/support/table.ts';
import { call, httpEvent } from '#test/support/http.ts';
import { makeShop } from '#test/support/factories.ts';
import { putShop } from '#lib/store/shops.ts';
import { recordBatch } from '#lib/ingest/record-batch.ts';
import { exportConversations } from '#lib/reports/export-conversations.ts';
import { newReadCost } from '#lib/reports/conversation-reading.ts';
import { handler as report } from '#functions/report/handler.ts';
import type { CanonicalEvent } from '#lib/events/schema.ts';

/**
 * Hand-worked export. Zone +07:00, hours 08:00–22:00, SLA 15 working min;
 * range 2026-11-20..21.
 *  ex-fb/A  msg 20th 09:00 from ad1 · lan 09:04 (240 s) · msg 10:00 · minh 10:30 (30 min > 15: missed)
 *           order O1 20th 12:00, 500 000 ₫
 *  ex-fb/B  comment 21st 21:55, unanswered: SLA runs to 22nd 08:10, after the range → open
 *  ex-fb/D  msg 18th only → not in the range
 *  ex-ig/C  msg 19th 20:00 (before the range) · automated reply 20th 08:00:30 → a row with only a reply
 *  ex-ig/E  msg 21st 10:00 · reply without staff 10:10 (600 s) → answered
 */
const SHOP = 'ex-shop';
const FB = 'ex-fb';
const IG = 'ex-ig';
const NOW = Date.parse('2026-11-25T12:00:00+07:00');
const at = (d: string, hm: string, s = '00') => `2026-11-${d}T${hm}:${s}+07:00`;
const events: CanonicalEvent[] = [
  { id: 'a1', kind: 'message.received', at: at('20', '09:00'), pageId: FB, customerId: 'A', adId: 'ad1' },
  { id: 'a2', kind: 'reply.sent', at: at('20', '09:04'), pageId: FB, customerId: 'A', via: 'message', automated: false, staffId: 'lan' },
  { id: 'a3', kind: 'message.received', at: at('20', '10:00'), pageId: FB, customerId: 'A' },
  { id: 'a4', kind: 'reply.sent', at: at('20', '10:30'), pageId: FB, customerId: 'A', via: 'message', automated: false, staffId: 'minh' },
  { id: 'o1', kind: 'order.created', at: at('20', '12:00'), orderId: 'O1', pageId: FB, customerId: 'A', staffId: 'lan', total: 500000 },
  { id: 'b1', kind: 'comment.received', at: at('21', '21:55'), pageId: FB, customerId: 'B', commentId: 'cm-b1', postId: 'post1' },
  { id: 'd1', kind: 'message.received', at: at('18', '10:00'), pageId: FB, customerId: 'D' },
  { id: 'c1', kind: 'message.received', at: at('19', '20:00'), pageId: IG, customerId: 'C' },
  { id: 'c2', kind: 'reply.sent', at: at('20', '08:00', '30'), pageId: IG, customerId: 'C', via: 'message', automated: true },
  { id: 'e1', kind: 'message.received', at: at('21', '10:00'), pageId: IG, customerId: 'E' },
  { id: 'e2', kind: 'reply.sent', at: at('21', '10:10'), pageId: IG, customerId: 'E', via: 'message', automated: false },
] as CanonicalEvent[];

const A = { pageId: FB, channel: 'facebook', customerId: 'A', firstInboundAt: '2026-11-20T02:00:00.000Z', lastInboundAt: '2026-11-20T03:00:00.000Z', messages: 2, comments: 0, firstResponseSeconds: 240, replies: 2, staff: ['lan', 'minh'], adId: 'ad1', ordersCreated: 1, ordersValue: 500000, status: 'missed' };
const B = { pageId: FB, channel: 'facebook', customerId: 'B', firstInboundAt: '2026-11-21T14:55:00.000Z', lastInboundAt: '2026-11-21T14:55:00.000Z', messages: 0, comments: 1, firstResponseSeconds: null, replies: 0, staff: [], adId: null, ordersCreated: 0, ordersValue: 0, status: 'open' };
const C = { pageId: IG, channel: 'instagram', customerId: 'C', firstInboundAt: null, lastInboundAt: null, messages: 0, comments: 0, firstResponseSeconds: null, replies: 1, staff: ['automated'], adId: null, ordersCreated: 0, ordersValue: 0, status: 'answered' };
const E = { pageId: IG, channel: 'instagram', customerId: 'E', firstInboundAt: '2026-11-21T03:00:00.000Z', lastInboundAt: '2026-11-21T03:00:00.000Z', messages: 1, comments: 0, firstResponseSeconds: 600, replies: 1, staff: ['unknown'], adId: null, ordersCreated: 0, ordersValue: 0, status: 'answered' };

const get = (query: string, shopId = SHOP) =>
  call(report, httpEvent({ method: 'GET', path: `/v1/shops/${shopId}/exports/conversations`, query, authorizer: { shopId: SHOP } }));

describe('conversation export', () => {
  beforeAll(async () => {
    await createTestTable();
    await putShop(makeShop(SHOP, { pages: [{ pageId: FB, channel: 'facebook', name: 'Fanpage' }, { pageId: IG, channel: 'instagram', name: 'IG' }], staff: [{ staffId: 'lan', name: 'Lan' }, { staffId: 'minh', name: 'Minh' }] }));
    await recordBatch(SHOP, events, { now: NOW });
  });

  it('lists one row per conversation active in the range, worked out by hand', async () => {
    const res = await get('from=2026-11-20&to=2026-11-21');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ shopId: SHOP, from: '2026-11-20', to: '2026-11-21', timezone: 'Asia/Ho_Chi_Minh', currency: 'VND', nextCursor: null });
    expect(res.body.rows).toEqual([A, B, C, E]);
  });

  it('pages with an opaque cursor and refuses an altered or foreign one', async () => {
    const p1 = await get('from=2026-11-20&to=2026-11-21&limit=2');
    expect(p1.body.rows).toEqual([A, B]);
    const cursor = p1.body.nextCursor as string;
    expect(cursor).toMatch(/^[\w-]+\.[\w-]+$/);
    const p2 = await get(`from=2026-11-20&to=2026-11-21&limit=2&cursor=${encodeURIComponent(cursor)}`);
    expect(p2.body.rows).toEqual([C, E]);
    expect(p2.body.nextCursor).toBeNull();

    const [body, sig] = cursor.split('.');
    const forged = Buffer.from(JSON.stringify({ v: 1, after: ['ex-fb', 'A'] })).toString('base64url');
    for (const bad of [`${forged}.${sig}`, `${body}.${sig!.slice(1)}x`, 'garbage', `${body}`]) {
      const r = await get(`from=2026-11-20&to=2026-11-21&limit=2&cursor=${encodeURIComponent(bad)}`);
      expect(r.status).toBe(400);
      expect(r.body.error.details).toEqual([{ path: 'cursor', message: expect.stringContaining('not a nextCursor') }]);
    }
    // a cursor of another query (other range) is refused too
    const other = await get(`from=2026-11-20&to=2026-11-22&limit=2&cursor=${encodeURIComponent(cursor)}`);
    expect(other.status).toBe(400);
  });

  it('filters by channel and page', async () => {
    expect((await get('from=2026-11-20&to=2026-11-21&channel=instagram')).body.rows).toEqual([C, E]);
    expect((await get(`from=2026-11-21&to=2026-11-21&pageId=${FB}`)).body.rows).toEqual([B]);
  });

  it('streams every row as CSV with the same columns', async () => {
    const res = await call(report, httpEvent({ method: 'GET', path: `/v1/shops/${SHOP}/exports/conversations`, query: 'from=2026-11-20&to=2026-11-21&format=csv', authorizer: { shopId: SHOP } }));
    expect(res.status).toBe(200);
    expect(res.raw).toBe(
      '\uFEFF' +
        'pageId,channel,customerId,firstInboundAt,lastInboundAt,messages,comments,firstResponseSeconds,replies,staff,adId,ordersCreated,ordersValue,status\r\n' +
        'ex-fb,facebook,A,2026-11-20T02:00:00.000Z,2026-11-20T03:00:00.000Z,2,0,240,2,lan minh,ad1,1,500000,missed\r\n' +
        'ex-fb,facebook,B,2026-11-21T14:55:00.000Z,2026-11-21T14:55:00.000Z,0,1,,0,,,0,0,open\r\n' +
        'ex-ig,instagram,C,,,0,0,,1,automated,,0,0,answered\r\n' +
        'ex-ig,instagram,E,2026-11-21T03:00:00.000Z,2026-11-21T03:00:00.000Z,1,0,600,1,unknown,,0,0,answered\r\n',
    );
  });

  it('answers 400 on a bad query, 403 for another shop, and reads only the selected pages and days', async () => {
    expect((await get('from=2026-11-22&to=2026-11-21')).status).toBe(400);
    expect((await get('from=2026-11-20&to=2026-11-21&sort=x')).status).toBe(400);
    expect((await get('from=2026-11-20&to=2026-11-21', 'other-shop')).status).toBe(403);
    const cost = newReadCost();
    await exportConversations(SHOP, new URLSearchParams('from=2026-11-20&to=2026-11-21'), NOW, cost);
    // 2 pages × 2 days × 4 raw shards = 16 Queries, and one BatchGetItem for the 4 conversations
    expect(cost.queries).toBe(16);
    expect(cost.batchGets).toBe(1);
  });
});
