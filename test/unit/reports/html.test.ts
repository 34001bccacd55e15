import { describe, expect, it } from 'vitest';
import { renderReportHtml } from '#lib/reports/html.ts';
import { makeShop } from '#test/support/factories.ts';
import { makeAdRow, makeAds, makeChatRow, makeOverview, makeStaffChat, makeTotals } from '#test/support/fixtures/reports.ts';
import { addDays } from '#lib/time/zone.ts';

const shop = makeShop('html-shop', { name: 'Thời trang Hoa Mai' });
const METRICS_URL = 'https://api.example.vn/v1/metrics';
const visible = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/&amp;/g, '&').replace(/\s+/g, ' ');

describe('renderReportHtml', () => {
  it('shows the same figures, formatted for the locale, with labels that explain themselves', () => {
    const html = renderReportHtml('overview', makeOverview(), shop, 'vi-VN', METRICS_URL);
    const seen = visible(html);
    // revenue tile of the fixture: 1,250,000 VND in vi-VN
    expect(seen).toContain('Doanh thu 1.250.000 ₫');
    expect(html).toContain(`<a href="${METRICS_URL}" title="Giá trị các đơn không bị hủy (\`orders\`), theo đơn vị chính của tiền tệ shop`);
    expect(html).toContain('<html lang="vi"');
    expect(html).toContain('name="viewport" content="width=device-width,initial-scale=1"');
  });

  it('has no script, no event handler, nothing loaded from elsewhere, and escapes names', () => {
    for (const [name, report] of [['overview', makeOverview()], ['staff-chat', makeStaffChat()], ['ads', makeAds()]] as const) {
      const html = renderReportHtml(name, report, shop, 'en', METRICS_URL);
      expect(html).not.toMatch(/<script|<iframe|<object|<embed|<link|<img|<svg|\son[a-z]+=|javascript:/i);
      expect(html.match(/(?:src|href)="[^"]*"/g)?.every((a) => a === `href="${METRICS_URL}"`) ?? true).toBe(true);
    }
    const chat = renderReportHtml('staff-chat', makeStaffChat(), shop, 'en', METRICS_URL);
    expect(chat).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co'); // a staff name from the fixtures
    // SLA per staff and per shift, as in the JSON: Lan 90 %, evening 80 %
    expect(visible(chat)).toMatch(/Nguyễn Thị Lan .* 90% morning 100% · afternoon 100% · evening 80%/);
    expect(visible(chat)).toContain('evening 10 6 2 60%');
  });

  it('stays under 90 KB for a shop with 20 staff, 20 ads and a 31-day series (Gmail clips at 102 KB)', () => {
    const staff = makeStaffChat({ rows: Array.from({ length: 20 }, (_, i) => makeChatRow({ staffId: `s${i}`, name: `Nhân viên số ${i} Nguyễn Thị Thanh` })) });
    const ads = makeAds({ rows: Array.from({ length: 20 }, (_, i) => makeAdRow({ adId: `2385${String(i).padStart(6, '0')}`, campaignId: `camp-${i}` })) });
    const overview = makeOverview({ series: Array.from({ length: 31 }, (_, i) => ({ date: addDays('2026-10-01', i), ...makeTotals() })) });
    for (const [name, report] of [['staff-chat', staff], ['ads', ads], ['overview', overview]] as const) {
      const bytes = Buffer.byteLength(renderReportHtml(name, report, shop, 'vi-VN', METRICS_URL));
      expect(bytes, name).toBeLessThan(90 * 1024);
    }
  });
});
