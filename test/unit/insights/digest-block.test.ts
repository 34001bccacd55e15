import { describe, expect, it } from 'vitest';
import { digestWithInsights, threeInsights } from '#test/support/fixtures/insights-digest.ts';
import { buildDigestView } from '#lib/email/view-model.ts';
import { makeShop } from '#test/support/factories.ts';
import { makeAdRow, makeAds, makeOverview, makeReferrals, makeStaffChat, makeStaffSales, makeTotals } from '#test/support/fixtures/reports.ts';

/** The insights block of the digest: first, in the recipient's language, escaped, and the email still under Gmail's clip. */
describe('digest insights block', () => {
  it('shows three insights before the key figures, vi and en, in HTML and text, under 90 KB with 20 staff and 20 ads', () => {
    for (const [locale, title, kpis] of [['vi-VN', 'Điều gì đã thay đổi', 'Chỉ số chính'], ['en', 'What changed', 'Key figures']] as const) {
      const insights = threeInsights(locale);
      expect(insights).toHaveLength(3);
      const { html, text } = digestWithInsights(locale, insights);
      expect(Buffer.byteLength(html)).toBeLessThan(90 * 1024);
      const at = html.indexOf(title);
      expect(at).toBeGreaterThan(0);
      expect(at).toBeLessThan(html.indexOf(kpis));
      for (const i of insights) {
        expect(html).toContain(i.sentence.replaceAll('&', '&amp;'));
        expect(text).toContain(`- ${i.sentence}`);
      }
      // bad news red, good news green
      expect(html).toContain('color:#b91c1c;font-size:12px');
      expect(html).toContain('color:#047857;font-size:12px');
    }
  });

  it('an ordinary day has no block at all', () => {
    const { html, text } = digestWithInsights('en', []);
    expect(html).not.toContain('What changed');
    expect(text).not.toContain('WHAT CHANGED');
  });
});

/**
 * An insight never contradicts the figures the same digest shows elsewhere.
 * The reports below hold, for the day of `threeInsights`, the figures a
 * report computes from the same rollups, worked out by hand from the
 * fixture (test/support/fixtures/insights-history.ts, today's wiggle −2):
 * customers reached 190 + 400 = 590, cancelled orders 15 + 1 = 16; ad
 * "Tết sale" 2,000,000 ₫ spent, 1,000,000 ₫ revenue, ROAS 0.5. Each
 * insight's "now" figure must read exactly as the digest's tile or ad line
 * shows it, in both languages.
 */
describe('insights agree with the rest of the digest', () => {
  for (const locale of ['vi-VN', 'en'] as const) {
    it(`${locale}: the tiles' and the ad table's figures, formatted alike`, () => {
      const insights = threeInsights(locale);
      const view = buildDigestView({
        shop: makeShop('hoa-mai', { name: 'Thời trang Hoa Mai' }),
        recipient: { email: 'owner@hoamai.vn', locale, daily: true, weekly: true },
        period: 'daily',
        overview: makeOverview({ totals: makeTotals({ customersReached: 590, ordersCancelled: 16 }) }),
        staffChat: makeStaffChat(),
        staffSales: makeStaffSales(),
        ads: makeAds({ rows: [makeAdRow({ adId: 'ad1', adName: 'Tết sale', spend: 2_000_000, revenue: 1_000_000, roas: 0.5, orders: 5, ordersCreated: 5, conversationsStarted: 98, costPerOrder: 400_000, costPerConversation: 20_408 })] }),
        referrals: makeReferrals(),
        insights,
        unsubscribeUrl: 'https://api.example.com/u',
      });
      const vs = locale === 'en' ? ' vs ' : ' so với ';
      const byFigure = new Map(insights.map((i) => [i.figure, i.sentence]));
      expect([...byFigure.keys()].sort()).toEqual(['customersReached', 'ordersCancelled', 'roas']);
      expect(byFigure.get('customersReached')).toContain(`(${view.kpis.customersReached.value}${vs}`);
      expect(byFigure.get('ordersCancelled')).toContain(`(${view.kpis.ordersCancelled.value}${vs}`);
      const ad = view.ads.find((a) => a.name === 'Tết sale')!;
      expect(byFigure.get('roas')).toContain(`(${ad.roas}${vs}`);
      expect(byFigure.get('roas')).toContain(locale === 'en' ? `${ad.revenue} revenue on ${ad.spend} spend` : `doanh thu ${ad.revenue} trên ${ad.spend} chi phí`);
    });
  }
});
