/**
 * Write cost of today's ingest path and the new one, in one run on the same
 * traffic (issue 22): the deployed path (bench/deployed-path.ts: one event
 * per webhook, the chosen 20 s batching window, 5 pollers) for the chat mix
 * and the livestream storm, measured with the write meter of each commit
 * (bench/meter.ts) against DynamoDB Local. "Today" is BASELINE_WRITE_COMMIT,
 * checked out into a temporary git worktree and imported in this process
 * (its own lib/, through its own package.json imports), so both paths run
 * the same arrivals. Then dollars per million events, on demand and
 * provisioned, from the measured write units and the prices below.
 *
 * `npx tsx bench/write-cost.ts` prints the Markdown section; `npm run bench`
 * includes it.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { checkoutBaseline } from './bundle-sizes.ts';
import { chatMix, measureDeployedPath, stormMix, type Arrival, type PathFigures } from './deployed-path.ts';
import { INGEST_BATCHING } from '#lib/queue/ingest-batching.ts';

/** main before issue 22's first milestone: raw chunks inside the transaction, open waits in GSI1 (projection ALL). */
export const BASELINE_WRITE_COMMIT = 'df9c398';

/**
 * Prices (us-east-1 list, USD) and the parts of a million webhook events
 * that do not depend on the write path (README "Cost model").
 */
export const PRICES = {
  onDemandPerMillionWru: 0.625,
  onDemandPerMillionRru: 0.125,
  /** provisioned: $0.00065 per WCU-hour, $0.00013 per RCU-hour, at auto scaling's 70 % target utilisation */
  provisionedPerMillionWru: (0.00065 / 3600) * 1e6 / 0.7,
  provisionedPerMillionRru: (0.00013 / 3600) * 1e6 / 0.7,
  httpApi: 1.0,
  webhookLambda: 0.4,
  sqs: 0.42,
  ingestLambda: 0.17,
  /** state items read before each transaction, ~1 read unit per event */
  rruPerEvent: 1,
};

export type CostLine = { dynamoWrites: number; dynamoReads: number; rest: number; total: number };

/** Dollars per million events for `wruPerEvent`, on demand or provisioned. */
export function dollarsPerMillion(wruPerEvent: number, mode: 'on-demand' | 'provisioned'): CostLine {
  const w = mode === 'on-demand' ? PRICES.onDemandPerMillionWru : PRICES.provisionedPerMillionWru;
  const r = mode === 'on-demand' ? PRICES.onDemandPerMillionRru : PRICES.provisionedPerMillionRru;
  const dynamoWrites = wruPerEvent * w;
  const dynamoReads = PRICES.rruPerEvent * r;
  const rest = PRICES.httpApi + PRICES.webhookLambda + PRICES.sqs + PRICES.ingestLambda;
  return { dynamoWrites, dynamoReads, rest, total: dynamoWrites + dynamoReads + rest };
}

type Measure = (endpoint: string, label: string, arrivals: Arrival[], windowSeconds: number) => Promise<PathFigures>;

