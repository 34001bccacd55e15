import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LOCAL_DEFAULTS } from '../../scripts/local/runtime.ts';
import { addDays } from '#lib/time/zone.ts';

/**
 * The README's main path, as a new user runs it: `npm start` on fresh data
 * (its own process, its own DynamoDB Local and folders), then `npm run demo`
 * against it, then a report and the outbox. A change that breaks the demo
 * fails here.
 */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TSX = import.meta.resolve('tsx');

/** The environment a user's shell has: none of the test run's settings. */
function userEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  for (const k of [...Object.keys(LOCAL_DEFAULTS), 'PORT', 'DEMO_URL', 'DYNAMODB_ENDPOINT', 'OUTBOX_DIR', 'LOG_LEVEL', 'PUBLIC_BASE_URL', 'VITEST', 'VITEST_POOL_ID', 'VITEST_WORKER_ID', 'NODE_ENV'])
    if (!(k in extra)) delete env[k];
  return env;
}

function run(args: string[], cwd: string, env: NodeJS.ProcessEnv): { child: ChildProcess; out: () => string } {
  let out = '';
  const child = spawn(process.execPath, ['--import', TSX, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d) => (out += String(d)));
  child.stderr!.on('data', (d) => (out += String(d)));
  return { child, out: () => out };
}

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, ms: number): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('npm start, then npm run demo, on fresh data', () => {
  let dir: string;
  let server: ReturnType<typeof run>;
  let url: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'chatpulse-demo-'));
    // started from an empty folder: data in <dir>/.data, digests in <dir>/outbox
    // as a user starts it: npm start's own defaults (alerts grouped per 10 s, so the demo's alert part waits seconds)
    server = run([path.join(ROOT, 'scripts/start.ts')], dir, userEnv({ PORT: '0' }));
    url = await until('the start banner', () => /running at (http:\/\/127\.0\.0\.1:\d+)/.exec(server.out())?.[1] ?? (server.child.exitCode !== null ? (() => { throw new Error(server.out()); })() : undefined), 150_000);
    // the banner says where the admin token comes from, never the token itself (issue 21)
    expect(server.out()).toContain('admin      Authorization: Bearer <admin token>');
    expect(server.out()).not.toContain(LOCAL_DEFAULTS.ADMIN_TOKEN);
  }, 180_000); // DynamoDB Local and every handler: ~50 s on these shared machines under load

  afterAll(async () => {
    server?.child.kill('SIGTERM');
    await new Promise((r) => (server?.child.exitCode !== null ? r(undefined) : server.child.once('exit', r)));
    rmSync(dir, { recursive: true, force: true });
  });

  it('posts two days of traffic, then reports and digests show it, livestream comments answered', async () => {
    // the last full weekend (Saturday and Sunday, Vietnam time): both shops with livestreams have one in it
    const vnToday = new Date(Date.now() + 7 * 3_600_000).toISOString().slice(0, 10);
    const weekday = new Date(`${vnToday}T00:00:00Z`).getUTCDay() || 7;
    const sunday = addDays(vnToday, -(weekday === 7 ? 7 : weekday));
    const saturday = addDays(sunday, -1);
    // npm start listens on a port of the OS's choosing (PORT=0), as when 3000 is taken: the demo, run from the same
    // folder with neither DEMO_URL nor PORT set, finds it through .data/local-url
    expect(readFileSync(path.join(dir, '.data', 'local-url'), 'utf8').trim()).toBe(url);
    expect(url).not.toBe('http://127.0.0.1:3000');
    const demo = run([path.join(ROOT, 'scripts/demo.ts')], dir, userEnv({ DEMO_DAYS: '2', DEMO_SCALE: '0.005', DEMO_LAST_DAY: sunday }));
    const code = await new Promise<number | null>((r) => demo.child.once('exit', r));
    expect(code, demo.out()).toBe(0);
    expect(demo.out()).toMatch(/posted \d+ webhooks/);
    expect(demo.out()).toContain(url);
    // SLA alerts: the receiver logged a valid warning and a valid breach; the wait answered in time sent nothing
    expect(demo.out()).toMatch(/webhook receiver: warning for khach-canh-bao-\w+ \(1[01] min\) · signature valid/);
    expect(demo.out()).toMatch(/webhook receiver: breach for khach-qua-han-\w+ \(1[56] min\) · signature valid/);
    expect(demo.out()).toMatch(/warning sent: yes; breach sent: yes; khach-kip-luc-\w+: nothing sent/);

    // the demo queued the digests; wait for the local queues to deliver them
    await until('an empty digest queue', async () => {
      const h = (await (await fetch(`${url}/healthz`)).json()) as { queued: { ingest: number; digest: number } };
      return h.queued.ingest === 0 && h.queued.digest === 0 ? true : undefined;
    }, 60_000);

    // the report the demo's closing line shows, with the key it printed
    const curl = /Bearer ([^']+)' '([^']+)'/.exec(demo.out());
    expect(curl, demo.out()).not.toBeNull();
    const res = await fetch(curl![2]!, { headers: { authorization: `Bearer ${curl![1]}` } });
    expect(res.status).toBe(200);
    const report = (await res.json()) as { totals: Record<string, number>; series: Array<Record<string, number>> };
    expect(report.totals.customersReached).toBeGreaterThan(0);
    expect(report.totals.messagesReceived).toBeGreaterThan(0);
    expect(report.totals.customersCared).toBeGreaterThan(0);

    // two recipients per shop, three shops: one daily digest each at least, as .eml and .html
    const outbox = readdirSync(path.join(dir, 'outbox'));
    const eml = outbox.filter((f) => f.endsWith('.eml'));
    expect(eml.length).toBeGreaterThanOrEqual(6);
    expect(outbox.filter((f) => f.endsWith('.html')).length).toBe(eml.length);
    // the alert emails of the live demo shop: a warning and a breach, and nothing for the wait answered in time
    const alertMails = outbox.filter((f) => f.endsWith('.html')).map((f) => readFileSync(path.join(dir, 'outbox', f), 'utf8')).filter((h) => h.includes('Quầy livestream'));
    expect(alertMails.some((h) => /khach-canh-bao-\w+/.test(h)), outbox.join(' ')).toBe(true);
    expect(alertMails.some((h) => /khach-qua-han-\w+/.test(h)), outbox.join(' ')).toBe(true);
    expect(alertMails.some((h) => h.includes('khach-kip-luc-'))).toBe(false);
    // the digests name their shops (the alert emails, sent first now, name the live demo shop)
    const htmls = outbox.filter((f) => f.endsWith('.html')).map((f) => readFileSync(path.join(dir, 'outbox', f), 'utf8'));
    for (const shopName of ['Thời trang Hoa Mai', 'Mỹ phẩm Thảo Vy', 'Đồ gỗ Phương Nam']) expect(htmls.some((h) => h.includes(shopName)), shopName).toBe(true);

    // livestream commenters on Hoa Mai's Facebook page get the page's replies (Meta feed comments from the page)
    const shop = `${url}/v1/shops/thoi-trang-hoa-mai`;
    const range = `from=${saturday}&to=${sunday}&pageId=101000000000001`;
    const get = async (p: string) => {
      const r = await fetch(`${shop}${p}`, { headers: { authorization: `Bearer ${curl![1]}` } });
      expect(r.status, p).toBe(200);
      return r;
    };
    const staff = (await (await get(`/reports/staff-chat?${range}`)).json()) as { rows: Array<{ staffId: string; commentReplies: number }> };
    const commentReplies = staff.rows.reduce((a, r) => a + r.commentReplies, 0);
    expect(commentReplies).toBeGreaterThan(0);
    // Meta names no staff member on a comment reply: they count for unknown
    expect(staff.rows.find((r) => r.staffId === 'unknown')?.commentReplies).toBe(commentReplies);
    const exported = (await (await get(`/exports/conversations?${range}&limit=1000`)).json()) as { rows: Array<{ messages: number; comments: number; replies: number; status: string }> };
    const commenters = exported.rows.filter((r) => r.comments > 0 && r.messages === 0);
    expect(commenters.length).toBeGreaterThan(0);
    const answered = commenters.filter((r) => r.replies > 0);
    // about 85 % answered (the old demo answered none, so all were missed)
    expect(answered.length / commenters.length, JSON.stringify(commenters)).toBeGreaterThanOrEqual(0.5);
    expect(commenters.filter((r) => r.status === 'missed').length).toBeLessThan(commenters.length);
    // the html page of that report names its columns and the unknown staff in Vietnamese
    const page = await (await get(`/reports/staff-chat?${range}&format=html`)).text();
    expect(page).toMatch(/<th[^>]*>Nhân viên<\/th>/);
    expect(page).toContain('Chưa rõ nhân viên');
    expect(page).not.toMatch(/<th[^>]*>(name|shift|waitsClosed|withinSla)<\/th>/);
  }, 400_000);

  it('says where it looked when nothing answers, instead of a bare ECONNREFUSED', async () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'chatpulse-nodemo-'));
    try {
      // a port that was free a moment ago and has no listener now
      const { createServer } = await import('node:net');
      const probe = createServer();
      const port = await new Promise<number>((r) => probe.listen(0, '127.0.0.1', () => r((probe.address() as { port: number }).port)));
      await new Promise((r) => probe.close(r));
      const demo = run([path.join(ROOT, 'scripts/demo.ts')], empty, userEnv({ PORT: String(port) }));
      const code = await new Promise<number | null>((r) => demo.child.once('exit', r));
      expect(code).toBe(1);
      expect(demo.out()).toContain(`No chatpulse answers at http://127.0.0.1:${port} (from PORT)`);
      expect(demo.out()).toContain('npm start');
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
