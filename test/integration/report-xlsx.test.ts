import { beforeAll, describe, expect, it } from 'vitest';
import { createTestTable } from '#test/support/table.ts';
import { call, httpEvent } from '#test/support/http.ts';
import { makeShop } from '#test/support/factories.ts';
import { readWorkbook } from '#test/support/xlsx.ts';
import { putShop } from '#lib/store/shops.ts';
import { recordBatch } from '#lib/ingest/record-batch.ts';
import { REPORT_NAMES } from '#lib/reports/types.ts';
import { handler as report } from '#functions/report/handler.ts';
import type { CanonicalEvent } from '#lib/events/schema.ts';

/**
 * `format=xlsx` on every report through the API, read back by exceljs (an
 * independent reader), and compared with the same report's JSON: every
 * number of the JSON's main table is a number cell of the same value, ids
 * are text cells digit for digit, and each sheet's header row is frozen.
 * Shop +07:00, VND. A customer writes from a Meta ad with a 17-digit id
 * (23850000000000002), lan answers, an order of 1 289 160 ₫ follows; the ad
 * spent 10 000 ₫ in campaign 23850000000000001.
 */
const SHOP = 'xl-shop';
const FB = 'xl-fb';
const AD = '23850000000000002';
const CAMPAIGN = '23850000000000001';
const NOW = Date.parse('2026-11-20T18:00:00+07:00');
const at = (hm: string) => `2026-11-19T${hm}:00+07:00`;
const events = [
  { id: 'm1', kind: 'message.received', at: at('09:00'), pageId: FB, customerId: 'A', adId: AD },
  { id: 'r1', kind: 'reply.sent', at: at('09:04'), pageId: FB, customerId: 'A', via: 'message', automated: false, staffId: 'lan' },
  { id: 'o1', kind: 'order.created', at: at('10:00'), orderId: 'O1', pageId: FB, customerId: 'A', staffId: 'lan', total: 1289160 },
  { id: 's1', kind: 'ad.spend', at: at('23:00'), adId: AD, campaignId: CAMPAIGN, amount: 10000 },
] as CanonicalEvent[];

const get = (name: string, query: string) => call(report, httpEvent({ method: 'GET', path: `/v1/shops/${SHOP}/reports/${name}`, query, authorizer: { shopId: SHOP } }));
const RANGE = 'from=2026-11-19&to=2026-11-19';

describe('format=xlsx on every report', () => {
  beforeAll(async () => {
    await createTestTable();
    await putShop(makeShop(SHOP, { pages: [{ pageId: FB, channel: 'facebook', name: 'Fanpage' }], staff: [{ staffId: 'lan', name: 'Lan' }] }));
    await recordBatch(SHOP, events, { now: NOW });
  });

  it.each(REPORT_NAMES)('%s: a workbook whose main sheet holds the JSON numbers as numbers and ids as text', async (name) => {
    const json = await get(name, RANGE);
    expect(json.status).toBe(200);
    const res = await get(name, `${RANGE}&format=xlsx&lang=en`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="${SHOP}-${name}-2026-11-19-2026-11-19.xlsx"`);
    const wb = await readWorkbook(res.raw);
    for (const ws of wb.worksheets) expect(ws.views[0], ws.name).toMatchObject({ state: 'frozen', ySplit: 1 });
    // the main table: the overview's series, any other report's rows
    const rows: Array<Record<string, unknown>> = name === 'overview' ? json.body.series : json.body.rows;
    const sheet = wb.worksheets[name === 'overview' ? 2 : 0]!;
    expect(sheet.rowCount).toBe(rows.length + 1);
    const header = (sheet.getRow(1).values as unknown[]).slice(1);
    expect(header.every((h) => typeof h === 'string' && h.length > 0)).toBe(true);
    let numbers = 0;
    rows.forEach((row, i) => {
      const cells = (sheet.getRow(i + 2).values as unknown[]).slice(1);
      for (const [key, v] of Object.entries(row)) {
        if (typeof v !== 'number' || key === 'hour') continue;
        // each JSON number is one cell holding that number (durations hold days: v / 86 400)
        const isDuration = /Seconds$/.test(key);
        expect(cells.some((c) => (isDuration ? c instanceof Date && Math.abs(c.getTime() - Date.UTC(1899, 11, 30) - v * 1000) < 1 : c === v)), `${name} ${key} = ${v}`).toBe(true);
        numbers++;
      }
    });
    if (rows.length > 0) expect(numbers).toBeGreaterThan(0);
    if (name === 'ads') {
      const cells = (sheet.getRow(2).values as unknown[]).slice(1);
      expect([sheet.getRow(2).getCell(1).value, sheet.getRow(2).getCell(3).value]).toEqual([AD, CAMPAIGN]);
      expect(cells).toContain(1289160);
      expect(cells).toContain(128.916);
      expect(wb.worksheets.map((w) => w.name)).toEqual(['Ads', 'By campaign']);
    }
    if (name === 'overview') {
      expect(wb.worksheets.map((w) => w.name)).toEqual(['Key figures', 'Funnel', 'By day', 'By hour of day', 'Top staff']);
      expect(sheet.getRow(2).getCell(1).value).toEqual(new Date(Date.UTC(2026, 10, 19)));
    }
  });

  it('labels the sheets in the shop language without lang, and refuses an unknown lang', async () => {
    const wb = await readWorkbook((await get('staff-chat', `${RANGE}&format=xlsx`)).raw);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Nhân viên chat', 'Theo ca']);
    expect(wb.worksheets[0]!.getRow(1).getCell(1).value).toBe('Mã nhân viên');
    const bad = await get('overview', `${RANGE}&format=xlsx&lang=fr`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.details).toEqual([{ path: 'lang', message: expect.any(String) }]);
  });

  it('gives CSV headers in a language only when lang is given', async () => {
    const keys = await get('staff-sales', `${RANGE}&format=csv`);
    expect(keys.raw.split('\r\n')[0]).toBe('\uFEFFstaffId,name,ordersCreated,orders,revenue,grossProfit,costCoverage,customersCared,conversionRate');
    const vi = await get('staff-sales', `${RANGE}&format=csv&lang=vi`);
    expect(vi.raw.split('\r\n')[0]).toBe('\uFEFFMã nhân viên,Nhân viên,Đơn đã tạo,Đơn hàng,Doanh thu,Lợi nhuận gộp,Đơn đã có giá vốn,Khách chăm sóc,Khách mua / khách chăm sóc');
    expect(vi.raw.split('\r\n')[1]).toBe(keys.raw.split('\r\n')[1]);
  });
});
