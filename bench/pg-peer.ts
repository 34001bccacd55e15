/**
 * The peer a shop would otherwise pick: raw events in PostgreSQL and the SQL
 * a Chatwoot-style report runs (GROUP BY day, COUNT DISTINCT customers), for
 * the 30-day overview of one page. Uses Debian's PostgreSQL server binaries
 * (`apt-get install -y postgresql`), started for the run on 127.0.0.1 with a
 * throw-away data folder, as a non-root user (`nobody` when run as root);
 * queries go through `psql`. Bench only: `npm test` never needs it.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync, createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { once } from 'node:events';

/** `ms`: median wall time of the report's two statements through psql, less psql's own start (a `SELECT 1` timed alike); `executionMs`: server time from EXPLAIN ANALYZE (TIMING OFF). */
export type PgFigures = { events: number; rowsRead: number; ms: number; executionMs: number; days: number };

function pgBin(): string | undefined {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return undefined;
  const v = readdirSync(base).sort().pop();
  return v && existsSync(path.join(base, v, 'bin', 'postgres')) ? path.join(base, v, 'bin') : undefined;
}

const asUser = (cmd: string, args: string[]): [string, string[]] => (process.getuid?.() === 0 ? ['runuser', ['-u', 'nobody', '--', cmd, ...args]] : [cmd, args]);

export class PgServer {
  private constructor(
    private readonly bin: string,
    readonly dir: string,
    readonly port: number,
  ) {}

