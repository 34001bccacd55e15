/**
 * The capacity model for one page in a livestream storm: measured write units
 * per event (bench/conflicts.ts, against DynamoDB Local, with the honest
 * meter of bench/meter.ts) combined with DynamoDB's published limits gives the
 * sustainable events per second for one page and the report lag of a burst.
 *
 * Published limits and stated assumptions (each printed with the result):
 * - a partition (and so any one item) takes at most 1,000 write units/s;
 *   a GSI partition likewise, and a throttled GSI throttles the table writes
 *   that feed it;
 * - a transactional write costs 2 units per KB (already in the measured units);
 * - TransactWriteItems of ~100 items takes L = 25 ms (stated assumption:
 *   DynamoDB states single-digit-millisecond single-item writes; a transaction
 *   is two phases over up to 100 items), and holds its items for all of L
 *   (conservative: a concurrent transaction on one of them is cancelled);
 * - transactions of one page arrive as a Poisson stream; one on a rollup shard
 *   conflicts when another on the same shard overlaps it: p = 1 − e^(−2·λs·L),
 *   and is retried (expected attempts 1 / (1 − p));
 * - the SQS poller hands out a batch when it is full (100 messages) or the
 *   batching window ends; a batch takes its reads (20 ms, assumed) plus its
 *   transactions in sequence.
 *
 * `npx tsx bench/capacity.ts` runs the model on the figures of the last
 * storm measurement given in the environment, or on the defaults below.
 */
export type ModelInput = {
  /** events one committed transaction carries in a storm (batch / transactions per batch) */
  eventsPerTx: number;
  /** committed units per event landing on the page's rollup items (all shards together) */
  rollupWruPerEvent: number;
  /** units per event on the open-waits index (GSI1) */
  gsiWruPerEvent: number;
  /** units per event on raw event chunks (RAW_SHARDS partitions per page and day) */
  rawWruPerEvent: number;
  rollupShards: number;
  openWaitShards: number;
  rawShards: number;
  batchSize: number;
  batchingWindowSeconds: number;
  txLatencyMs?: number;
};

export type ModelRow = {
  label: string;
  sustainable: number;
  limitedBy: string;
  conflictP: number;
  attempts: number;
  rollupPartitionWcu: number;
  gsiPartitionWcu: number;
  rawPartitionWcu: number;
  burstLagSeconds: number;
};

const PARTITION_WCU = 1000;
const READS_MS = 20;
const BURST_RATE = 2000;
const BURST_SECONDS = 60;

/** Conflict probability and expected attempts of a transaction on a shard at `txPerSecond` on that shard. */
function conflicts(txPerSecond: number, latencyS: number): { p: number; attempts: number } {
  const p = 1 - Math.exp(-2 * txPerSecond * latencyS);
  return { p, attempts: 1 / (1 - Math.min(p, 0.999)) };
}

type Loads = { p: number; attempts: number; rollup: number; gsi: number; raw: number; shardBusy: number; L: number };

/** Loads on one page's hot partitions at `rate` events/s. */
function loadsAt(input: ModelInput, rate: number): Loads {
  const L = (input.txLatencyMs ?? 25) / 1000;
  const perShard = rate / input.eventsPerTx / input.rollupShards;
  const { p, attempts } = conflicts(perShard, L);
  return {
    p,
    attempts,
    L,
    // cancelled attempts are counted as written too (upper bound of their cost)
    rollup: (rate * input.rollupWruPerEvent * attempts) / input.rollupShards,
    gsi: (rate * input.gsiWruPerEvent) / input.openWaitShards,
    raw: (rate * input.rawWruPerEvent * attempts) / input.rawShards,
    // fraction of each second a rollup shard is held by a transaction
    shardBusy: perShard * attempts * L,
  };
}

const LIMITS: Array<[string, (l: Loads) => boolean]> = [
  ['rollup partition (1,000 WCU/s)', (l) => l.rollup <= PARTITION_WCU],
  ['open-waits index partition (1,000 WCU/s)', (l) => l.gsi <= PARTITION_WCU],
  ['raw chunk partition (1,000 WCU/s)', (l) => l.raw <= PARTITION_WCU],
  ['transactions on a rollup shard (held ≤ 100 % of the time)', (l) => l.shardBusy <= 1],
];

