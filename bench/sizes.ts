/**
 * Sizes of what a reader opens against Gmail's 102 KB clip: the daily digest
 * and the `format=html` report pages of a shop with 20 staff and 20 ads, from
 * `makeLargeShopReports`, the fixture the size tests assert < 90 KB on.
 *
 *   npx tsx bench/sizes.ts
 */
import { buildDigestView } from '#lib/email/view-model.ts';
import { renderDigest } from '#lib/email/render.ts';
import { renderReportHtml } from '#lib/reports/html.ts';
import { makeShop } from '#test/support/factories.ts';
import { makeLargeShopReports, makeOverview, makeReferrals, makeStaffSales } from '#test/support/fixtures/reports.ts';

export function measureSizes(): Array<{ page: string; bytes: number }> {
  const shop = makeShop('hoa-mai', { name: 'Thời trang Hoa Mai' });
  const { staffChat, ads, overview } = makeLargeShopReports();
  const { html: digest } = renderDigest(
    buildDigestView({
      shop,
      recipient: { email: 'owner@hoamai.vn', daily: true, weekly: true },
      period: 'daily',
      overview: makeOverview(),
      staffChat,
      staffSales: makeStaffSales(),
      ads,
      referrals: makeReferrals(),
      unsubscribeUrl: 'https://api.example.com/v1/unsubscribe?shop=hoa-mai&email=owner%40hoamai.vn&period=daily&sig=abc',
      reportUrl: 'https://api.example.com/v1/report-pages/hoa-mai/overview?from=2026-11-22&to=2026-11-22&exp=1796794162&sig=pgW-vwKXncyDj3zFF_37c58v5XWwH5FR986BnnwA9X0',
    }),
  );
  const metrics = 'https://api.example.vn/v1/metrics';
  return [
    { page: 'daily digest HTML (vi-VN, 20 chat staff of which 10 shown, 20 ads, referral block, full-report link)', bytes: Buffer.byteLength(digest) },
    { page: '`format=html` overview, 31-day series', bytes: Buffer.byteLength(renderReportHtml('overview', overview, shop, 'vi-VN', metrics)) },
    { page: '`format=html` staff-chat, 20 staff, with shifts', bytes: Buffer.byteLength(renderReportHtml('staff-chat', staffChat, shop, 'vi-VN', metrics)) },
    { page: '`format=html` ads, 20 ads in 20 campaigns', bytes: Buffer.byteLength(renderReportHtml('ads', ads, shop, 'vi-VN', metrics)) },
  ];
}

export function sizesSection(rows = measureSizes()): string[] {
  return [
    "## Sizes against Gmail's 102 KB clip (shop with 20 staff and 20 ads)",
    '',
    'Built from the fixtures of test/unit/email/digest.test.ts and test/unit/reports/html.test.ts (both assert < 90 KB), `bench/sizes.ts`:',
    '',
    '| page | bytes |',
    '| --- | ---: |',
    ...rows.map((r) => `| ${r.page} | ${(r.bytes / 1024).toFixed(1)} KB |`),
    '',
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(sizesSection().join('\n'));