export async function measureWriteCost(endpoint: string, mixSeconds = 120): Promise<{ lines: string[]; today?: PathFigures[]; next: PathFigures[] }> {
  const mix = chatMix(mixSeconds);
  const storm = stormMix(2000, 1);
  const w = INGEST_BATCHING.maxBatchingWindowSeconds;
  const run = async (measure: Measure, who: string) => [
    await measure(endpoint, `${who}: chat mix`, mix, w),
    await measure(endpoint, `${who}: livestream storm`, storm, w),
  ];
  const baseline = await checkoutBaseline(BASELINE_WRITE_COMMIT);
  let today: PathFigures[] | undefined;
  try {
    if (baseline) {
      const mod = (await import(pathToFileURL(path.join(baseline.root, 'bench', 'deployed-path.ts')).href)) as { measureDeployedPath: Measure };
      today = await run(mod.measureDeployedPath, `today (${BASELINE_WRITE_COMMIT})`);
    }
  } finally {
    baseline?.cleanup();
  }
  const next = await run(measureDeployedPath, 'new');
  const f2 = (n: number) => n.toFixed(2);
  const f1 = (n: number) => n.toFixed(1);
  const rows = [...(today ?? []), ...next];
  const lines = [
    '## Write cost: today and the new path on the same traffic (issue 22)',
    '',
    `Both paths in this run on the same arrivals (\`bench/write-cost.ts\`): the deployed path of the section above at the chosen ${w} s window, the chat mix (${mix.length.toLocaleString('en')} events, ${mixSeconds} s) and the storm (2,000 comments in 1 s on one page). "today" is commit ${BASELINE_WRITE_COMMIT} (raw chunks inside the transaction, open waits in GSI1 projecting ALL), checked out into a temporary worktree and run with its own code and meter; "new" is this checkout (raw chunks written plainly before the transaction; open waits in their own index projecting ${'`OPEN_WAIT_INDEX_ATTRIBUTES`'}). Week and month rollup items are still written by both (issue 22 (e) not built).`,
    '',
    '| path | events | WRU/event | rollups | raw | state | index | batching lag p50 / p95 / max (s) | processing ms/batch (local) |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |',
    ...rows.map(
      (p) =>
        `| ${p.label} | ${p.events} | ${f2(p.wruPerEvent)} | ${f2(p.byKind.rollup)} | ${f2(p.byKind.raw)} | ${f2(p.byKind.state)} | ${f2(p.byKind.gsi)} | ${f1(p.lagP50)} / ${f1(p.lagP95)} / ${f1(p.lagMax)} | ${f1(p.processMsPerBatch)} |`,
    ),
    '',
    `First milestone (issue 22): ≤ 5.3 WRU/event on the chat mix — **${next[0]!.wruPerEvent <= 5.3 ? 'met' : 'missed'}** (${f2(next[0]!.wruPerEvent)}; ${f2(next[0]!.byKind.rollup)} of it are rollup updates, mostly week and month items, which issue 22 (e) removes). Lag: the batching lag is the same on both paths (same window and batches); processing per batch is measured on DynamoDB Local.`,
    '',
    `Dollars per million events, all services (HTTP API $${PRICES.httpApi.toFixed(2)}, webhook Lambda $${PRICES.webhookLambda.toFixed(2)}, SQS $${PRICES.sqs.toFixed(2)}, ingest Lambda $${PRICES.ingestLambda.toFixed(2)}, DynamoDB reads ~${PRICES.rruPerEvent} unit/event; DynamoDB writes from the WRU/event above). On demand: $${PRICES.onDemandPerMillionWru} per million write units; provisioned with auto scaling: $0.00065 per WCU-hour at a 70 % target utilisation = $${f2(PRICES.provisionedPerMillionWru)} per million (${f2(PRICES.provisionedPerMillionWru / PRICES.onDemandPerMillionWru)}× on demand), reads likewise.`,
    '',
    '| path | DynamoDB writes on demand | total on demand | DynamoDB writes provisioned | total provisioned |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...rows.map((p) => {
      const od = dollarsPerMillion(p.wruPerEvent, 'on-demand');
      const pr = dollarsPerMillion(p.wruPerEvent, 'provisioned');
      return `| ${p.label} | $${f2(od.dynamoWrites)} | **$${f2(od.total)}** | $${f2(pr.dynamoWrites)} | $${f2(pr.total)} |`;
    }),
    '',
  ];
  return { lines, ...(today ? { today } : {}), next };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { startDynamoLocal } = await import('../scripts/local/dynamodb-local.ts');
  process.env.LOG_LEVEL = 'silent';
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const d = await startDynamoLocal();
  try {
    const t0 = Date.now();
    const { lines } = await measureWriteCost(d.endpoint, Number(process.env.BENCH_MIX_SECONDS ?? 120));
    console.log(lines.join('\n'));
    console.log(`took ${Math.round((Date.now() - t0) / 1000)} s`);
  } finally {
    await d.stop();
  }
}
