import { traced } from '#lib/aws/tracing.ts';
import { SendMessageBatchCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { DigestJob, IngestMessage, Queues } from '#lib/queue/types.ts';

/**
 * SQS implementation of the queues; URLs from INGEST_QUEUE_URL and
 * DIGEST_QUEUE_URL. Both are standard queues used as Amazon SQS fair
 * queues: every message carries its shop as `MessageGroupId`, so when one
 * shop floods the queue SQS hands out the other shops' messages first
 * (a standard queue with group ids is a fair queue; no queue setting, no
 * ordering, no throughput limit comes with it).
 */
export class SqsQueues implements Queues {
  private readonly client = traced(new SQSClient({}));

  /** Fair standard queue: the shop as MessageGroupId (tenant), no deduplication id (ingest is idempotent and needs no order). */
  async sendIngest(messages: IngestMessage[]): Promise<void> {
    const url = required('INGEST_QUEUE_URL');
    await this.sendAll(
      url,
      messages.map((m, i) => ({ Id: String(i), MessageBody: JSON.stringify(m), MessageGroupId: m.shopId })),
    );
  }

  async sendDigestJobs(jobs: DigestJob[]): Promise<void> {
    const url = required('DIGEST_QUEUE_URL');
    await this.sendAll(
      url,
      jobs.map((j, i) => ({ Id: String(i), MessageBody: JSON.stringify(j), MessageGroupId: j.shopId })),
    );
  }

  async deadLetterDigest(job: unknown, reason: string): Promise<void> {
    await this.client.send(
      new SendMessageCommand({
        QueueUrl: required('DIGEST_DLQ_URL'),
        MessageBody: JSON.stringify(job),
        MessageAttributes: { reason: { DataType: 'String', StringValue: reason.slice(0, 1000) } },
      }),
    );
  }

  private async sendAll(url: string, entries: Array<{ Id: string; MessageBody: string; MessageGroupId: string }>) {
    for (let i = 0; i < entries.length; i += 10) {
      let batch = entries.slice(i, i + 10);
      for (let attempt = 0; batch.length > 0; attempt++) {
        const res = await this.client.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: batch }));
        const failed = new Set((res.Failed ?? []).map((f) => f.Id));
        batch = batch.filter((e) => failed.has(e.Id));
        if (batch.length > 0) {
          if (attempt >= 5) throw new Error(`SQS refused ${batch.length} messages`);
          await new Promise((r) => setTimeout(r, 2 ** attempt * 50));
        }
      }
    }
  }
}

function required(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`Missing configuration ${name}`);
  return v;
}

