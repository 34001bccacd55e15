import { appendFileSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import type { DigestJob, IngestMessage, Queues } from '#lib/queue/types.ts';

/**
 * The local stand-in for a standard SQS queue and the Lambda poller in front
 * of it, kept as files in a folder so a restart loses nothing. It behaves as
 * the deployed event source does:
 *
 * - batching: a poller delivers when it holds `batchSize` messages or when
 *   `batchingWindowMs` has passed since it received the first one;
 * - concurrency: `concurrency` pollers deliver batches at the same time, so
 *   one page's messages can be applied by several workers at once;
 * - at least once: a received message is invisible for `visibilityTimeoutMs`
 *   from its receive; one the consumer reports failed (or all of a batch whose
 *   consumer throws) becomes visible again when that time is up, and one still
 *   being processed then is delivered again, to another poller;
 * - dead letters: a message that failed its `maxReceives`-th receive moves to
 *   `<dir>-dlq/` instead of being delivered again;
 * - no order: oldest first, but nothing waits for anything else;
 * - fair queue (Amazon SQS fair queues, a standard queue whose messages carry
 *   a `MessageGroupId`, here the shop): a tenant is noisy when it holds more
 *   than NOISY_SHARE of the messages in flight and at least NOISY_MIN_IN_FLIGHT
 *   of its own (AWS's documented thresholds, 10 % and 30); a receive then hands
 *   out the quiet tenants' visible messages first, and among noisy tenants
 *   those with the fewest messages in flight first. Nothing is dropped or
 *   throttled: a noisy tenant's messages wait only while quiet ones are
 *   waiting. A message without a group is a tenant of its own. (AWS also
 *   weighs each tenant's share of processing time and keeps a tenant noisy
 *   for up to 5 minutes; the local queue judges by messages in flight alone.)
 * - delays: `send(bodies, { delayMs })` keeps them invisible that long (SQS
 *   DelaySeconds), kept across a restart.
 */
export type Stored<T> = { id: string; body: T; receives: number; sentAt: number; notBefore?: number; group?: string };

/** AWS's documented noisy-tenant thresholds (share of in-flight messages, and in-flight messages of its own). */
export const NOISY_SHARE = 0.1;
export const NOISY_MIN_IN_FLIGHT = 30;
/** Receives a batch; returns the ids of the messages that failed. */
export type Consumer<T> = (batch: Array<Stored<T>>) => Promise<string[]>;

export type LocalQueueOptions = {
  batchSize: number;
  maxReceives: number;
  /** default 0: deliver what is there */
  batchingWindowMs?: number;
  /** concurrent pollers, default 1 */
  concurrency?: number;
  /** default 30 s */
  visibilityTimeoutMs?: number;
  /** ignored: kept so older callers still compile (every local queue is a standard queue now) */
  fifo?: boolean;
  /** default true: receive as a fair queue does (above); false: oldest first, as a standard queue without groups */
  fair?: boolean;
};

type Entry = { visibleAt: number; receives: number; sentAt: number; group: string | undefined; seq: number };

export class LocalQueue<T> {
  private seq = 0;
  private running = false;
  private flushing = 0;
  private active = 0;
  private readonly waiters = new Set<() => void>();
  private readonly entries = new Map<string, Entry>();
  private readonly opts: Required<Omit<LocalQueueOptions, 'fifo'>>;
  /** Dead letters: `<dir>-dlq/<id>.json`. */
  readonly dlqDir: string;

  constructor(
    private readonly dir: string,
    private readonly consumer: Consumer<T>,
    opts: LocalQueueOptions,
  ) {
    this.opts = { batchingWindowMs: 0, concurrency: 1, visibilityTimeoutMs: 30_000, fair: true, ...opts };
    this.dlqDir = `${dir}-dlq`;
    mkdirSync(dir, { recursive: true });
    mkdirSync(this.dlqDir, { recursive: true });
    // after a restart every message is visible again, as in SQS once its visibility timeout is over
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.json')).sort()) {
      const s = JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as Partial<Stored<T>>;
      this.entries.set(f.slice(0, -5), { visibleAt: s.receives ? 0 : (s.notBefore ?? 0), receives: s.receives ?? 0, sentAt: s.sentAt ?? Date.now(), group: s.group, seq: Number(f.split('-')[0]) });
      this.seq = Math.max(this.seq, Number(f.split('-')[0]) + 1);
    }
  }

  /** Sends messages; `groupOf` gives each its tenant (SQS `MessageGroupId`), if any; `delayMs` keeps them invisible that long. */
  send(bodies: T[], opts: { delayMs?: number; groupOf?: (body: T) => string | undefined } = {}): void {
    const now = Date.now();
    const delayMs = opts.delayMs ?? 0;
    for (const body of bodies) {
      const seq = this.seq++;
      const id = `${String(seq).padStart(12, '0')}-${Math.random().toString(36).slice(2, 8)}`;
      const group = opts.groupOf?.(body);
      this.write(id, { id, body, receives: 0, sentAt: now, ...(delayMs > 0 ? { notBefore: now + delayMs } : {}), ...(group === undefined ? {} : { group }) });
      this.entries.set(id, { visibleAt: now + delayMs, receives: 0, sentAt: now, group, seq });
    }
    this.wake();
  }

  /** Writes a message straight to the dead-letter folder with its reason (a body that is not a valid T too). */
  deadLetter(body: unknown, reason: string): void {
    const id = `${String(this.seq++).padStart(12, '0')}-dead`;
    writeFileSync(path.join(this.dlqDir, `${id}.json`), JSON.stringify({ id, body, reason, at: new Date().toISOString() }));
  }

  /** Messages not yet deleted: visible, in flight or waiting out a visibility timeout. */
  depth(): number {
    return this.entries.size;
  }

  /**
   * Resolves once every message has been consumed or dead-lettered. Pollers
   * stop waiting out their batching window meanwhile (a flush, for tests and
   * the demo); visibility timeouts still apply.
   */
  async drain(timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    this.flushing++;
    this.wake();
    try {
      while (this.entries.size > 0 || this.active > 0) {
        if (Date.now() > deadline) throw new Error(`queue ${this.dir} not drained after ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 20));
      }
    } finally {
      this.flushing--;
    }
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    for (let p = 0; p < this.opts.concurrency; p++) void this.poll();
  }

  stop(): void {
    this.running = false;
    this.wake();
  }

  private wake(): void {
    for (const r of [...this.waiters]) r();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(t);
        this.waiters.delete(done);
        resolve();
      };
      const t = setTimeout(done, Math.max(1, ms));
      this.waiters.add(done);
    });
  }

  private async poll(): Promise<void> {
    while (this.running) {
      const batch = await this.collect();
      if (batch.length === 0) continue;
      this.active++;
      try {
        await this.deliver(batch);
      } finally {
        this.active--;
      }
    }
  }

  /**
   * The messages in the order a receive considers them: oldest first, and in
   * a fair queue the quiet tenants' before the noisy ones', noisy tenants with
   * fewer messages in flight first. In flight = received, not yet deleted, and
   * within its visibility timeout.
   */
  private receiveOrder(): Array<[string, Entry]> {
    const all = [...this.entries];
    if (!this.opts.fair) return all;
    const now = Date.now();
    const inFlight = new Map<string, number>();
    let total = 0;
    for (const [, e] of all)
      if (e.receives > 0 && e.visibleAt > now && e.group !== undefined) {
        inFlight.set(e.group, (inFlight.get(e.group) ?? 0) + 1);
        total++;
      }
    const noisy = (g: string | undefined) => {
      const n = g === undefined ? 0 : (inFlight.get(g) ?? 0);
      return n >= NOISY_MIN_IN_FLIGHT && n > NOISY_SHARE * total ? n : 0;
    };
    const rank = new Map(all.map(([id, e]) => [id, noisy(e.group)]));
    return all.sort(([a, x], [b, y]) => rank.get(a)! - rank.get(b)! || x.seq - y.seq);
  }

  /** One poller's receive: claims visible messages until the batch is full or the window is over. */
  private async collect(): Promise<Array<Stored<T>>> {
    const batch: Array<Stored<T>> = [];
    const held = new Set<string>();
    let windowStart: number | undefined;
    while (this.running) {
      const now = Date.now();
      let nextVisible = Infinity;
      for (const [id, e] of this.receiveOrder()) {
        if (batch.length >= this.opts.batchSize) break;
        if (held.has(id)) continue;
        if (e.visibleAt > now) {
          nextVisible = Math.min(nextVisible, e.visibleAt);
          continue;
        }
        if (e.receives >= this.opts.maxReceives) {
          this.toDeadLetters(id);
          continue;
        }
        const m = this.read(id);
        if (!m) {
          this.entries.delete(id);
          continue;
        }
        e.receives++;
        e.visibleAt = now + this.opts.visibilityTimeoutMs;
        const received = { ...m, receives: e.receives };
        this.write(id, received);
        batch.push(received);
        held.add(id);
      }
      if (batch.length >= this.opts.batchSize) return batch;
      if (batch.length > 0) {
        windowStart ??= now;
        const windowEnd = windowStart + this.opts.batchingWindowMs;
        if (this.flushing > 0 || now >= windowEnd) return batch;
        await this.sleep(Math.min(windowEnd, nextVisible) - now);
      } else {
        await this.sleep(Math.min(nextVisible - now, 250));
      }
    }
    // stopping: what this poller holds becomes visible again
    for (const m of batch) {
      const e = this.entries.get(m.id);
      if (e) e.visibleAt = 0;
    }
    return [];
  }

  private async deliver(batch: Array<Stored<T>>): Promise<void> {
    let failed: string[];
    try {
      failed = await this.consumer(batch);
    } catch (err) {
      failed = batch.map((m) => m.id);
      appendFileSync(path.join(this.dir, '..', 'consumer-errors.log'), `${new Date().toISOString()} ${(err as Error).message}\n`);
    }
    const failedSet = new Set(failed);
    for (const m of batch) {
      const e = this.entries.get(m.id);
      if (!e) continue; // already deleted by another delivery of the same message
      if (!failedSet.has(m.id)) {
        this.entries.delete(m.id);
        rmSync(path.join(this.dir, `${m.id}.json`), { force: true });
      } else if (e.receives >= this.opts.maxReceives) {
        this.toDeadLetters(m.id);
      }
      // otherwise it stays invisible until its visibility timeout is over, then is received again
    }
    if (failed.length > 0) this.wake();
  }

  private toDeadLetters(id: string): void {
    this.entries.delete(id);
    try {
      renameSync(path.join(this.dir, `${id}.json`), path.join(this.dlqDir, `${id}.json`));
    } catch {
      // deleted meanwhile by a successful delivery of the same message
    }
  }

  private read(id: string): Stored<T> | undefined {
    try {
      return JSON.parse(readFileSync(path.join(this.dir, `${id}.json`), 'utf8')) as Stored<T>;
    } catch {
      return undefined;
    }
  }

  private write(id: string, m: Stored<T>): void {
    writeFileSync(path.join(this.dir, `${id}.json.tmp`), JSON.stringify(m));
    renameSync(path.join(this.dir, `${id}.json.tmp`), path.join(this.dir, `${id}.json`));
  }
}

/** @deprecated the old name; every local queue is a standard queue now. */
export const FileFifo = LocalQueue;
export type FileFifo<T> = LocalQueue<T>;

/** Queues backed by two LocalQueues under `<dataDir>/queues`. */
export class LocalQueues implements Queues {
  constructor(
    readonly ingest: LocalQueue<IngestMessage>,
    readonly digest: LocalQueue<DigestJob>,
  ) {}

  /** The shop is each message's tenant (MessageGroupId), as in lib/queue/sqs.ts. */
  async sendIngest(messages: IngestMessage[]): Promise<void> {
    this.ingest.send(messages, { groupOf: (m) => m.shopId });
  }

  async sendDigestJobs(jobs: DigestJob[]): Promise<void> {
    this.digest.send(jobs, { groupOf: (j) => j.shopId });
  }

  async deadLetterDigest(job: unknown, reason: string): Promise<void> {
    this.digest.deadLetter(job, reason);
  }
}

/** The SQS event Lambda receives for a batch (standard queue), as the local runtime and tests deliver it. */
export function sqsEventOf<T>(batch: Array<Stored<T>>, queueName: string): SQSEvent {
  return {
    Records: batch.map(
      (m): SQSRecord => ({
        messageId: m.id,
        receiptHandle: `${m.id}#${m.receives}`,
        body: JSON.stringify(m.body),
        attributes: {
          ApproximateReceiveCount: String(m.receives),
          SentTimestamp: String(m.sentAt),
          SenderId: 'local',
          ApproximateFirstReceiveTimestamp: String(Date.now()),
          // a fair queue's records name their tenant
          ...(m.group === undefined ? {} : { MessageGroupId: m.group }),
        },
        messageAttributes: {},
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: `arn:aws:sqs:local:000000000000:${queueName}`,
        awsRegion: 'local',
      }),
    ),
  };
}
