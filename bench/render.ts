import { buildDigestView } from '#lib/email/view-model.ts';
import { renderDigest } from '#lib/email/render.ts';
import { shopInputSchema } from '#lib/shops/schema.ts';
import { makeAds, makeOverview, makeReferrals, makeStaffChat, makeStaffSales } from '../test/support/fixtures/reports.ts';

/** Digest render time per email (warm), against compiling the MJML for every email. */
export async function measureDigestRender() {
  const shop = { ...shopInputSchema.parse({ name: 'Thời trang Hoa Mai' }), shopId: 'bench', updatedAt: '' };
  const input = {
    shop,
    recipient: { email: 'owner@example.vn', daily: true, weekly: true },
    period: 'daily' as const,
    overview: makeOverview(),
    staffChat: makeStaffChat(),
    staffSales: makeStaffSales(),
    ads: makeAds(),
    referrals: makeReferrals(10),
    unsubscribeUrl: 'https://example.com/u',
  };
  const time = (fn: () => unknown) => {
    const t = performance.now();
    fn();
    return performance.now() - t;
  };
  for (let i = 0; i < 50; i++) renderDigest(buildDigestView(input)); // warm up
  const n = 1000;
  const warm = Array.from({ length: n }, () => time(() => renderDigest(buildDigestView(input)))).sort((a, b) => a - b);
  const { default: mjml2html } = await import('mjml');
  const { readFileSync } = await import('node:fs');
  const source = readFileSync(new URL('../templates/digest.mjml', import.meta.url), 'utf8');
  await mjml2html(source);
  const baselineN = 30;
  const base: number[] = [];
  for (let i = 0; i < baselineN; i++) {
    const t = performance.now();
    await mjml2html(source, { validationLevel: 'strict' });
    renderDigest(buildDigestView(input));
    base.push(performance.now() - t);
  }
  base.sort((a, b) => a - b);
  const q = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;
  return { n, median: q(warm, 0.5), p95: q(warm, 0.95), baselineN, baselineMedian: q(base, 0.5), baselineP95: q(base, 0.95) };
}
