import { Duration, Validations } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** A queue and its dead-letter queue (after `maxReceiveCount` receives, default 5), both encrypted (SSE-SQS) and TLS-only. */
export function queueWithDlq(scope: Construct, id: string, props: { fifo: boolean; visibilityTimeout: Duration; maxReceiveCount?: number }): { queue: Queue; dlq: Queue } {
  const fifo = props.fifo ? { fifo: true, contentBasedDeduplication: false } : {};
  const dlq = new Queue(scope, `${id}Dlq`, {
    ...fifo,
    retentionPeriod: Duration.days(14),
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
  });
  Validations.of(dlq).acknowledge({
    id: 'Serverless-SQSRedrivePolicy',
    reason: 'This is itself a dead-letter queue: nothing consumes it but npm run dlq:replay, so there is nothing to redrive from it.',
  });
  const queue = new Queue(scope, id, {
    ...fifo,
    visibilityTimeout: props.visibilityTimeout,
    retentionPeriod: Duration.days(4),
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    deadLetterQueue: { queue: dlq, maxReceiveCount: props.maxReceiveCount ?? 5 },
  });
  return { queue, dlq };
}

/** A dead-letter queue for asynchronous invocations that failed every retry (encrypted, TLS-only, kept 14 days). */
export function asyncDeadLetterQueue(scope: Construct, id: string): Queue {
  const q = new Queue(scope, id, { retentionPeriod: Duration.days(14), encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true });
  Validations.of(q).acknowledge({ id: 'Serverless-SQSRedrivePolicy', reason: 'This is itself a dead-letter queue (failed asynchronous invocations); nothing consumes it to redrive from.' });
  return q;
}
