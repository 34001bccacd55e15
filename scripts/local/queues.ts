import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import path from 'node:path';
import type { DigestJob, IngestMessage, Queues } from '#lib/queue/queue.ts';

/**
 * The local stand-in for SQS: a FIFO kept as files in a folder (so a restart
 * loses nothing), delivering batches of up to 10 messages per group in order
 * to a consumer, redelivering reported failures, and moving a message that
 * failed `maxReceives` times to a dead-letter file with the reason.
 */
type Stored<T> = { id: string; groupId: string; dedupId?: string; body: T; receives: number };
export type Consumer<T> = (batch: Array<Stored<T>>) => Promise<string[]>;

export class FileFifo<T> {
  private seq = 0;
  private running = false;
  private kick: (() => void) | undefined;
  private readonly recentDedup = new Map<string, number>();
  private readonly inFlight = new Set<string>();
  /** Dead letters: `<dir>-dlq/<id>.json`. */
  readonly dlqDir: string;

  constructor(
    private readonly dir: string,
    private readonly consumer: Consumer<T>,
    private readonly opts: { maxReceives: number; batchSize: number; fifo: boolean },
  ) {
    this.dlqDir = `${dir}-dlq`;
    mkdirSync(dir, { recursive: true });
    mkdirSync(this.dlqDir, { recursive: true });
    const existing = readdirSync(dir).filter((f) => f.endsWith('.json'));
    this.seq = existing.length > 0 ? Math.max(...existing.map((f) => Number(f.split('-')[0]))) + 1 : 0;
  }

  send(messages: Array<{ groupId: string; dedupId?: string; body: T }>): void {
    const now = Date.now();
    for (const m of messages) {
      if (m.dedupId) {
        const seen = this.recentDedup.get(m.dedupId);
        if (seen && now - seen < 5 * 60_000) continue; // SQS FIFO's 5-minute deduplication window
        this.recentDedup.set(m.dedupId, now);
      }
      const id = `${String(this.seq++).padStart(12, '0')}-${Math.random().toString(36).slice(2, 8)}`;
      const stored: Stored<T> = { id, groupId: m.groupId, ...(m.dedupId ? { dedupId: m.dedupId } : {}), body: m.body, receives: 0 };
      writeFileSync(path.join(this.dir, `${id}.json.tmp`), JSON.stringify(stored));
      renameSync(path.join(this.dir, `${id}.json.tmp`), path.join(this.dir, `${id}.json`));
    }
    this.kick?.();
  }

  /** Writes a message straight to the dead-letter folder with its reason. */
  deadLetter(body: T, reason: string): void {
    const id = `${String(this.seq++).padStart(12, '0')}-dead`;
    writeFileSync(path.join(this.dlqDir, `${id}.json`), JSON.stringify({ id, body, reason, at: new Date().toISOString() }));
  }

  /** Pending message count (for tests and `npm start`'s status line). */
  depth(): number {
    return readdirSync(this.dir).filter((f) => f.endsWith('.json')).length;
  }

  /** Resolves once every message has been consumed or dead-lettered (the running loop does the work). */
  async drain(timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.depth() > 0 || this.inFlight.size > 0) {
      if (Date.now() > deadline) throw new Error(`queue ${this.dir} not drained after ${timeoutMs} ms`);
      this.kick?.();
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    const loop = async () => {
      while (this.running) {
        const delivered = await this.deliverOnce().catch(() => false);
        if (!delivered) await new Promise<void>((r) => (this.kick = r) && setTimeout(r, 250));
      }
    };
    void loop();
  }

  stop(): void {
    this.running = false;
    this.kick?.();
  }

  private async deliverOnce(): Promise<boolean> {
    // oldest first; like SQS FIFO, a batch may mix groups, and the consumer keeps each group's order
    const files = readdirSync(this.dir).filter((f) => f.endsWith('.json')).sort().slice(0, this.opts.batchSize * 4);
    if (files.length === 0) return false;
    const batch: Array<Stored<T>> = [];
    for (const f of files) {
      if (batch.length >= this.opts.batchSize) break;
      const id = f.slice(0, -5);
      if (this.inFlight.has(id)) continue;
      batch.push(JSON.parse(readFileSync(path.join(this.dir, f), 'utf8')) as Stored<T>);
    }
    if (batch.length === 0) return false;
    for (const m of batch) this.inFlight.add(m.id);
    let failed: string[];
    try {
      failed = await this.consumer(batch);
    } catch (err) {
      failed = batch.map((m) => m.id);
      appendFileSync(path.join(this.dir, '..', 'consumer-errors.log'), `${new Date().toISOString()} ${(err as Error).message}\n`);
    }
    const failedSet = new Set(failed);
    for (const m of batch) {
      this.inFlight.delete(m.id);
      const file = path.join(this.dir, `${m.id}.json`);
      if (!failedSet.has(m.id)) {
        rmSync(file, { force: true });
        continue;
      }
      const receives = m.receives + 1;
      if (receives >= this.opts.maxReceives) {
        renameSync(file, path.join(this.dlqDir, `${m.id}.json`));
      } else {
        writeFileSync(file, JSON.stringify({ ...m, receives }));
      }
    }
    return failed.length < batch.length;
  }
}

/** Queues backed by two FileFifos under `<dataDir>/queues`. */
export class LocalQueues implements Queues {
  constructor(
    readonly ingest: FileFifo<IngestMessage>,
    readonly digest: FileFifo<DigestJob>,
  ) {}

  async sendIngest(messages: Array<{ groupId: string; dedupId: string; body: IngestMessage }>): Promise<void> {
    this.ingest.send(messages);
  }

  async sendDigestJobs(jobs: DigestJob[]): Promise<void> {
    this.digest.send(jobs.map((body) => ({ groupId: body.shopId, body })));
  }

  async deadLetterDigest(job: DigestJob, reason: string): Promise<void> {
    this.digest.deadLetter(job, reason);
  }
}
