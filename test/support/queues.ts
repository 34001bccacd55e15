import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LocalQueue, LocalQueues, sqsEventOf, type LocalQueueOptions } from '../../scripts/local/queues.ts';
import { setQueues, type DigestJob, type IngestMessage } from '#lib/queue/queue.ts';
import { handler as ingest } from '#functions/ingest/handler.ts';
import { lambdaContext } from '#test/support/http.ts';

/**
 * The local runtime's standard queue, installed as the queues and delivering
 * to the real ingest handler (digest jobs are only collected): batches of up
 * to 100 with a short window, four concurrent pollers, redelivery after a
 * short visibility timeout.
 */
export function startTestQueues(opts: Partial<LocalQueueOptions> = {}): { queues: LocalQueues; stop: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'chatpulse-q-'));
  const ingestQ = new LocalQueue<IngestMessage>(path.join(dir, 'ingest'), async (batch) => {
    return (await ingest(sqsEventOf(batch, 'test-ingest'), lambdaContext)).batchItemFailures.map((f) => f.itemIdentifier);
  }, { maxReceives: 5, batchSize: 100, batchingWindowMs: 100, concurrency: 4, visibilityTimeoutMs: 500, ...opts });
  const queues = new LocalQueues(ingestQ, new LocalQueue<DigestJob>(path.join(dir, 'digest'), async () => [], { maxReceives: 5, batchSize: 5 }));
  setQueues(queues);
  ingestQ.start();
  return {
    queues,
    stop: () => {
      ingestQ.stop();
      setQueues(undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
