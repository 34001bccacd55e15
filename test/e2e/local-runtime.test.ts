import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createHmac } from 'node:crypto';
import { startLocal, LOCAL_DEFAULTS, type LocalRuntime } from '../../scripts/local/runtime.ts';
import { restoreEnv } from '#test/support/env.ts';

/**
 * The whole local system as a user runs it (`npm start`): real HTTP, the
 * shop-key authorizer, file-backed queues, DynamoDB Local persisting to a
 * folder, the outbox. Then a restart on the same folder loses nothing.
 */
const PAGE = '555000000000001';
const day = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Ho_Chi_Minh' }).format(new Date(Date.now() - 3 * 3_600_000));
const at = (hm: string) => Date.parse(`${day}T${hm}:00+07:00`);

describe('npm start, end to end', () => {
  let dir: string;
  let rt: LocalRuntime;
  let apiKey: string;
  const saved = { ...process.env };

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'chatpulse-e2e-'));
    // the runtime uses its own documented defaults, table and DynamoDB Local
    for (const k of Object.keys(LOCAL_DEFAULTS)) delete process.env[k];
    delete process.env.DYNAMODB_ENDPOINT;
    process.env.OUTBOX_DIR = path.join(dir, 'outbox');
    rt = await startLocal({ port: 0, dataDir: path.join(dir, 'data'), schedule: false });
  }, 180_000); // DynamoDB Local and every handler: ~50 s on these shared machines under load

  afterAll(async () => {
    await rt?.stop();
    restoreEnv(saved);
    rmSync(dir, { recursive: true, force: true });
  });

  const admin = () => ({ authorization: `Bearer ${LOCAL_DEFAULTS.ADMIN_TOKEN}`, 'content-type': 'application/json' });
  const meta = (body: object) => {
    const raw = JSON.stringify(body);
    const sig = createHmac('sha256', LOCAL_DEFAULTS.META_APP_SECRET!).update(raw).digest('hex');
    return fetch(`${rt.url}/webhooks/meta`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': `sha256=${sig}` }, body: raw });
  };
  const overview = async () => {
    const res = await fetch(`${rt.url}/v1/shops/e2e/reports/overview?from=${day}&to=${day}`, { headers: { authorization: `Bearer ${apiKey}` } });
    expect(res.status).toBe(200);
    return (await res.json()) as { totals: Record<string, number> };
  };

  it('takes a shop, signed webhooks and serves the report', async () => {
    expect(await (await fetch(`${rt.url}/healthz`)).json()).toMatchObject({ ok: true });
    const put = await fetch(`${rt.url}/v1/admin/shops/e2e`, {
      method: 'PUT',
      headers: admin(),
      body: JSON.stringify({ name: 'Shop E2E', pages: [{ pageId: PAGE, channel: 'facebook', name: 'Fanpage' }], staff: [{ staffId: 'lan', name: 'Lan' }], recipients: [{ email: 'owner@e2e.vn', daily: true, weekly: true }] }),
    });
    expect(put.status).toBe(200);
    apiKey = ((await (await fetch(`${rt.url}/v1/admin/shops/e2e/api-keys`, { method: 'POST', headers: admin() })).json()) as { apiKey: string }).apiKey;
    const msg = (psid: string, mid: string, ts: number) => ({ object: 'page', entry: [{ id: PAGE, time: ts, messaging: [{ sender: { id: psid }, recipient: { id: PAGE }, timestamp: ts, message: { mid, text: 'còn hàng không ạ' } }] }] });
    for (const r of await Promise.all([meta(msg('u1', 'm1', at('09:00'))), meta(msg('u2', 'm2', at('09:30'))), meta(msg('u1', 'm1', at('09:00')))])) expect(r.status).toBe(200);
    const echo = { object: 'page', entry: [{ id: PAGE, time: at('09:02'), messaging: [{ sender: { id: PAGE }, recipient: { id: 'u1' }, timestamp: at('09:02'), message: { is_echo: true, mid: 'e1', metadata: 'staff:lan', text: 'dạ còn' } }] }] };
    expect((await meta(echo)).status).toBe(200);
    const bad = await fetch(`${rt.url}/webhooks/meta`, { method: 'POST', headers: { 'x-hub-signature-256': 'sha256=00' }, body: '{}' });
    expect(bad.status).toBe(401);
    expect(await bad.json()).toEqual({ error: { code: 'unauthorized', message: 'Bad or missing X-Hub-Signature-256' } });
    // the local-only drain route (the demo's): answers once the batch is ingested, without waiting out the 20 s window
    const drained = await fetch(`${rt.url}/_local/drain`, { method: 'POST' });
    expect(drained.status).toBe(200);
    expect(await drained.json()).toEqual({ ok: true, queued: { ingest: 0, digest: 0 } });
    const r = await overview();
    expect(r.totals).toMatchObject({ messagesReceived: 2, customersReached: 2, customersCared: 1, newCustomers: 2 });
    const noKey = await fetch(`${rt.url}/v1/shops/e2e/reports/overview?from=${day}&to=${day}`);
    expect(noKey.status).toBe(401);
  });

  it('runs a digest into the outbox, once', async () => {
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${rt.url}/v1/admin/digests/run`, { method: 'POST', headers: admin(), body: JSON.stringify({ shopId: 'e2e', period: 'daily', date: day }) });
      expect(res.status).toBe(202);
    }
    await rt.drain();
    const emls = readdirSync(path.join(dir, 'outbox')).filter((f) => f.endsWith('.eml'));
    expect(emls).toHaveLength(1);
    const eml = readFileSync(path.join(dir, 'outbox', emls[0]!), 'utf8').replace(/\r\n[ \t]+/g, ' '); // headers unfolded (RFC 5322 §2.2.3)
    expect(eml).toMatch(/^Content-Type: multipart\/alternative;\s+boundary=/m);
    expect(eml).toMatch(/^List-Unsubscribe: <http:\/\/127\.0\.0\.1:\d+\/v1\/unsubscribe\?/m);
    const htmls = readdirSync(path.join(dir, 'outbox')).filter((f) => f.endsWith('.html'));
    expect(htmls).toHaveLength(1);

    // its links (signed when the digest was queued) work: the full report opens without a key …
    const html = readFileSync(path.join(dir, 'outbox', htmls[0]!), 'utf8');
    const reportHref = /href="(http:\/\/127\.0\.0\.1:\d+\/v1\/report-pages\/e2e\/overview\?[^"]+)"/.exec(html)?.[1]?.replace(/&amp;/g, '&');
    expect(reportHref).toContain(`from=${day}&to=${day}&exp=`);
    const page = await fetch(reportHref!);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    // … and the one-click unsubscribe turns the daily digest off
    const unsubscribe = /^List-Unsubscribe: <([^>]+)>$/m.exec(eml)?.[1];
    expect((await fetch(unsubscribe!)).status).toBe(200); // the confirmation page
    expect((await fetch(unsubscribe!, { method: 'POST' })).status).toBe(200);
    const again = await fetch(`${rt.url}/v1/admin/digests/run`, { method: 'POST', headers: admin(), body: JSON.stringify({ shopId: 'e2e', period: 'daily', date: day }) });
    expect(again.status).toBe(400); // no daily recipient left
  });

  it('loses nothing across a restart', async () => {
    const before = await overview();
    await rt.stop();
    rt = await startLocal({ port: 0, dataDir: path.join(dir, 'data'), schedule: false });
    expect((await overview()).totals).toEqual(before.totals);
  }, 60_000);
});
