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
    expect(seen).toContain('Tỉ lệ chốt đơn 25% ▲ 25%');
    expect(seen).toContain('Lợi nhuận gộp 500.000 ₫ 0%');
    expect(seen).toContain('Đơn hủy 6 ▲ 50%');
  });

  it('colours a rise green, except for cancelled orders, where it is red', () => {
    expect(html).toMatch(/color:#047857;">▲ 25%</);
    expect(html).toMatch(/color:#b91c1c;">▼ 20%</); // fewer orders
    expect(html).toMatch(/color:#b91c1c;">▲ 50%</); // more cancellations
    expect(html).toMatch(/color:#4b5563;">—</);
  });

  it('shows the funnel with conversion from each previous step', () => {
    expect(seen).toMatch(/Tiếp cận 120 .*Được chăm sóc 100 83,3% .*Đặt hàng 24 24% .*Đã giao 18 75%/);
  });

  it('draws customers reached by hour as 24 table cells, bar heights in proportion', () => {
    expect(html.match(/<td valign="bottom" title="\d\d:00–\d\d:00: \d+"/g)).toHaveLength(24);
    expect(html).toContain('title="20:00–21:00: 16"');
    expect(html).toMatch(/height="64" style="height:64px;background-color:#0f766e;/); // the peak
    expect(html).toMatch(/height="36" style="height:36px;background-color:#2dd4bf;/); // 9 of 16 → 36 px
    expect(seen).toContain('Cao điểm: 20:00–21:00 (16 khách)');
    expect(html).not.toMatch(/<svg|<script|<img/i);
  });

  it('lists top staff, chat staff (response times, replies, missed per shift) and sales staff', () => {
    expect(seen).toContain('1. Nguyễn Thị Lan 60 850.000 ₫ 30%');
    // SLA: fixture rows answer 90 % in time overall, 100 % in the morning and afternoon, 80 % in the evening
    expect(seen).toContain('Nguyễn Thị Lan 2 phút 5 giây 10 phút 50 10 2 Trả lời trong 15 phút: 90% (sáng 100% · chiều 100% · tối 80%) Bỏ lỡ theo ca: sáng 0 · chiều 0 · tối 2');
    expect(seen).toContain('Trần Văn Minh 1 giờ 5 phút 2 giờ 20 30 3 Trả lời trong 15 phút: 90% (sáng 100% · chiều 100% · tối 80%) Bỏ lỡ theo ca: sáng 1 · chiều 2 · tối 0');
    expect(seen).toContain('Chưa rõ nhân viên 6 phút 40 giây 15 phút 4 2 1');
    expect(seen).toMatch(/Chưa rõ nhân viên .* Trả lời tự động 2 giây 5 giây 70 0 0 /); // automated: apart, last
    expect(seen).not.toContain('Nghỉ phép'); // no activity: no row
    expect(seen).toMatch(/Nguyễn Thị Lan 17 850.000 ₫ 340.000 ₫ 30% .*Trần Văn Minh 7 400.000 ₫ 160.000 ₫ 20%/); // by revenue
  });

  it('lists ads by revenue with ROAS', () => {
    expect(seen).toMatch(/Quảng cáo 2385001 · chiến dịch tet-sale 250.000 ₫ 800.000 ₫ 3,2x 10 .*Quảng cáo 2385002 100.000 ₫ 150.000 ₫ 1,5x 2/);
  });

  it('states when the figures were read, in the shop zone, and links to unsubscribe', () => {
    expect(seen).toContain('Số liệu tính đến 08:00 23/11/2026 (GMT+7)');
    expect(seen).toContain('Thời trang Hoa Mai');
    expect(html).toContain(`href="${UNSUBSCRIBE.replace(/&/g, '&amp;')}"`);
  });

  it('has a plain-text part with the same figures', () => {
    expect(text).toContain('- Doanh thu: 1.250.000 ₫ (▲ 25%)');
    expect(text).toContain('Bỏ lỡ 2 (sáng 0 · chiều 0 · tối 2) · Trả lời trong 15 phút 90% (sáng 100% · chiều 100% · tối 80%)');
    expect(text).toContain('- Được chăm sóc: 100 (83,3% so với bước trước)');
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
    expect(seen).toMatch(/Cared for 100 83.3% /);
    expect(seen).toContain('Nguyễn Thị Lan 2m 5s 10m 50 10 2 Answered within 15 min: 90% (morning 100% · afternoon 100% · evening 80%) Missed by shift: morning 0 · afternoon 0 · evening 2');
    expect(seen).toContain('Ad 2385001 · campaign tet-sale ₫250,000 ₫800,000 3.2x 10');
    expect(seen).toContain('Figures as of Nov 23, 2026, 08:00 (GMT+7)');
    expect(text).toContain('- Revenue: ₫1,250,000 (▲ 25%)');
  });
});

describe('escaping and optional blocks', () => {
  it('escapes names before they meet the template, in HTML and in attributes', () => {
    const { html, text } = render('en', {
      shop: { ...shop, name: 'Hoa & Mai <b>"VIP"</b>' },
      ads: makeAds({ rows: [makeAds().rows[1]!, { ...makeAds().rows[1]!, adId: '"><script>x</script>' }] }),
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
    for (const name of ['referral', 'approximate', 'chatStaffMore', 'salesStaffMore', 'adsMore']) {
      const block = skeleton.slice(skeleton.indexOf(`{{#${name}}}`), skeleton.indexOf(`{{/${name}}}`));
      expect(block.length, name).toBeGreaterThan(20);
      expect(count(block, /<table\b/g), name).toBe(count(block, /<\/table>/g));
      expect(count(block, /<!--\[if /g), name).toBe(count(block, /\[endif\]-->/g));
    }
  });

  it('says so when a table has no rows, shows "—" for missing times and rates, and limits long lists', () => {
    const many = Array.from({ length: 13 }, (_, i) => ({ ...makeStaffSales().rows[0]!, staffId: `s${i}`, name: `Staff ${i}`, revenue: 1000 * (13 - i), conversionRate: null }));
    const { html } = render('en', {
      ads: makeAds({ rows: [] }),
      staffSales: makeStaffSales({ rows: many }),
      overview: makeOverview({ topStaff: [], totals: { ...makeOverview().totals, closeRate: null } }),
    });
    const seen = visible(html);
    expect(seen).toMatch(/Top ads .*No data for this period\./);
    expect(seen).toMatch(/Top staff .*No data for this period\./);
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

describe('size (Gmail clips an HTML body past 102 KB)', () => {
  it('stays under 90 KB for a shop with 20 staff and 20 ads, link included', () => {
    const { staffChat: chat, ads } = makeLargeShopReports();
    const { html } = render(undefined, { staffChat: chat, ads, reportUrl: 'https://api.example.com/v1/report-pages/hoa-mai/overview?from=2026-11-22&to=2026-11-22&exp=1796794162&sig=pgW-vwKXncyDj3zFF_37c58v5XWwH5FR986BnnwA9X0' });
    expect(Buffer.byteLength(html)).toBeLessThan(90 * 1024);
  });
});
