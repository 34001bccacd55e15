/**
 * `npx tsx bench/load.ts`: a bounded load test on loopback against the local
 * runtime — signed Meta webhooks, then report API calls — with the error
 * rate and latency percentiles. Only 127.0.0.1 is targeted; every loop is
 * bounded in count and time.
 */
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startLocal, LOCAL_DEFAULTS } from '../scripts/local/runtime.ts';

export type LoadFigures = { name: string; requests: number; concurrency: number; seconds: number; rps: number; errors: number; p50: number; p90: number; p99: number; max: number };

async function hammer(name: string, requests: number, concurrency: number, maxSeconds: number, send: (i: number) => Promise<Response>): Promise<LoadFigures> {
  const latencies: number[] = [];
  let errors = 0;
  let next = 0;
  const deadline = Date.now() + maxSeconds * 1000;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < requests && Date.now() < deadline) {
        const i = next++;
        const s = performance.now();
        try {
          const res = await send(i);
          await res.arrayBuffer();
          if (res.status >= 300) errors++;
        } catch {
          errors++;
        }
        latencies.push(performance.now() - s);
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? 0;
  return { name, requests: latencies.length, concurrency, seconds, rps: latencies.length / seconds, errors, p50: q(0.5), p90: q(0.9), p99: q(0.99), max: latencies[latencies.length - 1] ?? 0 };
}

/** Webhooks posted until every event was ingested, in the last run (the full local path). */
export let e2e = { events: 0, seconds: 0 };

export async function runLoad(): Promise<LoadFigures[]> {
  process.env.LOG_LEVEL = 'silent';
  const dir = mkdtempSync(path.join(tmpdir(), 'chatpulse-load-'));
  const rt = await startLocal({ port: 0, dataDir: dir, schedule: false });
  try {
    const admin = { authorization: `Bearer ${LOCAL_DEFAULTS.ADMIN_TOKEN}`, 'content-type': 'application/json' };
    const page = '777000000000001';
    await fetch(`${rt.url}/v1/admin/shops/load`, { method: 'PUT', headers: admin, body: JSON.stringify({ name: 'Load', pages: [{ pageId: page, channel: 'facebook', name: 'p' }] }) });
    const { apiKey } = (await (await fetch(`${rt.url}/v1/admin/shops/load/api-keys`, { method: 'POST', headers: admin })).json()) as { apiKey: string };
    const now = Date.now();
    const e2eStart = performance.now();
    const webhooks = await hammer('POST /webhooks/meta (signed message)', 3000, 16, 60, (i) => {
      const body = JSON.stringify({ object: 'page', entry: [{ id: page, time: now, messaging: [{ sender: { id: `c${i % 400}` }, recipient: { id: page }, timestamp: now - i * 1000, message: { mid: `m_load_${i}`, text: 'hi' } }] }] });
      const sig = createHmac('sha256', LOCAL_DEFAULTS.META_APP_SECRET!).update(body).digest('hex');
      return fetch(`${rt.url}/webhooks/meta`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': `sha256=${sig}` }, body });
    });
    await rt.drain();
    const e2eSeconds = (performance.now() - e2eStart) / 1000;
    e2e = { events: webhooks.requests, seconds: e2eSeconds };
    const day = new Date(now + 7 * 3_600_000).toISOString().slice(0, 10);
    const reports = await hammer('GET /v1/shops/{id}/reports/overview (7 days)', 1000, 16, 60, () =>
      fetch(`${rt.url}/v1/shops/load/reports/overview?from=${day.slice(0, 8)}01&to=${day}`, { headers: { authorization: `Bearer ${apiKey}` } }),
    );
    return [webhooks, reports];
  } finally {
    await rt.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const r of await runLoad()) console.log(r);
}
