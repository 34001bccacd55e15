import { describe, expect, it } from 'vitest';
import { exportTable, headerOf, reportTables } from '#lib/reports/table.ts';
import { makeAdRow, makeAds, makeChatRow, makeOverview, makeStaffChat, makeStaffSales, makeTotals } from '#test/support/fixtures/reports.ts';

const columnsOf = (set: ReturnType<typeof reportTables>, id: string) => set.tables.find((t) => t.id === id)!.columns.map((c) => [c.key, c.type]);

describe('reportTables: the one labelled table model', () => {
  it('types a staff-chat report: ids as ids, seconds, counts, rates, and maps expanded per shift with both labels', () => {
    const set = reportTables('staff-chat', makeStaffChat({ rows: [makeChatRow({ missedByShift: { morning: 1, evening: 0 }, slaMetRateByShift: { morning: 0.5, evening: null } })] }));
    expect(set.primary).toBe('rows');
    expect(set.tables.map((t) => t.id)).toEqual(['rows', 'shifts']);
    expect(columnsOf(set, 'rows')).toEqual([
      ['staffId', 'id'], ['name', 'text'], ['responseTimeMedianSeconds', 'seconds'], ['responseTimeP90Seconds', 'seconds'], ['responseTimeAvgSeconds', 'seconds'], ['messageReplies', 'int'], ['commentReplies', 'int'],
      ['conversationsAnswered', 'int'], ['missedConversations', 'int'], ['missedByShift.morning', 'int'], ['missedByShift.evening', 'int'], ['slaMetRate', 'rate'],
      ['slaMetRateByShift.morning', 'rate'], ['slaMetRateByShift.evening', 'rate'],
    ]);
    const rows = set.tables[0]!;
    expect(headerOf(rows, 'vi-VN').slice(9, 11)).toEqual(['Bỏ lỡ theo ca · Ca sáng', 'Bỏ lỡ theo ca · Ca tối']);
    expect(headerOf(rows, 'en').slice(0, 3)).toEqual(['Staff id', 'Staff', 'Median response']);
    expect(headerOf(rows)).toEqual(rows.columns.map((c) => c.key));
    expect(rows.rows[0]!['missedByShift.morning']).toBe(1);
    expect(columnsOf(set, 'shifts')).toEqual([['shift', 'text'], ['waitsClosed', 'int'], ['withinSla', 'int'], ['missedConversations', 'int'], ['slaMetRate', 'rate']]);
  });

  it('types the overview: five tables, money, rates, a date or month series, hours', () => {
    const daily = reportTables('overview', makeOverview({ previousRange: { from: '2026-11-15', to: '2026-11-21' }, series: [{ date: '2026-11-21', ...makeTotals() }] }));
    expect(daily.primary).toBe('series');
    expect(daily.tables.map((t) => t.id)).toEqual(['totals', 'funnel', 'series', 'hours', 'topStaff']);
    const series = Object.fromEntries(columnsOf(daily, 'series'));
    expect(series).toMatchObject({ date: 'date', customersReached: 'int', revenue: 'money', closeRate: 'rate' });
    expect(columnsOf(daily, 'hours')).toEqual([['hour', 'hour'], ['reachByHour', 'int'], ['interactionsByHour', 'int']]);
    expect(daily.tables[3]!.rows).toHaveLength(24);
    expect(columnsOf(daily, 'funnel')).toEqual([['reached', 'int'], ['cared', 'int'], ['ordered', 'int'], ['delivered', 'int']]);
    const totals = daily.tables[0]!;
    expect(totals.rows.map((r) => r.period)).toEqual(['2026-11-22 – 2026-11-22', '2026-11-15 – 2026-11-21']);
    const monthly = reportTables('overview', makeOverview({ seriesPeriod: 'month', series: [{ date: '2026-10', ...makeTotals() }] }));
    expect(columnsOf(monthly, 'series')[0]).toEqual(['date', 'month']);
    expect(headerOf(monthly.tables[2]!, 'vi-VN')[0]).toBe('Tháng');
  });

  it('keeps ad and campaign ids as ids and ROAS as a multiple', () => {
    const set = reportTables('ads', makeAds({ rows: [makeAdRow({ adId: '23850000000000002', campaignId: '23850000000000001' })] }));
    expect(Object.fromEntries(columnsOf(set, 'rows'))).toMatchObject({ adId: 'id', adName: 'text', campaignId: 'id', spend: 'money', roas: 'multiple', costPerOrder: 'money', costPerConversation: 'money' });
    expect(set.tables[0]!.rows[0]!.adId).toBe('23850000000000002');
  });

  it('shows a field nobody described after the others, typed from its values, instead of dropping it', () => {
    const set = reportTables('staff-sales', makeStaffSales({ rows: [{ ...makeStaffSales().rows[0]!, extraShare: 0.25, note: 'x' } as never] }));
    const cols = columnsOf(set, 'rows');
    expect(cols.slice(-2)).toEqual([['extraShare', 'number'], ['note', 'text']]);
  });

  it('gives every column when there is no row (a CSV header of an empty report)', () => {
    const set = reportTables('staff-sales', makeStaffSales({ rows: [] }));
    expect(headerOf(set.tables[0]!)).toEqual(['staffId', 'name', 'ordersCreated', 'orders', 'revenue', 'grossProfit', 'costCoverage', 'customersCared', 'conversionRate']);
  });

  it('labels the conversation export, ids as ids, times as datetimes, lists joined', () => {
    const set = exportTable([{ pageId: 'p', pageName: 'Fanpage', channel: 'zalo', customerId: '1234567890123456789', firstInboundAt: null, lastInboundAt: null, messages: 0, comments: 0, firstResponseSeconds: null, replies: 2, staff: ['lan', 'minh'], staffNames: ['Lan', 'Minh'], adId: null, ordersCreated: 0, ordersValue: 0, status: 'open' }], 'VND', 'Asia/Ho_Chi_Minh');
    const t = set.tables[0]!;
    expect(Object.fromEntries(t.columns.map((c) => [c.key, c.type]))).toMatchObject({ customerId: 'id', firstInboundAt: 'datetime', firstResponseSeconds: 'seconds', ordersValue: 'money', staff: 'id' });
    expect(t.rows[0]).toMatchObject({ staff: 'lan minh', staffNames: 'Lan, Minh', customerId: '1234567890123456789' });
  });
});

describe('reportTables: names beside ids', () => {
  it('puts an ad or campaign name right after its id when the report has one', () => {
    const set = reportTables('ads', makeAds({ rows: [{ ...makeAdRow({ adId: '1', campaignId: '2' }), adName: 'Áo dài Tết', campaignName: 'Tết' } as never] }));
    expect(set.tables[0]!.columns.slice(0, 4).map((c) => [c.key, c.type, c.label.en])).toEqual([['adId', 'id', 'Ad'], ['adName', 'text', 'Ad name'], ['campaignId', 'id', 'Campaign'], ['campaignName', 'text', 'Campaign name']]);
  });
});
