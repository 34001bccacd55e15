import { traced } from '#lib/aws/tracing.ts';
import { SendMessageBatchCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { AlertQueue, DelayedMessage } from '#lib/alerts/queue.ts';

/** The alert queue on SQS: per-message DelaySeconds (timers), batches of 10, refused entries retried. */
export class SqsAlertQueue implements AlertQueue {
  private readonly client = traced(new SQSClient({}));

  constructor(
    private readonly url: string,
    private readonly dlqUrl: string | undefined,
  ) {}

  async send(messages: DelayedMessage[]): Promise<void> {
    const entries = messages.map((m, i) => ({ Id: String(i), MessageBody: JSON.stringify(m.body), DelaySeconds: m.delaySeconds }));
    for (let i = 0; i < entries.length; i += 10) {
      let batch = entries.slice(i, i + 10);
      for (let attempt = 0; batch.length > 0; attempt++) {
        const res = await this.client.send(new SendMessageBatchCommand({ QueueUrl: this.url, Entries: batch }));
        const failed = new Set((res.Failed ?? []).map((f) => f.Id));
        batch = batch.filter((e) => failed.has(e.Id));
        if (batch.length > 0) {
          if (attempt >= 5) throw new Error(`SQS refused ${batch.length} alert messages`);
          await new Promise((r) => setTimeout(r, 2 ** attempt * 50));
        }
      }
    }
  }

  async deadLetter(body: unknown, reason: string): Promise<void> {
    if (!this.dlqUrl) throw new Error('Missing configuration ALERT_DLQ_URL');
    await this.client.send(
      new SendMessageCommand({
        QueueUrl: this.dlqUrl,
        MessageBody: JSON.stringify(body),
        MessageAttributes: { reason: { DataType: 'String', StringValue: reason.slice(0, 1000) } },
      }),
    );
  }
}
