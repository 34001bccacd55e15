/**
 * `npm run screenshots`: what a person sees, at phone (390 px) and desktop
 * (1280 px) width, rendered by Debian's Chromium (headless): the daily
 * digest, the `format=html` report pages of a large shop
 * (`makeLargeShopReports`: 20 chat staff, 20 ads in 20 campaigns, a 31-day
 * series), the glossary page and the page of an expired link, and the
 * digest and overview page with three insights ("what changed"). Writes
 * bench/<page>-phone.png and bench/<page>-desktop.png.
 *
 * Driven through playwright-core (a devDependency; it downloads no browser)
 * because headless Chromium's window is at least 500 px wide, and a phone is
 * 390: the viewport is set by the DevTools protocol instead. It fails
 * (exit 1) when any page is wider than its viewport: a probe evaluated in
 * the page reads the document's scrollWidth against the viewport width and
 * names the elements that stick out (a table scrolling inside its own box
 * is fine and is listed as such). The pages themselves carry no script.
 * Not part of `npm test` (it needs
 * `apt-get install -y chromium fonts-noto-core`).
 */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { renderReportHtml } from '#lib/reports/html.ts';
import { renderGlossaryHtml, renderLinkErrorHtml } from '#lib/reports/pages.ts';
import { buildDigestView } from '#lib/email/view-model.ts';
import { renderDigest } from '#lib/email/render.ts';
import { makeShop } from '#test/support/factories.ts';
import { makeAds, makeLargeShopReports, makeOverview, makeReferrals, makeStaffChat, makeStaffSales } from '#test/support/fixtures/reports.ts';
import { digestWithInsights, threeInsights } from '#test/support/fixtures/insights-digest.ts';
import { insightsHtml } from '#lib/insights/html.ts';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
if (!existsSync(CHROMIUM)) {
  console.error(`No Chromium at ${CHROMIUM}: apt-get install -y chromium fonts-noto-core (or set CHROMIUM)`);
  process.exit(1);
}

const shop = makeShop('html-shop', { name: 'Thời trang Hoa Mai' });
const large = makeLargeShopReports();
const GLOSSARY = 'https://api.example.vn/v1/glossary?lang=vi';
const digest = renderDigest(
  buildDigestView({
    shop,
    recipient: { email: 'owner@example.vn', daily: true, weekly: true },
    period: 'daily',
    overview: makeOverview(),
    staffChat: makeStaffChat(),
    staffSales: makeStaffSales(),
    ads: makeAds(),
    referrals: makeReferrals(10),
    unsubscribeUrl: 'https://api.example.vn/v1/unsubscribe?t=x',
    reportUrl: 'https://api.example.vn/v1/report-pages/html-shop/overview?from=2026-11-22&to=2026-11-22&exp=1&sig=x',
  } as Parameters<typeof buildDigestView>[0]),
).html;

const PAGES: Record<string, string> = {
  digest,
  'report-overview': renderReportHtml('overview', large.overview, shop, 'vi-VN', GLOSSARY),
  'report-staff-chat': renderReportHtml('staff-chat', large.staffChat, shop, 'vi-VN', GLOSSARY),
  'report-ads': renderReportHtml('ads', large.ads, shop, 'vi-VN', GLOSSARY),
  'report-overview-en': renderReportHtml('overview', large.overview, shop, 'en', GLOSSARY.replace('lang=vi', 'lang=en')),
  // what changed and why (issue 24): the size fixture's digest (20 staff, 20 ads) and a day's overview page with three insights
  'digest-insights-vi': digestWithInsights('vi-VN').html,
  'digest-insights-en': digestWithInsights('en').html,
  'report-overview-insights': renderReportHtml('overview', large.overview, shop, 'vi-VN', GLOSSARY, insightsHtml('daily', threeInsights('vi-VN'), 'vi-VN')),
  glossary: renderGlossaryHtml('vi-VN'),
  'link-expired': renderLinkErrorHtml('expired', 'vi-VN'),
};
const WIDTHS = { phone: 390, desktop: 1280 } as const;

type Probe = { w: number; scrollWidth: number; height: number; out: string[]; boxes: Array<[number, number]> };

/** Runs in the page (a string: this project compiles without the DOM types): its width against the viewport's, the elements sticking out, and the table boxes that scroll. */
const PROBE = `(() => {
  const w = window.innerWidth, doc = document.documentElement;
  const name = (e) => e.tagName.toLowerCase() + (typeof e.className === 'string' && e.className ? '.' + e.className.split(' ').join('.') : '');
  const out = [...document.body.querySelectorAll('*')].filter((e) => !e.closest('.scroll') && e.getBoundingClientRect().right > w + 0.5).slice(0, 8).map(name);
  const boxes = [...document.querySelectorAll('.scroll')].map((b) => [b.clientWidth, b.scrollWidth]);
  return { w, scrollWidth: doc.scrollWidth, height: doc.scrollHeight, out, boxes };
})()`;

const failures: string[] = [];
mkdirSync('bench', { recursive: true });
const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--hide-scrollbars'] });
try {
  for (const [name, html] of Object.entries(PAGES)) {
    for (const [label, w] of Object.entries(WIDTHS)) {
      const context = await browser.newContext({ viewport: { width: w, height: 900 }, javaScriptEnabled: true });
      // nothing leaves the machine: the pages load nothing, and anything they tried would fail here
      await context.route('**/*', (route) => route.abort());
      const page = await context.newPage();
      await page.setContent(html, { waitUntil: 'load' });
      const p = (await page.evaluate(PROBE)) as Probe;
      const scrolling = p.boxes.filter(([c, sw]) => sw > c + 1).length;
      const line = `${name} ${label}: viewport ${p.w} px, content ${p.scrollWidth} px, ${p.boxes.length} tables (${scrolling} scroll inside their box), height ${p.height} px`;
      if (p.scrollWidth > p.w) failures.push(`${line}; wider than the viewport: ${p.out.join(', ')}`);
      console.log(line);
      await page.screenshot({ path: path.resolve('bench', `${name}-${label}.png`), fullPage: true });
      await context.close();
    }
  }
} finally {
  await browser.close();
}
if (failures.length > 0) {
  console.error(`\n${failures.length} page(s) wider than their viewport:\n${failures.join('\n')}`);
  process.exit(1);
}
console.log('\nevery page fits its viewport at 390 and 1280 px');
