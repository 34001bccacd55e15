import { describe, expect, it } from 'vitest';
import type { Locale } from '#lib/shops/schema.ts';
import { buildDigestView, type DigestInput } from '#lib/email/view-model.ts';
import { digestSkeleton, renderDigest } from '#lib/email/render.ts';
import { makeShop } from '#test/support/factories.ts';
import { ACTIVE_REFERRALS, makeAds, makeOverview, makeReferrals, makeStaffChat, makeStaffSales, makeLargeShopReports } from '#test/support/fixtures/reports.ts';

const shop = makeShop('hoa-mai', { name: 'Thời trang Hoa Mai' });
const UNSUBSCRIBE = 'https://api.example.com/v1/unsubscribe?shop=hoa-mai&email=owner%40hoamai.vn&period=daily&sig=abc';

function input(locale: Locale | undefined, o: Partial<DigestInput> = {}): DigestInput {
  return {
    shop,
    recipient: { email: 'owner@hoamai.vn', ...(locale ? { locale } : {}), daily: true, weekly: true },
    period: 'daily',
    overview: makeOverview(),
    staffChat: makeStaffChat(),
    staffSales: makeStaffSales(),
    ads: makeAds(),
    referrals: makeReferrals(),
    unsubscribeUrl: UNSUBSCRIBE,
    ...o,
  };
}
const render = (locale: Locale | undefined, o: Partial<DigestInput> = {}) => renderDigest(buildDigestView(input(locale, o)));
/** The HTML's visible text, tags dropped and whitespace collapsed, to assert on what a reader sees in order. */
const visible = (html: string) => html.replace(/<!--[\s\S]*?-->/g, ' ').replace(/<style[\s\S]*?<\/style>/g, ' ').replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');

