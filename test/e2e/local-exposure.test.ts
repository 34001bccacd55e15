import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startLocal, LOCAL_DEFAULTS, type LocalRuntime } from '../../scripts/local/runtime.ts';
import { isLoopbackHost } from '#lib/http/loopback.ts';
import { restoreEnv } from '#test/support/env.ts';

/**
 * What `npm start` exposes: every socket it listens on (the HTTP server in
 * this process, DynamoDB Local in its Java child) is bound to loopback, read
 * from the kernel's socket tables, and both servers refuse a Host that is not
 * a loopback name, which defeats DNS rebinding from a web page. The DynamoDB
 * Local checked is the test run's own (test/support/global-setup.ts), started
 * by the same startDynamoLocal() as `npm start`, so no third JVM competes
 * for the CPU.
 */

type Listener = { address: string; port: number; inode: string };

/** `/proc/net/tcp` writes an IPv4 address as one little-endian 32-bit word; tcp6 as four of them. */
function decodeAddress(hex: string): string {
  const bytes = hex.match(/.{8}/g)!.flatMap((w) => w.match(/../g)!.reverse().map((b) => parseInt(b, 16)));
  if (bytes.length === 4) return bytes.join('.');
  if (bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff) return `::ffff:${bytes.slice(12).join('.')}`;
  if (bytes.slice(0, 15).every((b) => b === 0)) return bytes[15] === 1 ? '::1' : bytes[15] === 0 ? '::' : `::${bytes[15]}`;
  return Array.from({ length: 8 }, (_, i) => ((bytes[2 * i]! << 8) | bytes[2 * i + 1]!).toString(16)).join(':');
}

/** Sockets in state LISTEN (0A) from the kernel's tables. */
function listeningSockets(): Listener[] {
  const out: Listener[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 10 || cols[3] !== '0A') continue;
      const [addr, port] = cols[1]!.split(':');
      out.push({ address: decodeAddress(addr!), port: parseInt(port!, 16), inode: cols[9]! });
    }
  }
  return out;
}

/** Socket inodes a process holds open. */
function socketInodes(pid: number): Set<string> {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]!);
    } catch {
      /* closed meanwhile */
    }
  }
  return inodes;
}

const isLoopback = (a: string) => /^127\./.test(a) || a === '::1' || /^::ffff:127\./.test(a);

/** A raw HTTP request with a chosen Host header (fetch would not let us set it). */
function get(port: number, path: string, host: string, method = 'GET'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers: { host } }, (res) => {
      let body = '';
      res.on('data', (d) => (body += String(d)));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe.skipIf(!existsSync('/proc/net/tcp'))('npm start exposes nothing beyond this machine', () => {
  let dir: string;
  let rt: LocalRuntime;
  const saved = { ...process.env };

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'chatpulse-exposure-'));
    for (const k of Object.keys(LOCAL_DEFAULTS)) delete process.env[k];
    process.env.OUTBOX_DIR = path.join(dir, 'outbox');
    rt = await startLocal({ port: 0, dataDir: path.join(dir, 'data'), schedule: false, dynamoEndpoint: inject('dynamoEndpoint') });
  }, 90_000);

  afterAll(async () => {
    await rt?.stop();
    restoreEnv(saved);
    rmSync(dir, { recursive: true, force: true });
  });

  it('listens on loopback only, in this process and in DynamoDB Local', () => {
    const httpPort = Number(new URL(rt.url).port);
    const dynamoPid = inject('dynamoPid');
    const dynamoPort = inject('dynamoPort');
    const sockets = listeningSockets();
    for (const [who, pid] of [['local server', process.pid], ['DynamoDB Local', dynamoPid]] as const) {
      const mine = socketInodes(pid);
      const listeners = sockets.filter((s) => mine.has(s.inode));
      expect(listeners.length, who).toBeGreaterThan(0);
      for (const l of listeners) expect(isLoopback(l.address), `${who} listens on ${l.address}:${l.port}`).toBe(true);
    }
    // the two servers npm start opens are among them, each on loopback
    const byPort = (port: number) => sockets.filter((s) => s.port === port).map((s) => s.address);
    expect(byPort(httpPort).length).toBeGreaterThan(0);
    expect(byPort(httpPort).every(isLoopback)).toBe(true);
    expect(byPort(dynamoPort).length).toBeGreaterThan(0);
    expect(byPort(dynamoPort).every(isLoopback)).toBe(true);
  });

  it('the local API answers only loopback Host names (DNS rebinding gets 421 in our error shape)', async () => {
    const port = Number(new URL(rt.url).port);
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, 'localhost', `[::1]:${port}`]) {
      expect((await get(port, '/healthz', host)).status, host).toBe(200);
    }
    for (const host of [`evil.example:${port}`, 'evil.example', `192.168.1.20:${port}`, `127.0.0.1.nip.io:${port}`, `localhost.evil.example:${port}`]) {
      const res = await get(port, '/v1/admin/shops/x', host, 'PUT');
      expect(res.status, host).toBe(421);
      expect(JSON.parse(res.body).error).toMatchObject({ code: 'misdirected_request' });
    }
  });

  it('DynamoDB Local refuses a foreign Host too', async () => {
    const port = inject('dynamoPort');
    expect((await get(port, '/', `evil.example:${port}`, 'POST')).status).toBe(421);
    // with a loopback Host the request reaches DynamoDB Local (which then rejects the empty request itself)
    expect((await get(port, '/', `127.0.0.1:${port}`, 'POST')).status).not.toBe(421);
  });

  it('isLoopbackHost accepts exactly the loopback names with an optional port', () => {
    expect(isLoopbackHost('127.0.0.1')).toBe(true);
    expect(isLoopbackHost('LOCALHOST:3000')).toBe(true);
    expect(isLoopbackHost('[::1]:3000')).toBe(true);
    expect(isLoopbackHost(undefined)).toBe(false);
    expect(isLoopbackHost('')).toBe(false);
    expect(isLoopbackHost('127.0.0.1:3000@evil')).toBe(false);
    expect(isLoopbackHost('0.0.0.0:3000')).toBe(false);
  });
});
