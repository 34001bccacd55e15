import { describe, expect, it } from 'vitest';
import { renderReportHtml } from '#lib/reports/html.ts';
import { makeShop } from '#test/support/factories.ts';
import { ACTIVE_REFERRALS, makeAds, makeCampaignRow, makeConversations, makeOverview, makeReferrals, makeStaffChat, makeStaffSales, makeTotals, makeLargeShopReports } from '#test/support/fixtures/reports.ts';
import type { AnyReport } from '#lib/reports/build.ts';
import type { ReportName } from '#lib/reports/types.ts';

const shop = makeShop('html-shop', { name: 'Thời trang Hoa Mai' });
const METRICS_URL = 'https://api.example.vn/v1/glossary?lang=vi';
const visible = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/&amp;/g, '&').replace(/\s+/g, ' ');
/** The text of every `<th>`, per table: [[first table's headers], …]. */
const headers = (html: string) => [...html.matchAll(/<thead>([\s\S]*?)<\/thead>/g)].map((t) => [...t[1]!.matchAll(/<th\b[^>]*>([\s\S]*?)<\/th>/g)].map((h) => visible(h[1]!).trim()));
/** The first cell of every body row, per table. */
/** The visible text of every body cell, per table and row: [[[first row's cells], …], …]. */
const bodyCells = (html: string) => [...html.matchAll(/<tbody>([\s\S]*?)<\/tbody>/g)].map((t) => [...t[1]!.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((r) => [...r[1]!.matchAll(/<td\b[^>]*>([\s\S]*?)<\/td>/g)].map((c) => visible(c[1]!).trim())));
/** The `<h2>` titles, in order. */
const titles = (html: string) => [...html.matchAll(/<h2\b[^>]*>([\s\S]*?)<\/h2>/g)].map((h) => visible(h[1]!).trim());
const firstColumn = (html: string) => [...html.matchAll(/<tbody>([\s\S]*?)<\/tbody>/g)].map((t) => [...t[1]!.matchAll(/<tr><td\b[^>]*>([\s\S]*?)<\/td>/g)].map((c) => visible(c[1]!).trim()));

// SPEC §3/§4.1 field names (written out, not read from the code): none of them may be a header.
const SPEC_FIELDS = [
  'date', 'hour', 'pageId', 'channel', 'staffId', 'name', 'adId', 'campaignId', 'shift', 'waitsClosed', 'withinSla',
  'customersReached', 'customersCared', 'newCustomers', 'messagesReceived', 'commentsReceived', 'messageConversations', 'ordersCreated', 'ordersCancelled', 'orders',
  'ordersDelivered', 'ordersReturned', 'revenue', 'provisionalRevenue', 'grossProfit', 'closeRate', 'pagesActivated', 'channelsConnected', 'reached', 'cared', 'ordered', 'delivered',
  'responseTimeAvgSeconds', 'responseTimeP90Seconds', 'messageReplies', 'commentReplies', 'conversationsAnswered', 'missedConversations', 'missedByShift', 'slaMetRate', 'slaMetRateByShift',
  'conversionRate', 'conversationsStarted', 'spend', 'roas', 'costPerOrder', 'participants', 'referred', 'sharers', 'shareRate', 'referralOrders', 'referralRevenue',
];
const EVERY_KIND: Array<[ReportName, AnyReport]> = [
  ['overview', makeOverview({ series: [{ date: '2026-11-21', ...makeTotals() }, { date: '2026-11-22', ...makeTotals() }] })],
  ['conversations', makeConversations()],
  ['staff-chat', makeStaffChat()],
  ['staff-sales', makeStaffSales()],
  ['ads', makeAds()],
  ['referrals', makeReferrals({ rows: ACTIVE_REFERRALS })],
];

describe('renderReportHtml', () => {
  it('shows the same figures, formatted for the locale, with labels that explain themselves', () => {
    const html = renderReportHtml('overview', makeOverview(), shop, 'vi-VN', METRICS_URL);
    const seen = visible(html);
    // revenue tile of the fixture: 1,250,000 VND in vi-VN
    expect(seen).toContain('Doanh thu 1.250.000 ₫');
    // each label links to its own definition on the glossary page
    expect(html).toContain(`<a class="d" href="${METRICS_URL}#overview-revenue" title="Giá trị các đơn không bị hủy (\`orders\`), theo đơn vị chính của tiền tệ shop`);
    expect(html).toContain('<html lang="vi"');
    expect(html).toContain('name="viewport" content="width=device-width,initial-scale=1"');
  });

  it('has no script, no event handler, nothing loaded from elsewhere, and escapes names', () => {
    for (const [name, report] of [['overview', makeOverview()], ['staff-chat', makeStaffChat()], ['ads', makeAds()]] as const) {
      const html = renderReportHtml(name, report, shop, 'en', METRICS_URL);
      expect(html).not.toMatch(/<script|<iframe|<object|<embed|<link|<img|<foreignObject|\son[a-z]+=|javascript:|url\(|@import/i);
      expect(html.match(/(?:src|href)="[^"]*"/g)?.every((a) => a.startsWith(`href="${METRICS_URL}`)) ?? true).toBe(true);
    }
    const chat = renderReportHtml('staff-chat', makeStaffChat(), shop, 'en', METRICS_URL);
    expect(chat).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co'); // a staff name from the fixtures
    // SLA per staff and per shift, as in the JSON: Lan 90 %, evening 80 %
    expect(visible(chat)).toMatch(/Nguyễn Thị Lan .* 90% morning 100% · afternoon 100% · evening 80%/);
    expect(visible(chat)).toContain('evening 10 6 2 60%');
  });

  it('labels every column in the reader\'s language, never with a JSON key, in every report', () => {
    for (const locale of ['vi-VN', 'en'] as const) {
      for (const [name, report] of EVERY_KIND) {
        const html = renderReportHtml(name, report, shop, locale, METRICS_URL);
        const ths = headers(html).flat();
        expect(ths.length, `${name} ${locale}`).toBeGreaterThan(0);
        for (const th of ths) {
          expect(th, `${name} ${locale}`).not.toBe('');
          expect(SPEC_FIELDS, `${name} ${locale}: <th>${th}`).not.toContain(th);
          expect(th, `${name} ${locale}`).not.toMatch(/[a-z][A-Z]/); // camelCase
        }
        // nothing a reader sees (headers, tiles, cells) is a camelCase key
        expect(visible(html), `${name} ${locale}`).not.toMatch(/\b[a-z]+[A-Z][A-Za-z]*\b/);
      }
    }
  });

  it('names the row columns and the shift totals with hand-written labels', () => {
    const chatVi = renderReportHtml('staff-chat', makeStaffChat(), shop, 'vi-VN', METRICS_URL);
    const [staffVi, shiftsVi] = headers(chatVi);
    // median and P90 first, the average after them (SPEC §3 Chat staff)
    expect(staffVi!.slice(0, 4)).toEqual(['Nhân viên', 'Phản hồi trung vị', 'Phản hồi P90', 'Phản hồi TB']);
    expect(shiftsVi).toEqual(['Ca', 'Lượt chờ đã trả lời', 'Lượt đúng hạn', 'Bỏ lỡ', 'Trả lời đúng hạn']);
    // unknown / automated rows and the default shifts read as words, as in the digest
    expect(firstColumn(chatVi)[0]).toEqual(['Nguyễn Thị Lan', 'Trần Văn Minh', '&lt;script&gt;alert(1)&lt;/script&gt; & Co', 'Chưa rõ nhân viên', 'Trả lời tự động', 'Nghỉ phép']);
    expect(firstColumn(chatVi)[1]).toEqual(['sáng', 'chiều', 'tối']);
    expect(visible(chatVi)).toContain('Trần Văn Minh 25 phút 2 giờ 1 giờ 5 phút 20 30 30 3 sáng 1 · chiều 2 · tối 0'); // Minh missed by shift
    const [, shiftsEn] = headers(renderReportHtml('staff-chat', makeStaffChat(), shop, 'en', METRICS_URL));
    expect(shiftsEn).toEqual(['Shift', 'Waits answered', 'Answered in time', 'Missed', 'Answered within SLA']);

    expect(headers(renderReportHtml('ads', makeAds(), shop, 'vi-VN', METRICS_URL))[0]!.slice(0, 3)).toEqual(['Quảng cáo', 'Chiến dịch', 'Hội thoại bắt đầu']);
    expect(headers(renderReportHtml('ads', makeAds(), shop, 'en', METRICS_URL))[0]!.slice(0, 3)).toEqual(['Ad', 'Campaign', 'Conversations started']);
    expect(headers(renderReportHtml('staff-sales', makeStaffSales(), shop, 'en', METRICS_URL))[0]![0]).toBe('Staff');

    const conv = renderReportHtml('conversations', makeConversations(), shop, 'en', METRICS_URL);
    expect(headers(conv)[0]!.slice(0, 5)).toEqual(['Date', 'Hour', 'Page', 'Channel', 'Customers reached']);
    expect(visible(conv)).toContain('Nov 22, 2026 20:00–21:00 Hoa Mai Fanpage Facebook 120');
    expect(visible(conv)).toContain('Nov 22, 2026 21:00–22:00 hoamai.ig Instagram 30');

    const overview = renderReportHtml('overview', makeOverview({ series: [{ date: '2026-11-22', ...makeTotals() }] }), shop, 'vi-VN', METRICS_URL);
    const [funnel, series] = headers(overview);
    // funnel stages count customers, and say so (beside "Đơn hàng", which counts orders)
    expect(funnel).toEqual(['Khách tiếp cận', 'Khách được trả lời', 'Khách đặt hàng', 'Khách nhận hàng']);
    expect(series!.slice(0, 2)).toEqual(['Ngày', 'Khách tiếp cận']);
    expect(firstColumn(overview)[1]).toEqual(['22/11/2026']);
    const monthly = renderReportHtml('overview', makeOverview({ seriesPeriod: 'month', series: [{ date: '2026-10', ...makeTotals() }, { date: '2026-11', ...makeTotals() }] }), shop, 'vi-VN', METRICS_URL);
    expect(headers(monthly)[1]![0]).toBe('Tháng');
    expect(firstColumn(monthly)[1]).toEqual(['10/2026', '11/2026']);
  });

  it('keeps the first column in place when a wide table scrolls sideways inside its own box, with a cue', () => {
    const html = renderReportHtml('staff-chat', makeStaffChat(), shop, 'vi-VN', METRICS_URL);
    const css = /<style>([\s\S]*?)<\/style>/.exec(html)![1]!;
    // the box scrolls, never the page; the held column is opaque; a shadow shows where more columns wait
    expect(css).toMatch(/\.scroll\{overflow-x:auto;[^}]*max-width:100%;[^}]*radial-gradient\(farthest-side at 100% 50%,rgba\(0,0,0,\.22\)/);
    expect(css).toMatch(/\.s\{position:sticky;left:0;z-index:1;background:#fff;/);
    expect(css).toMatch(/\.main\{max-width:1200px;/);
    expect(html.match(/<div class="scroll"><table>/g)).toHaveLength(2);
    // a narrow screen is told the table scrolls; a wide one is not (the media query hides the line)
    expect(html).toContain('<p class="hint">Vuốt bảng sang ngang để xem thêm cột →</p>');
    expect(css).toContain('@media (min-width:900px){.hint{display:none}}');
    // the first cell of every row, header included, is held; the others are not
    const rows = [...html.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((r) => [...r[1]!.matchAll(/<t[hd](?: class="([^"]*)")?>/g)].map((c) => c[1] ?? ''));
    expect(rows.length).toBeGreaterThan(6);
    for (const cells of rows) {
      expect(cells[0]!.split(' ')).toContain('s');
      for (const c of cells.slice(1)) expect(c.split(' ')).not.toContain('s');
    }
  });

  it('draws the overview\'s funnel, series and hours as inline SVG charts without script', () => {
    const html = renderReportHtml('overview', makeOverview({ series: [{ date: '2026-11-21', ...makeTotals({ customersReached: 40, ordersCreated: 10 }) }, { date: '2026-11-22', ...makeTotals({ customersReached: 80, ordersCreated: 5 }) }] }), shop, 'en', METRICS_URL);
    const charts = [...html.matchAll(/<svg class="chart" viewBox="0 0 400 (\d+)" role="img" aria-label="([^"]*)"[^>]*>([\s\S]*?)<\/svg>/g)];
    expect(charts.map((c) => c[2])).toEqual(['Funnel', 'By day', 'By hour of day (GMT+7)']);
    // the series: axis top at 100 (80 rounded up to 1, 2, 5 × 10^n), one bar per day; bar heights in proportion (80 → 134 × 0.8)
    const series = charts[1]![3]!;
    expect(series).toContain('>100</text>');
    const bars = [...series.matchAll(/<rect x="[\d.]+" y="([\d.]+)" width="[\d.]+" height="([\d.]+)" fill="#0f766e"\/>/g)].map((m) => Number(m[2]));
    expect(bars).toEqual([53.6, 107.2]);
    expect(series).toContain('>21/11</text>');
    // 24 hour bars
    expect([...charts[2]![3]!.matchAll(/<rect x="[\d.]+" y="[\d.]+" width="[\d.]+" height="[\d.]+" fill="#0f766e"\/>/g)]).toHaveLength(24);
  });

  it('shows the ads report\'s campaigns as their own table, figures formatted like the per-ad cells', () => {
    const report = makeAds({
      campaigns: [
        makeCampaignRow({ campaignId: 'tet-sale', campaignName: null, conversationsStarted: 70, customersReached: 65, ordersCreated: 20, orders: 18, revenue: 2_450_000, spend: 700_000, roas: 3.5, costPerOrder: 38_889 }),
        makeCampaignRow({ campaignId: 'black-friday', campaignName: null, conversationsStarted: 12, customersReached: 11, ordersCreated: 0, orders: 0, revenue: 0, spend: 300_000, roas: 0, costPerOrder: null }),
      ],
    });
    const vi = renderReportHtml('ads', report, shop, 'vi-VN', METRICS_URL);
    expect(titles(vi)).toEqual(['Theo chiến dịch']);
    expect(headers(vi)[1]).toEqual(['Chiến dịch', 'Hội thoại bắt đầu', 'Khách tiếp cận', 'Đơn đã tạo', 'Đơn hàng', 'Doanh thu', 'Chi tiêu', 'ROAS', 'Chi phí/đơn', 'Giá tin nhắn']);
    expect(bodyCells(vi)[1]).toEqual([
      ['tet-sale', '70', '65', '20', '18', '2.450.000 ₫', '700.000 ₫', '3,5x', '38.889 ₫', '6.250 ₫'],
      ['black-friday', '12', '11', '0', '0', '0 ₫', '300.000 ₫', '0x', '—', '6.250 ₫'],
    ]);
    const en = renderReportHtml('ads', report, shop, 'en', METRICS_URL);
    expect(titles(en)).toEqual(['By campaign']);
    expect(headers(en)[1]!.slice(0, 2)).toEqual(['Campaign', 'Conversations started']);
    expect(bodyCells(en)[1]![0]).toEqual(['tet-sale', '70', '65', '20', '18', '₫2,450,000', '₫700,000', '3.5x', '₫38,889', '₫6,250']);
    // a campaign whose name is known shows the name, never the id
    const named = renderReportHtml('ads', makeAds(), shop, 'vi-VN', METRICS_URL);
    expect(bodyCells(named)[1]![0]![0]).toBe('Tết 2027');
    // and an ad: its name where known, the id only where none is
    expect(bodyCells(named)[0]!.map((r) => r.slice(0, 2))).toEqual([['2385002', '—'], ['Áo dài Tết – video 15s', 'Tết 2027']]);
    // no campaign known: no empty section
    const none = renderReportHtml('ads', makeAds({ campaigns: [] }), shop, 'vi-VN', METRICS_URL);
    expect(titles(none)).toEqual([]);
    expect(headers(none)).toHaveLength(1);
  });

  it('shows the overview\'s top staff, hour profiles and the dates of the previous period', () => {
    const report = makeOverview({ previousRange: { from: '2026-11-20', to: '2026-11-21' } });
    const vi = renderReportHtml('overview', report, shop, 'vi-VN', METRICS_URL);
    expect(titles(vi)).toEqual(['Chỉ số chính (kỳ trước 20/11 – 21/11/2026 bên dưới)', 'Phễu khách hàng', 'Theo ngày', 'Nhân viên nổi bật (theo doanh thu)', 'Theo giờ trong ngày (GMT+7)']);
    const [, , topStaff, hours] = headers(vi);
    expect(topStaff).toEqual(['Nhân viên', 'Doanh thu', 'Khách chăm sóc', 'Khách mua / khách chăm sóc']);
    expect(bodyCells(vi)[2]).toEqual([
      ['Nguyễn Thị Lan', '850.000 ₫', '60', '30%'],
      ['Trần Văn Minh', '400.000 ₫', '35', '20%'],
    ]);
    expect(hours).toEqual(['Giờ', 'Khách tiếp cận theo giờ', 'Tương tác theo giờ']);
    const hourRows = bodyCells(vi)[3]!;
    expect(hourRows).toHaveLength(24);
    expect(hourRows[0]).toEqual(['00:00–01:00', '1', '9']);
    expect(hourRows[20]).toEqual(['20:00–21:00', '16', '144']); // the peak of the fixture
    expect(hourRows[23]).toEqual(['23:00–00:00', '1', '9']);

    const en = renderReportHtml('overview', report, shop, 'en', METRICS_URL);
    expect(titles(en)[0]).toBe('Key figures (previous period, Nov 20 – 21, 2026, below)');
    expect(titles(en).slice(3)).toEqual(['Top staff (by revenue)', 'By hour of day (GMT+7)']);
    expect(headers(en)[2]).toEqual(['Staff', 'Revenue', 'Customers cared', 'Buyers per customer cared']);
    expect(bodyCells(en)[2]![0]).toEqual(['Nguyễn Thị Lan', '₫850,000', '60', '30%']);

    // nobody sold: the section says so instead of an empty table
    const quiet = renderReportHtml('overview', makeOverview({ topStaff: [] }), shop, 'vi-VN', METRICS_URL);
    expect(headers(quiet)).toHaveLength(3);
    expect(visible(quiet)).toContain('Nhân viên nổi bật (theo doanh thu) Không có dữ liệu trong kỳ này.');
  });

  it('holds the first column of the campaign, top-staff and hour tables in place too', () => {
    for (const [name, report, from] of [['ads', makeAds(), 0], ['overview', makeOverview(), 1]] as const) {
      const html = renderReportHtml(name, report, shop, 'vi-VN', METRICS_URL);
      const tables = [...html.matchAll(/<table\b[\s\S]*?<\/table>/g)].map((t) => t[0]).slice(from); // the overview's funnel has no row-naming column
      expect(tables.length, name).toBe(name === 'ads' ? 2 : 3);
      for (const t of tables) {
        for (const r of t.matchAll(/<tr>([\s\S]*?)<\/tr>/g)) {
          const cells = [...r[1]!.matchAll(/<t[hd](?: class="([^"]*)")?>/g)].map((c) => (c[1] ?? '').split(' '));
          expect(cells[0], name).toContain('s');
          for (const c of cells.slice(1)) expect(c).not.toContain('s');
        }
      }
    }
  });

  it('stays under 90 KB for a shop with 20 staff, 20 ads and a 31-day series (Gmail clips at 102 KB)', () => {
    const { staffChat: staff, ads, overview } = makeLargeShopReports();
    for (const [name, report] of [['staff-chat', staff], ['ads', ads], ['overview', overview]] as const) {
      const bytes = Buffer.byteLength(renderReportHtml(name, report, shop, 'vi-VN', METRICS_URL));
      expect(bytes, name).toBeLessThan(90 * 1024);
    }
  });
});