  static async start(): Promise<PgServer | string> {
    const bin = pgBin();
    if (!bin) return 'PostgreSQL server binaries not found (apt-get install -y postgresql)';
    const dir = mkdtempSync(path.join(tmpdir(), 'chatpulse-pg-'));
    if (process.getuid?.() === 0) chownSync(dir, 65534, 65534);
    const port = 20000 + Math.floor(Math.random() * 20000);
    const run = (cmd: string, args: string[]) => {
      const [c, a] = asUser(path.join(bin, cmd), args);
      const r = spawnSync(c, a, { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr || r.stdout}`);
    };
    try {
      run('initdb', ['-D', path.join(dir, 'data'), '-A', 'trust', '-U', 'bench', '--no-sync']);
      run('pg_ctl', ['-D', path.join(dir, 'data'), '-l', path.join(dir, 'log'), '-w', '-o', `-p ${port} -h 127.0.0.1 -k ${dir} -c fsync=off -c shared_buffers=128MB`, 'start']);
    } catch (err) {
      return (err as Error).message;
    }
    return new PgServer(bin, dir, port);
  }

  psql(sql: string, file?: string): string {
    const args = ['-h', '127.0.0.1', '-p', String(this.port), '-U', 'bench', '-d', 'postgres', '-At', '-v', 'ON_ERROR_STOP=1', ...(file ? ['-f', file] : ['-c', sql])];
    return execFileSync(path.join(this.bin, 'psql'), args, { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  }

  stop(): void {
    const [c, a] = asUser(path.join(this.bin, 'pg_ctl'), ['-D', path.join(this.dir, 'data'), '-m', 'immediate', 'stop']);
    spawnSync(c, a);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

const END = '2026-11-20';
const TZ = 'Asia/Ho_Chi_Minh';

/** `n` events over the 365 days before END, shaped like bench/reports.ts: a message, a reply, an order every fourth. */
async function writeCsv(file: string, n: number): Promise<void> {
  const out = createWriteStream(file);
  const start = Date.parse(`2025-11-21T08:00:00+07:00`);
  let written = 0;
  for (let i = 0; written < n; i++) {
    const t = start + Math.floor((i / (n / 3)) * 365 * 86_400_000) + (i % 50) * 60_000;
    const c = `c${i % 5000}`;
    const rows = [`m${i},bench,p,${c},message,${new Date(t).toISOString()},`, `r${i},bench,p,${c},reply,${new Date(t + 120_000).toISOString()},`];
    if (i % 4 === 0) rows.push(`o${i},bench,p,${c},order,${new Date(t + 600_000).toISOString()},${150000 + (i % 7) * 10000}`);
    for (const r of rows) {
      if (written++ >= n) break;
      if (!out.write(`${r}\n`)) await once(out, 'drain');
    }
  }
  out.end();
  await once(out, 'finish');
}

/** The 30-day overview as a Chatwoot-style report computes it from raw rows: per day, and distinct totals over the range. */
export function overviewSql(from: string, to: string): string {
  const range = `shop_id = 'bench' AND page_id = 'p' AND created_at >= (timestamp '${from} 00:00' AT TIME ZONE '${TZ}') AND created_at < (timestamp '${to} 00:00' AT TIME ZONE '${TZ}' + interval '1 day')`;
  return `
SELECT (created_at AT TIME ZONE '${TZ}')::date AS day,
  COUNT(*) FILTER (WHERE kind = 'message') AS messages_received,
  COUNT(DISTINCT customer_id) FILTER (WHERE kind = 'message') AS customers_reached,
  COUNT(DISTINCT customer_id) FILTER (WHERE kind = 'reply') AS customers_cared,
  COUNT(*) FILTER (WHERE kind = 'order') AS orders_created,
  COALESCE(SUM(total) FILTER (WHERE kind = 'order'), 0) AS revenue
FROM events WHERE ${range} GROUP BY 1 ORDER BY 1;
SELECT COUNT(DISTINCT customer_id) FILTER (WHERE kind = 'message'), COUNT(DISTINCT customer_id) FILTER (WHERE kind = 'reply') FROM events WHERE ${range};`;
}

/** Rows the scans of a plan read (actual rows × loops of every scan node). */
function rowsScanned(plan: Record<string, unknown>): number {
  const self = String(plan['Node Type'] ?? '').includes('Scan') ? Number(plan['Actual Rows'] ?? 0) * Number(plan['Actual Loops'] ?? 1) : 0;
  return self + ((plan.Plans as Array<Record<string, unknown>>) ?? []).reduce((a, p) => a + rowsScanned(p), 0);
}

export async function measurePg(pg: PgServer, n: number, days = 30): Promise<PgFigures> {
  pg.psql(
    'DROP TABLE IF EXISTS events; CREATE TABLE events (id text PRIMARY KEY, shop_id text NOT NULL, page_id text NOT NULL, customer_id text NOT NULL, kind text NOT NULL, created_at timestamptz NOT NULL, total numeric); CREATE INDEX events_page_time ON events (shop_id, page_id, created_at);',
  );
  const csv = path.join(pg.dir, 'events.csv');
  await writeCsv(csv, n);
  if (process.getuid?.() === 0) chownSync(csv, 65534, 65534);
  pg.psql(`\\copy events FROM '${csv}' WITH (FORMAT csv)`);
  pg.psql('VACUUM ANALYZE events');
  const from = new Date(Date.parse(`${END}T00:00:00Z`) - (days - 1) * 86_400_000).toISOString().slice(0, 10);
  const sql = overviewSql(from, END);
  pg.psql(sql); // warm
  const runs: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    pg.psql(sql);
    runs.push(performance.now() - t0);
  }
  runs.sort((a, b) => a - b);
  // psql's own start and round trip, measured the same way, is taken off
  const empty: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    pg.psql('SELECT 1');
    empty.push(performance.now() - t0);
  }
  empty.sort((a, b) => a - b);
  // rows read and server time, from the plans
  let rowsRead = 0;
  let executionMs = 0;
  for (const stmt of sql.split(';').map((s) => s.trim()).filter(Boolean)) {
    const plan = JSON.parse(pg.psql(`EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) ${stmt}`)) as Array<{ Plan: Record<string, unknown>; 'Execution Time': number }>;
    rowsRead += rowsScanned(plan[0]!.Plan);
    executionMs += plan[0]!['Execution Time'];
  }
  writeFileSync(csv, '');
  return { events: n, rowsRead, ms: Math.max(0, runs[2]! - empty[2]!), executionMs, days };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const pg = await PgServer.start();
  if (typeof pg === 'string') throw new Error(pg);
  try {
    for (const n of [10_000, 100_000, 1_000_000]) console.log(await measurePg(pg, n));
  } finally {
    pg.stop();
  }
}
