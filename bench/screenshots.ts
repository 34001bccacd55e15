/**
 * `npm run screenshots`: the `format=html` report page at phone (390 px) and
 * desktop (1280 px) widths, rendered by Debian's Chromium (headless) from the
 * same fixture the size tests use (`makeLargeShopReports`): 20 chat staff,
 * 20 ads in 20 campaigns and a 31-day series. Writes
 * bench/report-<report>-<width>.png. Not part of `npm test` (it needs
 * `apt-get install chromium`).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { renderReportHtml } from '#lib/reports/html.ts';
import { makeShop } from '#test/support/factories.ts';
import { makeLargeShopReports } from '#test/support/fixtures/reports.ts';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
if (!existsSync(CHROMIUM)) {
  console.error(`No Chromium at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM)`);
  process.exit(1);
}
const shop = makeShop('html-shop', { name: 'Thời trang Hoa Mai' });
const large = makeLargeShopReports();
const pages = { overview: large.overview, 'staff-chat': large.staffChat, ads: large.ads } as const;
const widths = { phone: [390, 2600], desktop: [1280, 1800] } as const;
/** The overview's phone page runs past 2600 px since it shows top staff and the 24 hours. */
const TALLER: Partial<Record<string, number>> = { 'overview-phone': 3700 };

const tmp = mkdtempSync(path.join(tmpdir(), 'chatpulse-shots-'));
mkdirSync('bench', { recursive: true });
try {
  for (const [name, report] of Object.entries(pages)) {
    const file = path.join(tmp, `${name}.html`);
    writeFileSync(file, renderReportHtml(name as keyof typeof pages, report, shop, 'vi-VN', 'https://api.example.vn/v1/metrics'));
    for (const [label, [w, h0]] of Object.entries(widths)) {
      const h = TALLER[`${name}-${label}`] ?? h0;
      const out = path.resolve('bench', `report-${name}-${label}.png`);
      execFileSync(CHROMIUM, [
        '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', '--hide-scrollbars', `--user-data-dir=${path.join(tmp, 'profile')}`,
        `--window-size=${w},${h}`, `--screenshot=${out}`, `file://${file}`,
      ], { stdio: 'ignore', timeout: 60_000 });
      console.log(`${out} (${w}×${h})`);
    }
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
