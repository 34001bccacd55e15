/**
 * `npx tsx bench/render-digest.ts`: what a digest email costs to render.
 *
 * 1. Cold: loading mjml and compiling templates/digest.mjml the first time
 *    (what a process without templates/compiled/digest.html pays once).
 * 2. Warm, per email: fill the compiled skeleton and write the text part
 *    (`renderDigest`), and the same plus building the view model, over 1,000
 *    emails: median and p95.
 * 3. Baseline in the same run: compiling the MJML for every email (then
 *    filling), median over 50.
 * Prints a Markdown table.
 */
import { readFileSync } from 'node:fs';
import { makeShop } from '#test/support/factories.ts';
import { ACTIVE_REFERRALS, makeAds, makeOverview, makeReferrals, makeStaffChat, makeStaffSales } from '#test/support/fixtures/reports.ts';

const quantile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * p))]!;
};
const ms = (x: number) => (x < 1 ? x.toFixed(3) : x.toFixed(1));

// 1. cold, before anything else has loaded mjml
const { compileMjml, templateSourcePath } = await import('#lib/email/compile.ts');
const source = readFileSync(templateSourcePath('digest')!, 'utf8');
let t = performance.now();
await import('mjml');
const loadMs = performance.now() - t;
t = performance.now();
const compiledHtml = await compileMjml(source);
const firstCompileMs = performance.now() - t;

const { parseSkeleton } = await import('#lib/email/skeleton.ts');
const { buildDigestView } = await import('#lib/email/view-model.ts');
const { renderDigest } = await import('#lib/email/render.ts');
const skeleton = parseSkeleton(compiledHtml);

const shop = makeShop('hoa-mai', { name: 'Thời trang Hoa Mai' });
const input = {
  shop,
  recipient: shop.recipients[0]!,
  period: 'daily' as const,
  overview: makeOverview(),
  staffChat: makeStaffChat(),
  staffSales: makeStaffSales(),
  ads: makeAds(),
  referrals: makeReferrals({ rows: ACTIVE_REFERRALS }),
  unsubscribeUrl: 'https://api.example.com/v1/unsubscribe?shop=hoa-mai&email=owner%40hoamai.vn&period=daily&sig=abc',
};
const view = buildDigestView(input);

// 2. warm, per email
const N = 1000;
for (let i = 0; i < 200; i++) renderDigest(buildDigestView(input), skeleton);
const fill: number[] = [];
const full: number[] = [];
let bytes = 0;
for (let i = 0; i < N; i++) {
  t = performance.now();
  bytes = renderDigest(view, skeleton).html.length;
  fill.push(performance.now() - t);
  t = performance.now();
  renderDigest(buildDigestView(input), skeleton);
  full.push(performance.now() - t);
}

// 3. baseline: compile the MJML for every email
const B = 50;
const perEmail: number[] = [];
for (let i = 0; i < B; i++) {
  t = performance.now();
  const html = await compileMjml(source);
  renderDigest(buildDigestView(input), parseSkeleton(html));
  perEmail.push(performance.now() - t);
}

const fillMedian = quantile(fill, 0.5);
const fullMedian = quantile(full, 0.5);
const baseMedian = quantile(perEmail, 0.5);
console.log(`Digest render (${(bytes / 1024).toFixed(0)} KB HTML, Node ${process.version})

| step | runs | median ms | p95 ms |
| --- | ---: | ---: | ---: |
| load mjml module (cold, once) | 1 | ${ms(loadMs)} | |
| compile digest.mjml (cold, once) | 1 | ${ms(firstCompileMs)} | |
| fill skeleton + text part (\`renderDigest\`), warm | ${N} | ${ms(fillMedian)} | ${ms(quantile(fill, 0.95))} |
| view model + fill + text, warm | ${N} | ${ms(fullMedian)} | ${ms(quantile(full, 0.95))} |
| baseline: compile MJML per email + fill | ${B} | ${ms(baseMedian)} | ${ms(quantile(perEmail, 0.95))} |

Compile once then fill is ${(baseMedian / fillMedian).toFixed(0)}× faster per email than compiling per email (${(baseMedian / fullMedian).toFixed(0)}× counting the view model).`);
