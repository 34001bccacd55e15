/**
 * Insights on generated streams (issue 24): how many injected anomalies of
 * known size and place the digest's insights find and place right, and how
 * many insights ordinary digests carry (false alarms).
 *
 *   npx tsx bench/insights.ts     (this section alone; rewrites it in bench/RESULTS.md)
 *
 * A generated shop has three pages (a livestream page, a second Facebook
 * page, a Zalo OA), five staff, the default three shifts and three ads on
 * the Facebook pages; its size is drawn log-uniformly between 500 and 10,000
 * customers a day. Each day's rollup items are drawn from that model:
 * Poisson customers per page and shift with a day-to-day business swing
 * (log-normal, σ = 0.12), orders, cancellations and basket sizes, waits per
 * staff and shift with SLA hits, missed conversations and a log-normal
 * response time (median 90 s) put in the same histogram buckets as ingest,
 * ad conversations, spend and ad orders. In half the shops one of the four
 * comparison days is a livestream day (2–4× the livestream page's
 * customers, orders and misses), which the usual range must shrug off. "Today" is either ordinary or
 * carries one anomaly of a stated size at a stated place; the detector
 * (lib/insights/detect.ts) sees only the five days' rollup items, as the
 * digest does.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, type } from 'node:os';
import { detectInsights, type Insight, type InsightContext } from '#lib/insights/detect.ts';
import { FIGURES, type Cell } from '#lib/insights/figures.ts';
import { RT_EDGES } from '#lib/rollups/cells.ts';

let seed = 1;
function rand(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const normal = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
function poisson(l: number): number {
  if (l <= 0) return 0;
  if (l > 50) return Math.max(0, Math.round(l + Math.sqrt(l) * normal()));
  const L = Math.exp(-l);
  let k = 0;
  let p = 1;
  do {
    k++;
    p *= rand();
  } while (p > L);
  return k - 1;
}
function binomial(n: number, p: number): number {
  if (n <= 0 || p <= 0) return 0;
  if (p >= 1) return n;
  if (n > 60) return Math.min(n, Math.max(0, Math.round(n * p + Math.sqrt(n * p * (1 - p)) * normal())));
  let k = 0;
  for (let i = 0; i < n; i++) if (rand() < p) k++;
  return k;
}

/** Standard normal CDF (Abramowitz–Stegun 7.1.26 through erf). */
function phi(x: number): number {
  const t = 1 / (1 + (0.3275911 * Math.abs(x)) / Math.SQRT2);
  const y = 1 - (((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t) * Math.exp(-(x * x) / 2);
  return x >= 0 ? (1 + y) / 2 : (1 - y) / 2;
}
const probCache = new Map<number, number[]>();
/** P(wait in bucket i) for a log-normal of the given median and σ = 1, buckets as lib/rollups/cells.ts RT_EDGES. */
function bucketProbs(medianSeconds: number): number[] {
  let p = probCache.get(medianSeconds);
  if (!p) {
    const cdf = (s: number) => (s <= 0 ? 0 : phi(Math.log(s / medianSeconds)));
    p = [...RT_EDGES.map((e, i) => cdf(e) - (i === 0 ? 0 : cdf(RT_EDGES[i - 1]!))), 1 - cdf(RT_EDGES[RT_EDGES.length - 1]!)];
    probCache.set(medianSeconds, p);
  }
  return p;
}

const PAGES = [
  { pageId: 'live', channel: 'facebook', name: 'Livestream', share: 0.5 },
  { pageId: 'fb2', channel: 'facebook', name: 'Fanpage 2', share: 0.3 },
  { pageId: 'zalo', channel: 'zalo', name: 'Zalo OA', share: 0.2 },
] as const;
const STAFF = [
  { staffId: 's1', name: 'Lan', share: 0.3 },
  { staffId: 's2', name: 'Minh', share: 0.25 },
  { staffId: 's3', name: 'Hương', share: 0.2 },
  { staffId: 's4', name: 'Tuấn', share: 0.15 },
  { staffId: 's5', name: 'Nam', share: 0.1 },
] as const;
const SHIFTS = [
  { name: 'morning', share: 0.25 },
  { name: 'afternoon', share: 0.35 },
  { name: 'evening', share: 0.4 },
] as const;
const ADS = [
  { adId: 'ad1', pageId: 'live', share: 0.5, cpc: 12_000 },
  { adId: 'ad2', pageId: 'live', share: 0.3, cpc: 15_000 },
  { adId: 'ad3', pageId: 'fb2', share: 0.2, cpc: 10_000 },
] as const;
const CTX: InsightContext = { currency: 'VND', pages: PAGES.map(({ pageId, channel, name }) => ({ pageId, channel, name })), staff: STAFF.map(({ staffId, name }) => ({ staffId, name })), shifts: SHIFTS.map((s) => s.name) };

export type AnomalyKind = 'missed' | 'ordersDrop' | 'cancellations' | 'reach' | 'sla' | 'responseTime' | 'costPerConversation' | 'roas';

/** Each injected anomaly: what changes, by how much, where; the figures that may report it; where it must be placed. */
export const ANOMALIES: Record<AnomalyKind, { size: string; families: string[] }> = {
  missed: { size: "the shop's missed conversations ×3, the extra all in one shift of one page", families: ['waiting'] },
  ordersDrop: { size: "the shop's orders −50 %: one page with half of them stops selling (its customers as usual)", families: ['sales'] },
  cancellations: { size: "the shop's cancellations ×3, the extra all by one staff member", families: ['cancel'] },
  reach: { size: "the shop's customers ×2, the extra all on one page", families: ['reach'] },
  sla: { size: 'SLA hits in one shift (25–40 % of waits), all pages, 92 % → 40 %', families: ['waiting'] },
  responseTime: { size: 'waits on one page with half of them answered 5× slower', families: ['waiting'] },
  costPerConversation: { size: "one ad's (30–50 % of spend) cost per conversation ×3", families: ['adcost'] },
  roas: { size: "one ad's orders −80 % (spend as usual)", families: ['roas'] },
};
const KINDS = Object.keys(ANOMALIES) as AnomalyKind[];

type Injection = { kind: AnomalyKind; page: string; shift: string; staff: string; ad: string };

/** One day's rollup items of a shop of `size` customers a day (`scale` 7 for a week). */
function generateDay(size: number, opts: { livestream?: boolean; inject?: Injection; scale?: number } = {}): Cell[] {
  const scale = opts.scale ?? 1;
  const inj = opts.inject;
  const swing = Math.exp(0.12 * normal());
  const cells: Cell[] = [];
  for (const page of PAGES) {
    let boost = opts.livestream && page.pageId === 'live' ? 2 + 2 * rand() : 1;
    if (inj?.kind === 'reach' && inj.page === page.pageId) boost += 1 / page.share; // the shop's usual customers once more, all here
    const p: Record<string, number> = { customersReached: 0, ordersCreated: 0, ordersCancelled: 0, revenueMinor: 0 };
    const staffCells = new Map(STAFF.map((s) => [s.staffId, { ordersCreated: 0, ordersCancelled: 0, revenueMinor: 0, rtCount: 0, slaMet: 0, missed: 0 } as Record<string, number>]));
    for (const shift of SHIFTS) {
      const customers = poisson(size * scale * page.share * shift.share * swing * boost);
      p.customersReached! += customers;
      // orders: 20 % of customers (none on a page that stopped selling)
      const orderRate = inj?.kind === 'ordersDrop' && inj.page === page.pageId ? 0 : 0.2;
      const created = binomial(customers, orderRate);
      // orders and waits (about one per customer) split over staff
      let ordersLeft = created;
      let waitsLeft = customers;
      let shareLeft = 1;
      for (const s of STAFF) {
        const sc = staffCells.get(s.staffId)!;
        const o = s === STAFF[STAFF.length - 1] ? ordersLeft : binomial(ordersLeft, s.share / shareLeft);
        const w = s === STAFF[STAFF.length - 1] ? waitsLeft : binomial(waitsLeft, s.share / shareLeft);
        ordersLeft -= o;
        waitsLeft -= w;
        shareLeft -= s.share;
        let cancelled = binomial(o, 0.08);
        // twice the shop's usual cancellations more, all by this staff member (spread over pages and shifts by volume)
        if (inj?.kind === 'cancellations' && inj.staff === s.staffId) cancelled = Math.min(o, cancelled + Math.round(2 * 0.08 * 0.2 * size * scale * swing * page.share * shift.share));
        let revenue = 0;
        for (let i = 0; i < o - cancelled; i++) revenue += Math.round(300_000 * Math.exp(0.55 * normal() - 0.15));
        sc.ordersCreated! += o;
        sc.ordersCancelled! += cancelled;
        sc.revenueMinor! += revenue;
        // a missed wait is one answered late (or not yet): outside the SLA
        const missRate = 0.05 * (opts.livestream && page.pageId === 'live' ? 1.5 : 1);
        const slaRate = inj?.kind === 'sla' && inj.shift === shift.name ? 0.4 : 0.92;
        let met = binomial(w, slaRate);
        let missed = binomial(w - met, Math.min(1, missRate / (1 - slaRate)));
        if (inj?.kind === 'missed' && inj.shift === shift.name && inj.page === page.pageId) {
          // twice the shop's usual missed conversations more, spread over the staff by their share
          // (customers who wrote on top of the usual ones and waited past the SLA)
          const extra = Math.round(2 * 0.05 * size * scale * swing * s.share);
          sc.rtCount! += extra;
          sc[`slaWaits:${shift.name}`] = (sc[`slaWaits:${shift.name}`] ?? 0) + extra;
          missed += extra;
        }
        sc.rtCount! += w;
        sc.slaMet! += met;
        sc[`slaWaits:${shift.name}`] = (sc[`slaWaits:${shift.name}`] ?? 0) + w;
        sc[`slaMet:${shift.name}`] = (sc[`slaMet:${shift.name}`] ?? 0) + met;
        sc.missed! += missed;
        sc[`missed:${shift.name}`] = (sc[`missed:${shift.name}`] ?? 0) + missed;
        const slow = inj?.kind === 'responseTime' && inj.page === page.pageId ? 5 : 1;
        // response times log-normal (median 90 s, σ = 1) put in the histogram buckets: a multinomial draw
        let left = w;
        let pLeft = 1;
        const probs = bucketProbs(90 * slow);
        for (let b = 0; b < probs.length && left > 0; b++) {
          const c = b === probs.length - 1 ? left : binomial(left, Math.min(1, probs[b]! / pLeft));
          left -= c;
          pLeft -= probs[b]!;
          if (c > 0) sc[`rt${String(b).padStart(2, '0')}`] = (sc[`rt${String(b).padStart(2, '0')}`] ?? 0) + c;
        }
      }
      p.ordersCreated! += created;
    }
    for (const [staffId, f] of staffCells) {
      p.ordersCancelled! += f.ordersCancelled!;
      p.revenueMinor! += f.revenueMinor!;
      cells.push({ pageId: page.pageId, scope: 'S', entity: staffId, fields: f });
    }
    cells.push({ pageId: page.pageId, scope: 'P', fields: p });
  }
  for (const ad of ADS) {
    const conv = poisson(size * scale * 0.3 * ad.share * swing);
    const spend = Math.round(size * scale * 0.3 * ad.share * ad.cpc * (1 + 0.03 * normal()) * (inj?.kind === 'costPerConversation' && inj.ad === ad.adId ? 3 : 1));
    const orders = binomial(conv, inj?.kind === 'roas' && inj.ad === ad.adId ? 0.04 : 0.2);
    let revenue = 0;
    for (let i = 0; i < orders; i++) revenue += Math.round(300_000 * Math.exp(0.55 * normal() - 0.15));
    cells.push({ pageId: ad.pageId, scope: 'A', entity: ad.adId, fields: { conversationsStarted: conv, spendMinor: spend, ordersCreated: orders, ordersCancelled: 0, revenueMinor: revenue } });
  }
  return cells;
}

const familyOf = (i: Insight) => FIGURES[i.figure].family;
const placeOf = (inj: Injection): string => (inj.kind === 'missed' ? inj.shift : inj.kind === 'ordersDrop' || inj.kind === 'reach' || inj.kind === 'responseTime' ? inj.page : inj.kind === 'sla' ? inj.shift : inj.kind === 'costPerConversation' || inj.kind === 'roas' ? inj.ad : inj.staff);
/** Also right for a missed-conversation anomaly: the page it was injected on, named beside the shift. */
const placedRight = (i: Insight, inj: Injection): boolean => {
  const ids = [i.place?.id, i.also?.id];
  if (!ids.includes(placeOf(inj))) return false;
  return inj.kind !== 'missed' || ids.includes(inj.page) || i.place?.id === inj.page;
};

export type InsightsFigures = {
  period: 'daily' | 'weekly';
  ordinary: { digests: number; insights: number; withAny: number; figures: Record<string, number> };
  byKind: Array<{ kind: AnomalyKind; trials: number; found: number; placed: number }>;
  ms: number;
};

function measure(period: 'daily' | 'weekly', ordinaryTrials: number, anomalyTrials: number, startSeed: number): InsightsFigures {
  seed = startSeed;
  const started = performance.now();
  const scale = period === 'daily' ? 1 : 7;
  const shopSize = () => Math.round(500 * Math.exp(rand() * Math.log(20)));
  // half the shops had one livestream on one of the four comparison days
  const history = (size: number) => {
    const live = rand() < 0.5 ? Math.floor(rand() * 4) : -1;
    return Array.from({ length: 4 }, (_, k) => generateDay(size, { scale, livestream: period === 'daily' && k === live }));
  };
  const ordinary = { digests: 0, insights: 0, withAny: 0, figures: {} as Record<string, number> };
  for (let t = 0; t < ordinaryTrials; t++) {
    const size = shopSize();
    const got = detectInsights(generateDay(size, { scale }), history(size), CTX);
    ordinary.digests++;
    ordinary.insights += got.length;
    for (const i of got) ordinary.figures[i.figure] = (ordinary.figures[i.figure] ?? 0) + 1;
    if (got.length) ordinary.withAny++;
  }
  const byKind = KINDS.map((kind) => {
    let found = 0;
    let placed = 0;
    for (let t = 0; t < anomalyTrials; t++) {
      const size = shopSize();
      const inj: Injection = {
        kind,
        page: kind === 'ordersDrop' || kind === 'responseTime' ? 'live' : PAGES[Math.floor(rand() * 3)]!.pageId,
        shift: SHIFTS[Math.floor(rand() * 3)]!.name,
        staff: STAFF[Math.floor(rand() * 3)]!.staffId, // the three busiest staff
        ad: ADS[Math.floor(rand() * 2)]!.adId, // the two bigger ads
      };
      const got = detectInsights(generateDay(size, { scale, inject: inj }), history(size), CTX).filter((i) => ANOMALIES[kind].families.includes(familyOf(i)) && (kind !== 'roas' || i.ad?.adId === inj.ad));
      if (got.length) found++;
      if (got.some((i) => placedRight(i, inj))) placed++;
    }
    return { kind, trials: anomalyTrials, found, placed };
  });
  return { period, ordinary, byKind, ms: performance.now() - started };
}

export function measureInsights(): InsightsFigures[] {
  return [measure('daily', 400, 60, 24), measure('weekly', 200, 30, 2024)];
}

const pct = (a: number, b: number) => `${((100 * a) / b).toFixed(1)} %`;

export function insightsSection(figs = measureInsights()): string[] {
  const out = [
    '## Insights on generated streams (`bench/insights.ts`)',
    '',
    `Command: \`npx tsx bench/insights.ts\` (this section alone; \`npm run bench\` runs it too) · machine: ${type()} ${process.arch}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version} · run ${new Date().toISOString()}.`,
    '',
    'Generated shops of 500–10,000 customers a day (SPEC: 100–5,000 orders a day; here 100–2,000) (3 pages, 5 staff, 3 shifts, 3 ads; in half the shops one of the four comparison days a livestream day (2–4× the customers of the livestream page, 1.5× its misses)). Each anomaly is injected in "today" at a random place (page, shift, one of the three busiest staff, one of the two bigger ads); **found** = an insight of the figure family it moves, **placed right** = that insight names the injected place (for missed conversations the shift and the page, as place or "mostly" beside it). **False alarms** = insights in digests of ordinary days. Goals: ≥ 90 % found, ≤ 5 false alarms per 100 ordinary digests.',
    '',
    '| period | anomaly (size) | trials | found | placed right |',
    '| --- | --- | ---: | ---: | ---: |',
  ];
  for (const f of figs) {
    for (const k of f.byKind) out.push(`| ${f.period} | ${k.kind}: ${ANOMALIES[k.kind].size} | ${k.trials} | ${pct(k.found, k.trials)} | ${pct(k.placed, k.trials)} |`);
    const t = f.byKind.reduce((a, k) => ({ trials: a.trials + k.trials, found: a.found + k.found, placed: a.placed + k.placed }), { trials: 0, found: 0, placed: 0 });
    out.push(`| ${f.period} | **all anomalies** | ${t.trials} | **${pct(t.found, t.trials)}** | **${pct(t.placed, t.trials)}** |`);
  }
  out.push('', '| period | ordinary digests | insights in them | false alarms per 100 digests | digests with any insight | run time |', '| --- | ---: | ---: | ---: | ---: | ---: |');
  for (const f of figs) out.push(`| ${f.period} | ${f.ordinary.digests} | ${f.ordinary.insights}${f.ordinary.insights ? ` (${Object.entries(f.ordinary.figures).map(([k, n]) => `${k} ${n}`).join(', ')})` : ''} | **${((100 * f.ordinary.insights) / f.ordinary.digests).toFixed(1)}** | ${f.ordinary.withAny} | ${(f.ms / 1000).toFixed(1)} s |`);
  out.push('');
  return out;
}

/** Replaces (or appends) this section in bench/RESULTS.md. */
function writeSection(lines: string[]): void {
  const file = new URL('./RESULTS.md', import.meta.url);
  const text = readFileSync(file, 'utf8');
  const head = lines[0]!;
  const start = text.indexOf(head);
  const section = lines.join('\n');
  if (start < 0) return writeFileSync(file, `${text.trimEnd()}\n\n${section}\n`);
  const next = text.indexOf('\n## ', start + head.length);
  writeFileSync(file, `${text.slice(0, start)}${section}${next < 0 ? '\n' : text.slice(next)}`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const lines = insightsSection();
  console.log(lines.join('\n'));
  writeSection(lines);
}
