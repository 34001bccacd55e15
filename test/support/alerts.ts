import { createServer, type Server } from 'node:http';
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { AlertQueue, DelayedMessage } from '#lib/alerts/queue.ts';
import type { AlertMessage } from '#lib/alerts/messages.ts';
import { consumeAlertMessages } from '#lib/alerts/consume.ts';
import type { MailTransport, OutgoingMail } from '#lib/mail/types.ts';

/**
 * The alert queue with a moved clock: a message sent at `clock` with a delay
 * is due `delay` seconds later; `runUntil(t)` delivers every due message in
 * due order, at its due time (plus `latencyMs`), until none is due by `t`.
 * `redeliver` keeps a copy of what it delivered, to deliver again.
 */
export class ClockedAlertQueue implements AlertQueue {
  clock = 0;
  private seq = 0;
  pending: Array<{ id: string; dueAt: number; body: AlertMessage }> = [];
  delivered: Array<{ id: string; at: number; body: AlertMessage }> = [];
  dead: Array<{ body: unknown; reason: string }> = [];

  async send(messages: DelayedMessage[]): Promise<void> {
    for (const m of messages) this.pending.push({ id: `m${++this.seq}`, dueAt: this.clock + m.delaySeconds * 1000, body: structuredClone(m.body) });
  }

  async deadLetter(body: unknown, reason: string): Promise<void> {
    this.dead.push({ body, reason });
  }

  async runUntil(until: number, latencyMs = 0): Promise<void> {
    for (;;) {
      this.pending.sort((a, b) => a.dueAt - b.dueAt);
      const next = this.pending[0];
      if (!next || next.dueAt > until) break;
      this.pending.shift();
      this.clock = Math.max(this.clock, next.dueAt + latencyMs);
      this.delivered.push({ id: next.id, at: this.clock, body: next.body });
      const failed = await consumeAlertMessages([{ messageId: next.id, body: JSON.stringify(next.body) }], () => this.clock);
      if (failed.length > 0) throw new Error(`alert message ${next.id} failed`);
    }
    this.clock = Math.max(this.clock, until);
  }
}

/** Mail kept in memory. */
export class MemoryMail implements MailTransport {
  sent: OutgoingMail[] = [];
  async send(msg: OutgoingMail) {
    this.sent.push(msg);
    return { messageId: `m${this.sent.length}` };
  }
}

export type Received = { path: string; body: any; signature: string; delivery: string; raw: string };

/**
 * A webhook receiver on a loopback port: records each request; `failFirst`
 * per path answers 500 to that many requests first.
 */
export async function startReceiver(): Promise<{ url: string; received: Received[]; failFirst: Map<string, number>; server: Server; close: () => Promise<void> }> {
  const received: Received[] = [];
  const failFirst = new Map<string, number>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const path = req.url ?? '/';
      received.push({ path, body: JSON.parse(raw), raw, signature: String(req.headers['x-chatpulse-signature'] ?? ''), delivery: String(req.headers['x-chatpulse-delivery'] ?? '') });
      const left = failFirst.get(path) ?? 0;
      if (left > 0) {
        failFirst.set(path, left - 1);
        res.writeHead(500).end('nope');
      } else res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return { url: `http://127.0.0.1:${port}`, received, failFirst, server, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** A receiver's check of `X-Chatpulse-Signature` (computed here, not with the code under test). */
export function verifySignature(secret: string, raw: string, header: string): boolean {
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
  if (!m) return false;
  const want = createHmac('sha256', secret).update(`${m[1]}.${raw}`).digest();
  return timingSafeEqual(want, Buffer.from(m[2]!, 'hex'));
}
