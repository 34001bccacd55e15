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
import { readWorkbook } from '#test/support/xlsx.ts';

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

// times on the shop's wall clock (+07:00); staff names beside their ids, in the shop's language (vi-VN)
const A = { pageId: FB, pageName: 'Fanpage', channel: 'facebook', customerId: 'A', firstInboundAt: '2026-11-20T09:00:00+07:00', lastInboundAt: '2026-11-20T10:00:00+07:00', messages: 2, comments: 0, firstResponseSeconds: 240, replies: 2, staff: ['lan', 'minh'], staffNames: ['Lan', 'Minh'], adId: 'ad1', ordersCreated: 1, ordersValue: 500000, status: 'missed' };
const B = { pageId: FB, pageName: 'Fanpage', channel: 'facebook', customerId: 'B', firstInboundAt: '2026-11-21T21:55:00+07:00', lastInboundAt: '2026-11-21T21:55:00+07:00', messages: 0, comments: 1, firstResponseSeconds: null, replies: 0, staff: [], staffNames: [], adId: null, ordersCreated: 0, ordersValue: 0, status: 'open' };
const C = { pageId: IG, pageName: 'IG', channel: 'instagram', customerId: 'C', firstInboundAt: null, lastInboundAt: null, messages: 0, comments: 0, firstResponseSeconds: null, replies: 1, staff: ['automated'], staffNames: ['Tự động'], adId: null, ordersCreated: 0, ordersValue: 0, status: 'answered' };
const E = { pageId: IG, pageName: 'IG', channel: 'instagram', customerId: 'E', firstInboundAt: '2026-11-21T10:00:00+07:00', lastInboundAt: '2026-11-21T10:00:00+07:00', messages: 1, comments: 0, firstResponseSeconds: 600, replies: 1, staff: ['unknown'], staffNames: ['Không xác định'], adId: null, ordersCreated: 0, ordersValue: 0, status: 'answered' };

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

  it('streams every row as CSV with the same columns (JSON keys as headers), and labelled headers with lang', async () => {
    const res = await call(report, httpEvent({ method: 'GET', path: `/v1/shops/${SHOP}/exports/conversations`, query: 'from=2026-11-20&to=2026-11-21&format=csv', authorizer: { shopId: SHOP } }));
    expect(res.status).toBe(200);
    expect(res.raw).toBe(
      '\uFEFF' +
        'pageId,pageName,channel,customerId,firstInboundAt,lastInboundAt,messages,comments,firstResponseSeconds,replies,staff,staffNames,adId,ordersCreated,ordersValue,status\r\n' +
        'ex-fb,Fanpage,facebook,A,2026-11-20T09:00:00+07:00,2026-11-20T10:00:00+07:00,2,0,240,2,lan minh,"Lan, Minh",ad1,1,500000,missed\r\n' +
        'ex-fb,Fanpage,facebook,B,2026-11-21T21:55:00+07:00,2026-11-21T21:55:00+07:00,0,1,,0,,,,0,0,open\r\n' +
        'ex-ig,IG,instagram,C,,,0,0,,1,automated,Tự động,,0,0,answered\r\n' +
        'ex-ig,IG,instagram,E,2026-11-21T10:00:00+07:00,2026-11-21T10:00:00+07:00,1,0,600,1,unknown,Không xác định,,0,0,answered\r\n',
    );
    const en = await call(report, httpEvent({ method: 'GET', path: `/v1/shops/${SHOP}/exports/conversations`, query: 'from=2026-11-20&to=2026-11-21&format=csv&lang=en', authorizer: { shopId: SHOP } }));
    expect(en.raw.split('\r\n')[0]).toBe('\uFEFFPage,Page name,Channel,Customer id,First inbound,Last inbound,Messages,Comments,First response,Replies,Staff ids,Staff,Ad,Orders created,Orders value,Status');
    expect(en.raw.split('\r\n')[1]).toBe('ex-fb,Fanpage,facebook,A,2026-11-20T09:00:00+07:00,2026-11-20T10:00:00+07:00,2,0,240,2,lan minh,"Lan, Minh",ad1,1,500000,missed');
  });

  it('gives every row as an xlsx workbook: typed cells, times on the shop clock, read back by exceljs', async () => {
    const res = await get('from=2026-11-20&to=2026-11-21&format=xlsx');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="${SHOP}-conversations-2026-11-20-2026-11-21.xlsx"`);
    const ws = (await readWorkbook(res.raw)).worksheets;
    expect(ws.map((w) => w.name)).toEqual(['Hội thoại']);
    const sheet = ws[0]!;
    expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(sheet.getRow(1).values).toEqual([undefined, 'Trang', 'Tên trang', 'Kênh', 'Mã khách', 'Tin đầu tiên', 'Tin cuối cùng', 'Tin nhắn', 'Bình luận', 'Phản hồi đầu tiên', 'Trả lời', 'Mã nhân viên', 'Nhân viên', 'Quảng cáo', 'Đơn đã tạo', 'Giá trị đơn', 'Trạng thái']);
    expect(sheet.rowCount).toBe(5);
    const a = sheet.getRow(2);
    expect(a.getCell(1).value).toBe('ex-fb');
    expect(a.getCell(3).value).toBe('Facebook');
    // 09:00 in Ho Chi Minh City is the cell's wall time (exceljs reads a date cell as that wall time in UTC fields)
    expect(a.getCell(5).value).toEqual(new Date(Date.UTC(2026, 10, 20, 9, 0, 0)));
    expect(a.getCell(5).numFmt).toBe('dd/mm/yyyy hh:mm:ss');
    expect(a.getCell(7).value).toBe(2);
    // 240 s as a duration: 240 / 86 400 of a day, which exceljs (like Excel) reads as a time, 00:04:00 after its day zero
    expect(a.getCell(9).value).toEqual(new Date(Date.UTC(1899, 11, 30, 0, 4, 0)));
    expect(a.getCell(9).numFmt).toBe('[h]:mm:ss');
    expect(a.getCell(11).value).toBe('lan minh');
    expect(a.getCell(12).value).toBe('Lan, Minh');
    expect(a.getCell(15).value).toBe(500000);
    expect(a.getCell(15).numFmt).toBe('#,##0 "₫"');
    expect(a.getCell(16).value).toBe('Bỏ lỡ');
    // C has no inbound: empty cells, not text
    expect(sheet.getRow(4).getCell(5).value).toBeNull();
    expect(sheet.getRow(4).getCell(12).value).toBe('Tự động');
    // a cursor is refused: the file carries every row
    expect((await get('from=2026-11-20&to=2026-11-21&format=xlsx&cursor=x')).status).toBe(400);
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
