import { describe, expect, it } from 'vitest';
import { moneyFormat, toXlsx } from '#lib/reports/xlsx.ts';
import { reportTables } from '#lib/reports/table.ts';
import { readWorkbook } from '#test/support/xlsx.ts';
import { makeAdRow, makeAds, makeCampaignRow, makeChatRow, makeOverview, makeStaffChat, makeTotals } from '#test/support/fixtures/reports.ts';

/** A row's cell values from column 1 (exceljs rows are 1-based, with an empty slot 0). */
const values = (row: { values: unknown }) => (row.values as unknown[]).slice(1);

describe('moneyFormat', () => {
  it('writes the currency symbol where the language puts it, with the currency digits', () => {
    expect(moneyFormat('VND', 'vi-VN')).toBe('#,##0 "₫"');
    expect(moneyFormat('VND', 'en')).toBe('"₫"#,##0');
    expect(moneyFormat('USD', 'en')).toBe('"$"#,##0.00');
    expect(moneyFormat('JPY', 'en')).toBe('"¥"#,##0');
  });
});

describe('toXlsx, read back with exceljs', () => {
  it('writes the ads report as two sheets with typed cells: ids as text, money, ROAS as a multiple', async () => {
    const report = makeAds({
      rows: [makeAdRow({ adId: '23850000000000002', adName: 'Áo dài Tết', campaignId: '23850000000000001', campaignName: null, conversationsStarted: 12, customersReached: 10, ordersCreated: 3, orders: 2, revenue: 1_289_160, spend: 10_000, roas: 128.916, costPerOrder: 5_000, costPerConversation: 833 })],
      campaigns: [makeCampaignRow({ campaignId: '23850000000000001', conversationsStarted: 12, customersReached: 10, ordersCreated: 3, orders: 2, revenue: 1_289_160, spend: 10_000, roas: 128.916, costPerOrder: 5_000 })],
    });
    const wb = await readWorkbook(await toXlsx(reportTables('ads', report), 'vi-VN'));
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Quảng cáo', 'Theo chiến dịch']);
    const ads = wb.worksheets[0]!;
    expect(ads.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(values(ads.getRow(1))).toEqual(['Quảng cáo', 'Tên quảng cáo', 'Chiến dịch', 'Tên chiến dịch', 'Hội thoại bắt đầu', 'Khách tiếp cận', 'Đơn đã tạo', 'Đơn hàng', 'Doanh thu', 'Chi tiêu', 'ROAS', 'Chi phí/đơn', 'Giá tin nhắn']);
    const r = ads.getRow(2);
    // the 17-digit ids stay text, digit for digit
    expect(r.getCell(1).value).toBe('23850000000000002');
    expect(r.getCell(1).type).toBe(3); // ExcelJS.ValueType.String
    expect(r.getCell(2).value).toBe('Áo dài Tết');
    expect(r.getCell(3).value).toBe('23850000000000001');
    expect(r.getCell(4).value).toBeNull(); // no campaign name known: an empty cell
    expect(r.getCell(5).value).toBe(12);
    expect(r.getCell(5).type).toBe(2); // ExcelJS.ValueType.Number
    expect(r.getCell(5).numFmt).toBe('#,##0');
    expect(r.getCell(9).value).toBe(1_289_160);
    expect(r.getCell(9).numFmt).toBe('#,##0 "₫"');
    expect(r.getCell(11).value).toBe(128.916);
    expect(r.getCell(11).numFmt).toBe('0.00"×"');
    expect(r.getCell(13).value).toBe(833);
    expect(r.getCell(13).numFmt).toBe('#,##0 "₫"');
    expect(ads.rowCount).toBe(2);
    expect(values(wb.worksheets[1]!.getRow(1))[0]).toBe('Chiến dịch');
    expect(wb.worksheets[1]!.getRow(2).getCell(1).value).toBe('23850000000000001');
  });

  it('writes the overview in English: dates as dates, rates as percentages, an empty cell for null', async () => {
    const report = makeOverview({
      series: [{ date: '2026-11-21', ...makeTotals({ customersReached: 40, ordersCreated: 10, revenue: 2_500_000, closeRate: 0.25 }) }, { date: '2026-11-22', ...makeTotals({ customersReached: 0, closeRate: null }) }],
    });
    const wb = await readWorkbook(await toXlsx(reportTables('overview', report), 'en'));
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Key figures', 'Funnel', 'By day', 'By hour of day', 'Top staff']);
    const series = wb.getWorksheet('By day')!;
    const header = values(series.getRow(1));
    expect(header.slice(0, 2)).toEqual(['Date', 'Customers reached']);
    const col = (label: string) => header.indexOf(label) + 1;
    const day = series.getRow(2);
    expect(day.getCell(1).value).toEqual(new Date(Date.UTC(2026, 10, 21)));
    expect(day.getCell(1).numFmt).toBe('yyyy-mm-dd');
    expect(day.getCell(col('Close rate')).value).toBe(0.25);
    expect(day.getCell(col('Close rate')).numFmt).toBe('0.0%');
    expect(day.getCell(col('Revenue')).value).toBe(2_500_000);
    expect(day.getCell(col('Revenue')).numFmt).toBe('"₫"#,##0');
    expect(series.getRow(3).getCell(col('Close rate')).value).toBeNull();
    const hours = wb.getWorksheet('By hour of day')!;
    expect(hours.rowCount).toBe(25);
    expect(hours.getRow(11).getCell(1).value).toBe(9); // 09:00
    expect(hours.getRow(11).getCell(1).numFmt).toBe('00":00"');
  });

  it('writes response times as durations and shift names in the language', async () => {
    const report = makeStaffChat({
      rows: [makeChatRow({ staffId: '100045', name: 'Lan', responseTimeMedianSeconds: 3_725, missedByShift: { morning: 2 }, slaMetRateByShift: { morning: 0.5 } })],
      shifts: [{ shift: 'morning', waitsClosed: 4, withinSla: 2, slaMetRate: 0.5, missedConversations: 2 }],
    });
    const wb = await readWorkbook(await toXlsx(reportTables('staff-chat', report), 'vi-VN'));
    const staff = wb.worksheets[0]!;
    expect(staff.getRow(2).getCell(1).value).toBe('100045');
    // 3 725 s = 1 h 2 min 5 s, a time of day 01:02:05 for a reader (exceljs reads it as a Date after day zero)
    expect(staff.getRow(2).getCell(3).value).toEqual(new Date(Date.UTC(1899, 11, 30, 1, 2, 5)));
    expect(staff.getRow(2).getCell(3).numFmt).toBe('[h]:mm:ss');
    const shifts = wb.worksheets[1]!;
    expect(shifts.name).toBe('Theo ca');
    expect(values(shifts.getRow(2))).toEqual(['Ca sáng', 4, 2, 2, 0.5]);
  });
});
