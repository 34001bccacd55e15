import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { SQSEvent } from 'aws-lambda';
import { FileFifo, LocalQueues } from '../../scripts/local/queues.ts';
import { setQueues, type DigestJob, type IngestMessage } from '#lib/queue/queue.ts';
import { handler as ingest } from '#functions/ingest/handler.ts';
import { lambdaContext } from '#test/support/http.ts';

/**
 * The local runtime's file-backed FIFO, installed as the queues and
 * delivering to the real ingest handler (digest jobs are only collected).
 */
export function startTestQueues(): { queues: LocalQueues; stop: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'chatpulse-q-'));
  const ingestQ = new FileFifo<IngestMessage>(path.join(dir, 'ingest'), async (batch) => {
    const event = { Records: batch.map((m) => ({ messageId: m.id, body: JSON.stringify(m.body), attributes: { MessageGroupId: m.groupId } })) } as unknown as SQSEvent;
    return (await ingest(event, lambdaContext)).batchItemFailures.map((f) => f.itemIdentifier);
  }, { maxReceives: 5, batchSize: 10, fifo: true });
  const queues = new LocalQueues(ingestQ, new FileFifo<DigestJob>(path.join(dir, 'digest'), async () => [], { maxReceives: 5, batchSize: 5, fifo: false }));
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