/** The most events/s one page sustains, and the first limit it meets. */
export function sustainable(input: ModelInput): { rate: number; limitedBy: string } {
  let lo = 1;
  let hi = 1_000_000;
  if (LIMITS.every(([, ok]) => ok(loadsAt(input, hi)))) return { rate: hi, limitedBy: 'none below 1,000,000/s' };
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (LIMITS.every(([, ok]) => ok(loadsAt(input, mid)))) lo = mid;
    else hi = mid;
  }
  const over = loadsAt(input, hi);
  return { rate: lo, limitedBy: LIMITS.find(([, ok]) => !ok(over))![0] };
}

/** The model at the burst rate, with the lag of the last event of a 60 s burst. */
export function modelAt(input: ModelInput, label = ''): ModelRow {
  const s = sustainable(input);
  const l = loadsAt(input, Math.min(BURST_RATE, s.rate));
  // the poller hands out a batch when full or at the window's end; a batch takes reads + its transactions
  const fill = Math.min(input.batchingWindowSeconds, input.batchSize / BURST_RATE);
  const batchSeconds = READS_MS / 1000 + (input.batchSize / input.eventsPerTx) * l.L * l.attempts;
  const backlogLag = s.rate >= BURST_RATE ? 0 : (BURST_RATE * BURST_SECONDS) / s.rate - BURST_SECONDS;
  const atBurst = loadsAt(input, BURST_RATE);
  return {
    label,
    sustainable: s.rate,
    limitedBy: s.limitedBy,
    conflictP: atBurst.p,
    attempts: atBurst.attempts,
    rollupPartitionWcu: atBurst.rollup,
    gsiPartitionWcu: atBurst.gsi,
    rawPartitionWcu: atBurst.raw,
    burstLagSeconds: backlogLag + fill + batchSeconds,
  };
}

/** The model's table for the current design and the alternatives it was chosen over. */
export function capacityTable(input: ModelInput): { rows: ModelRow[]; markdown: string } {
  const variants: Array<[string, Partial<ModelInput>]> = [
    ['no sharding (1 rollup partition, 1 open-waits partition)', { rollupShards: 1, openWaitShards: 1 }],
    [`rollups sharded ×${input.rollupShards}, open waits unsharded`, { openWaitShards: 1 }],
    [`**chosen: rollups ×${input.rollupShards}, open waits ×${input.openWaitShards}**`, {}],
    [`rollups ×${input.rollupShards * 2}, open waits ×${input.openWaitShards} (fewer conflicts, twice the report queries)`, { rollupShards: input.rollupShards * 2 }],
    [`chosen, if a transaction took L = 50 ms`, { txLatencyMs: 50 }],
  ];
  const rows = variants.map(([label, o]) => modelAt({ ...input, ...o }, label));
  const f0 = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en') : '∞');
  const markdown = [
    '| design | sustainable events/s (one page) | limited by | p(conflict) at 2,000/s | attempts/tx | rollup partition WCU/s at 2,000/s | open-waits partition WCU/s | raw partition WCU/s | lag of the last event of a 60 s burst at 2,000/s |',
    '| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map(
      (r) =>
        `| ${r.label} | ${f0(r.sustainable)} | ${r.limitedBy} | ${r.conflictP.toFixed(2)} | ${r.attempts.toFixed(2)} | ${f0(r.rollupPartitionWcu)} | ${f0(r.gsiPartitionWcu)} | ${f0(r.rawPartitionWcu)} | ${r.burstLagSeconds.toFixed(1)} s |`,
    ),
  ].join('\n');
  return { rows, markdown };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { ROLLUP_SHARDS, OPEN_WAIT_SHARDS } = await import('#lib/store/keys.ts');
  const { RAW_SHARDS } = await import('#lib/store/ingest-store.ts');
  const { INGEST_BATCHING } = await import('#lib/queue/ingest-batching.ts');
  const env = (k: string, d: number) => Number(process.env[k] ?? d);
  console.log(
    capacityTable({
      eventsPerTx: env('EVENTS_PER_TX', 50),
      rollupWruPerEvent: env('ROLLUP_WRU', 0.3),
      gsiWruPerEvent: env('GSI_WRU', 1),
      rawWruPerEvent: env('RAW_WRU', 0.3),
      rollupShards: ROLLUP_SHARDS,
      openWaitShards: OPEN_WAIT_SHARDS,
      rawShards: RAW_SHARDS,
      batchSize: INGEST_BATCHING.batchSize,
      batchingWindowSeconds: INGEST_BATCHING.maxBatchingWindowSeconds,
    }).markdown,
  );
}
