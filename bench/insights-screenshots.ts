/**
 * Screenshots of a digest with insights (issue 24): the daily digest of the
 * size fixture (20 chat staff, 20 ads) with three insights, in Vietnamese
 * and English, at phone (390 px) and desktop (1280 px) widths, rendered by
 * Debian's Chromium (headless). Writes bench/digest-insights-<lang>-<width>.png
 * and prints the HTML size. Not part of `npm test` (needs chromium).
 *
 *   npx tsx bench/insights-screenshots.ts
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { digestWithInsights } from '#test/support/fixtures/insights-digest.ts';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
if (!existsSync(CHROMIUM)) {
  console.error(`No Chromium at ${CHROMIUM}: apt-get install -y chromium fonts-noto-core (or set CHROMIUM)`);
  process.exit(1);
}
const tmp = mkdtempSync(path.join(tmpdir(), 'chatpulse-insight-shots-'));
try {
  for (const locale of ['vi-VN', 'en'] as const) {
    const { html } = digestWithInsights(locale);
    const file = path.join(tmp, `${locale}.html`);
    writeFileSync(file, html);
    console.log(`${locale}: ${(Buffer.byteLength(html) / 1024).toFixed(1)} KB`);
    for (const [label, w] of [['phone', 390], ['desktop', 1280]] as const) {
      const out = path.resolve('bench', `digest-insights-${locale === 'en' ? 'en' : 'vi'}-${label}.png`);
      execFileSync(CHROMIUM, [
        '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', '--hide-scrollbars', `--user-data-dir=${path.join(tmp, 'profile')}`,
        `--window-size=${w},2000`, `--screenshot=${out}`, `file://${file}`,
      ], { stdio: 'ignore', timeout: 60_000 });
      console.log(out);
    }
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