describe('digest email (vi-VN, the shop default)', () => {
  const { subject, html, text } = render(undefined);
  const seen = visible(html);

  it('has a subject with the period and the headline figures', () => {
    expect(subject).toBe('Thời trang Hoa Mai · Báo cáo ngày 22/11/2026: 1.250.000 ₫ doanh thu, 24 đơn');
    expect(html).toContain('<html lang="vi"');
  });

  it('shows every KPI tile with its change against the previous day', () => {
    expect(seen).toContain('Khách tiếp cận 120 ▲ 25%');
    expect(seen).toContain('Khách được chăm sóc 100 —'); // previous 0
    expect(seen).toContain('Khách hàng mới 40 ▼ 20%');
    expect(seen).toContain('Đơn hàng 24 ▼ 20%');
    expect(seen).toContain('Doanh thu 1.250.000 ₫ ▲ 25%');
    // the day's deliveries, whenever the orders were created (SPEC §4.3), not a share of yesterday's new orders
    expect(seen).toContain('Đơn giao thành công 15 0%');
    expect(seen).toContain('Tiền hàng đã giao 780.000 ₫ 0%');
    expect(seen).toContain('Tỉ lệ chốt đơn 25% ▲ 25%');
    // 75 % of the orders have a known cost: said beside the profit
    expect(seen).toContain('Lợi nhuận gộp 500.000 ₫ 0% trên 75% đơn có giá vốn');
    expect(seen).toContain('Đơn hủy 6 ▲ 50%');
    expect(seen).not.toMatch(/Đã giao \d+ · /);
  });

  it('colours a rise green, except for cancelled orders, where it is red', () => {
    expect(html).toMatch(/color:#047857;">▲ 25%</);
    expect(html).toMatch(/color:#b91c1c;">▼ 20%</); // fewer orders
    expect(html).toMatch(/color:#b91c1c;">▲ 50%</); // more cancellations
    expect(html).toMatch(/color:#4b5563;">—</);
  });

  it('shows the cohort funnel in customers, each step as a share of the one before', () => {
    expect(seen).toContain('Số khách; mỗi bước là một phần khách của bước trước, trong cùng kỳ.');
    expect(seen).toMatch(/% bước trước Khách tiếp cận 120 .*Khách được trả lời 100 83,3% .*Khách đặt hàng 24 24% .*Khách nhận hàng 18 75%/);
  });

  it('draws customers reached by hour as 24 table cells, bar heights in proportion', () => {
    expect(html.match(/<td valign="bottom" title="\d\d:00–\d\d:00: \d+"/g)).toHaveLength(24);
    expect(html).toContain('title="20:00–21:00: 16"');
    expect(html).toMatch(/height="64" style="height:64px;background-color:#0f766e;/); // the peak
    expect(html).toMatch(/height="36" style="height:36px;background-color:#2dd4bf;/); // 9 of 16 → 36 px
    expect(seen).toContain('Cao điểm: 20:00–21:00 (16 khách)');
    expect(html).not.toMatch(/<svg|<script|<img/i);
  });

  it('lists top staff, chat staff (median and P90 first, SLA rate, replies, missed per shift) and sales staff', () => {
    expect(seen).toContain('1. Nguyễn Thị Lan 60 850.000 ₫');
    expect(seen).toContain('Trung vị P90 Trả lời trong 15 phút Trả lời tin nhắn Trả lời bình luận Bỏ lỡ');
    // SLA: fixture rows answer 90 % in time overall, 100 % in the morning and afternoon, 80 % in the evening;
    // the average is kept, after them, in the detail line
    expect(seen).toContain('Nguyễn Thị Lan 1 phút 30 giây 10 phút 90% 50 10 2 TB 2 phút 5 giây · Trả lời trong 15 phút: 90% (sáng 100% · chiều 100% · tối 80%) Bỏ lỡ theo ca: sáng 0 · chiều 0 · tối 2');
    expect(seen).toContain('Trần Văn Minh 25 phút 2 giờ 90% 20 30 3 TB 1 giờ 5 phút · Trả lời trong 15 phút: 90% (sáng 100% · chiều 100% · tối 80%) Bỏ lỡ theo ca: sáng 1 · chiều 2 · tối 0');
    expect(seen).toContain('Chưa rõ nhân viên 5 phút 15 phút 90% 4 2 1 TB 6 phút 40 giây');
    expect(seen).toMatch(/Chưa rõ nhân viên .* Trả lời tự động 2 giây 5 giây 90% 70 0 0 /); // automated: apart, last
    expect(seen).not.toContain('Nghỉ phép'); // no activity: no row
    expect(seen).toMatch(/Nguyễn Thị Lan 17 850.000 ₫ 340.000 ₫ 30% .*Trần Văn Minh 7 400.000 ₫ 160.000 ₫ 20%/); // by revenue
  });

  it('lists ads by revenue, by name where one is known, with ROAS and cost per conversation', () => {
    expect(seen).toContain('Chi phí Doanh thu ROAS Giá tin nhắn Đơn');
    expect(seen).toMatch(/Áo dài Tết – video 15s · chiến dịch Tết 2027 250.000 ₫ 800.000 ₫ 3,2x 6.250 ₫ 10 .*Quảng cáo 2385002 100.000 ₫ 150.000 ₫ 1,5x 2.500 ₫ 2/);
    expect(seen).not.toContain('2385001'); // its name is known
  });

  it('states when the figures were read, in the shop zone, and links to unsubscribe', () => {
    expect(seen).toContain('Số liệu tính đến 08:00 23/11/2026 (GMT+7)');
    expect(seen).toContain('Thời trang Hoa Mai');
    expect(html).toContain(`href="${UNSUBSCRIBE.replace(/&/g, '&amp;')}"`);
  });

  it('has a plain-text part with the same figures', () => {
    expect(text).toContain('- Doanh thu: 1.250.000 ₫ (▲ 25%)');
    expect(text).toContain(
      '- Nguyễn Thị Lan: Trung vị 1 phút 30 giây · P90 10 phút · Trả lời trong 15 phút 90% (sáng 100% · chiều 100% · tối 80%) · Trả lời tin nhắn 50 · Trả lời bình luận 10 · Bỏ lỡ 2 (sáng 0 · chiều 0 · tối 2) · TB 2 phút 5 giây',
    );
    expect(text).toContain('- Khách được trả lời: 100 (83,3% so với bước trước)');
    expect(text).toContain('- Lợi nhuận gộp: 500.000 ₫ (0%) · trên 75% đơn có giá vốn');
    expect(text).toContain('- Đơn giao thành công: 15 (0%)');
    expect(text).toContain('- Áo dài Tết – video 15s (chiến dịch Tết 2027): Chi phí 250.000 ₫ · Doanh thu 800.000 ₫ · ROAS 3,2x · Giá tin nhắn 6.250 ₫ · Đơn 10');
    expect(text).toContain('20:00 ████████████████████ 16');
    expect(text).toContain('Số liệu tính đến 08:00 23/11/2026 (GMT+7)');
    expect(text).toContain(`Hủy nhận báo cáo ngày: ${UNSUBSCRIBE}`);
    expect(text).not.toContain('&amp;');
  });

  it('fills every placeholder', () => {
    expect(html).not.toMatch(/\{\{|\}\}/);
  });
});

describe('digest email (en recipient of a vi-VN shop)', () => {
  const { subject, html, text } = render('en');
  const seen = visible(html);

  it('uses the recipient locale for words, money, numbers and dates', () => {
    expect(subject).toBe('Thời trang Hoa Mai · Daily report Nov 22, 2026: ₫1,250,000 revenue, 24 orders');
    expect(html).toContain('<html lang="en"');
    expect(seen).toContain('Revenue ₫1,250,000 ▲ 25%');
    expect(seen).toContain('Customers cared 100 —');
    expect(seen).toMatch(/Replied to 100 83.3% /);
    expect(seen).toContain('Deliveries 15 0%');
    expect(seen).toContain('Gross profit ₫500,000 0% over the 75% of orders with a known cost');
    expect(seen).toContain('Nguyễn Thị Lan 1m 30s 10m 90% 50 10 2 Avg 2m 5s · Answered within 15 min: 90% (morning 100% · afternoon 100% · evening 80%) Missed by shift: morning 0 · afternoon 0 · evening 2');
    expect(seen).toContain('Áo dài Tết – video 15s · campaign Tết 2027 ₫250,000 ₫800,000 3.2x ₫6,250 10');
    expect(seen).toContain('Ad 2385002 ₫100,000 ₫150,000 1.5x ₫2,500 2');
    expect(seen).toContain('Figures as of Nov 23, 2026, 08:00 (GMT+7)');
    expect(text).toContain('- Revenue: ₫1,250,000 (▲ 25%)');
  });
});

describe('escaping and optional blocks', () => {
  it('escapes names before they meet the template, in HTML and in attributes', () => {
    const { html, text } = render('en', {
      shop: { ...shop, name: 'Hoa & Mai <b>"VIP"</b>' },
      ads: makeAds({ rows: [makeAds().rows[1]!, { ...makeAds().rows[1]!, adName: '"><script>x</script>' }] }),
    });
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co');
    expect(html).toContain('Hoa &amp; Mai &lt;b&gt;&quot;VIP&quot;&lt;/b&gt;');
    expect(html).toContain('&quot;&gt;&lt;script&gt;x&lt;/script&gt;');
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<svg/i);
    expect(text).toContain('<script>alert(1)</script> & Co'); // plain text is not HTML
  });

  it('shows the referral block only when the shop has referral activity', () => {
    const without = render('en');
    expect(without.html).not.toContain('Referral programme');
    expect(without.text).not.toContain('REFERRAL');
    const withRef = render('en', { referrals: makeReferrals({ rows: ACTIVE_REFERRALS }) });
    const seen = visible(withRef.html);
    expect(seen).toContain('Referral programme');
    expect(seen).toContain('Participants 10');
    expect(seen).toContain('New customers referred 3');
    expect(seen).toContain('Share rate 40%');
    expect(seen).toContain('Referral revenue ₫900,000');
    expect(withRef.text).toContain('- Referral revenue: ₫900,000');
  });

  it('keeps tables and Outlook conditionals balanced inside every optional block, so leaving one out breaks nothing', () => {
    const skeleton = digestSkeleton().source;
    const count = (s: string, re: RegExp) => s.match(re)?.length ?? 0;
    for (const name of ['referral', 'approximate', 'chatStaffMore', 'salesStaffMore', 'adsMore', 'kpiRow.deliveries', 'kpiRow.rates', 'funnel.length', 'hasReach', 'topStaff.length', 'chatStaff.length', 'salesStaff.length', 'ads.length']) {
      const block = skeleton.slice(skeleton.indexOf(`{{#${name}}}`), skeleton.indexOf(`{{/${name}}}`));
      expect(block.length, name).toBeGreaterThan(20);
      expect(count(block, /<table\b/g), name).toBe(count(block, /<\/table>/g));
      expect(count(block, /<!--\[if /g), name).toBe(count(block, /\[endif\]-->/g));
    }
  });

  it('leaves out sections with nothing to show, shows "—" for missing times and rates, and limits long lists', () => {
    const many = Array.from({ length: 13 }, (_, i) => ({ ...makeStaffSales().rows[0]!, staffId: `s${i}`, name: `Staff ${i}`, revenue: 1000 * (13 - i), conversionRate: null }));
    const { html, text } = render('en', {
      ads: makeAds({ rows: [] }),
      staffSales: makeStaffSales({ rows: many }),
      overview: makeOverview({ topStaff: [], totals: { ...makeOverview().totals, closeRate: null } }),
    });
    const seen = visible(html);
    expect(seen).not.toContain('Top ads');
    expect(seen).not.toContain('Top staff');
    expect(seen).not.toContain('No data');
    expect(text).not.toContain('TOP ADS');
    expect(seen).toContain('Close rate — —'); // no rate, so no change either
    expect(seen).toContain('Staff 9');
    expect(seen).not.toContain('Staff 10');
    expect(seen).toContain('and 3 more');
  });

  it('renders the weekly digest with the week range', () => {
    const week = { ...makeOverview(), from: '2026-11-16', to: '2026-11-22' };
    expect(render('vi-VN', { period: 'weekly', overview: week }).subject).toBe('Thời trang Hoa Mai · Báo cáo tuần 16/11 – 22/11/2026: 1.250.000 ₫ doanh thu, 24 đơn');
    const en = render('en', { period: 'weekly', overview: week });
    expect(en.subject).toContain('Weekly report Nov 16 – 22, 2026');
    expect(visible(en.html)).toContain('Compared with the previous week');
    expect(en.text).toContain('Unsubscribe from the weekly report');
  });

  it('marks approximate distinct counts', () => {
    expect(visible(render('en', { overview: { ...makeOverview(), approximate: true } }).html)).toContain('Some customer counts are estimates');
    expect(visible(render('en').html)).not.toContain('estimates');
  });
});

describe('link to the full report of the period', () => {
  const REPORT = 'https://api.example.com/v1/report-pages/hoa-mai/overview?from=2026-11-22&to=2026-11-22&exp=1796794162&sig=abc';

  it('shows the signed link in HTML and text when the deployment signs report links', () => {
    const { html, text } = render(undefined, { reportUrl: REPORT });
    expect(html).toContain(`<a href="${REPORT.replace(/&/g, '&amp;')}" style="color:#0f766e;text-decoration:underline;">Xem báo cáo đầy đủ của kỳ này</a>`);
    expect(text).toContain(`Xem báo cáo đầy đủ của kỳ này: ${REPORT}`);
    expect(html).not.toMatch(/<script/i);
  });

  it('has no link without one', () => {
    const { html, text } = render('en');
    expect(html).not.toContain('Open the full report');
    expect(text).not.toContain('Open the full report');
  });
});

describe('figures that cannot contradict each other (issue 19)', () => {
  it('says when no order has a known cost instead of showing a profit of 0', () => {
    const overview = makeOverview({ totals: { ...makeOverview().totals, grossProfit: null, costCoverage: 0 } });
    const seen = visible(render('vi-VN', { overview }).html);
    expect(seen).toContain('Lợi nhuận gộp — — Chưa có giá vốn');
    expect(seen).not.toContain('Lợi nhuận gộp 0 ₫');
    // full coverage: no note
    const full = makeOverview({ totals: { ...makeOverview().totals, costCoverage: 1 } });
    expect(visible(render('vi-VN', { overview: full }).html)).toContain('Lợi nhuận gộp 500.000 ₫ 0% Khách được chăm sóc');
  });

  it('leaves out a row of KPI cards with nothing in it, and the funnel and hours when nobody was reached', () => {
    const zero = { deliveries: 0, deliveredRevenue: 0 };
    const quiet = makeOverview({
      totals: { ...makeOverview().totals, ...zero, customersReached: 0 },
      previous: { ...makeOverview().previous, ...zero },
      funnel: { reached: 0, cared: 0, ordered: 0, delivered: 0 },
      reachByHour: Array.from({ length: 24 }, () => 0),
    });
    const { html, text } = render('vi-VN', { overview: quiet });
    const seen = visible(html);
    expect(seen).not.toContain('Đơn giao thành công');
    expect(text).not.toContain('Đơn giao thành công');
    expect(seen).not.toContain('Phễu khách hàng');
    expect(seen).not.toContain('Khách tiếp cận theo giờ');
    expect(seen).toContain('Khách tiếp cận 0'); // the headline rows stay
  });

  it('never shows a funnel step above 100 % of the one before (the report guarantees it; the view only divides)', () => {
    const steps = buildDigestView(input('en')).funnel.map((f) => f.conversion).filter(Boolean);
    expect(steps).toEqual(['83.3%', '24%', '75%']);
  });

  it('shows ads by name and never a 17-digit id where a name is known, for a large shop', () => {
    const { ads } = makeLargeShopReports();
    const { html, text } = render('vi-VN', { ads });
    expect(html).toContain('Quảng cáo video khuyến mãi số 19'); // the top 5 by revenue: 19 … 15
    expect(html).toContain('Chiến dịch Tết số 19');
    expect(html).not.toMatch(/\d{17}/);
    expect(text).not.toMatch(/\d{17}/);
  });

  it('fetches nothing when opened: no web fonts, no stylesheet links, no remote images, links only to the report and unsubscribe', () => {
    const report = 'https://api.example.com/v1/report-pages/hoa-mai/overview?from=2026-11-22&to=2026-11-22&exp=1796794162&sig=abc';
    const { html } = render(undefined, { reportUrl: report });
    expect(html).not.toMatch(/fonts\.googleapis|@import|<link\b|<img\b|url\(/i);
    const urls = [...html.matchAll(/https?:\/\/[^\s"'<>)]+/g)].map((m) => m[0].replace(/&amp;/g, '&'));
    const allowed = new Set([report, UNSUBSCRIBE]);
    // MJML's Outlook conditional comments carry the xmlns of Office namespaces: identifiers, not fetched
    const fetched = urls.filter((u) => !u.startsWith('urn:') && !/^https?:\/\/(www\.)?w3\.org\/|schemas-microsoft-com/.test(u));
    expect(fetched.filter((u) => !allowed.has(u))).toEqual([]);
  });
});

describe('size (Gmail clips an HTML body past 102 KB)', () => {
  it('stays under 90 KB for a shop with 20 staff and 20 ads, link included', () => {
    const { staffChat: chat, ads } = makeLargeShopReports();
    const { html } = render(undefined, { staffChat: chat, ads, reportUrl: 'https://api.example.com/v1/report-pages/hoa-mai/overview?from=2026-11-22&to=2026-11-22&exp=1796794162&sig=pgW-vwKXncyDj3zFF_37c58v5XWwH5FR986BnnwA9X0' });
    expect(Buffer.byteLength(html)).toBeLessThan(90 * 1024);
  });
});
