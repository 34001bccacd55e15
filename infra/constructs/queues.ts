import { Duration } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Validations } from 'aws-cdk-lib';
import { Construct } from 'constructs';

/** A queue with its dead-letter queue (5 receives), encrypted, TLS only. */
export function queueWithDlq(scope: Construct, id: string, props: { fifo: boolean; visibilityTimeout: Duration }): { queue: Queue; dlq: Queue } {
  const suffix = props.fifo ? { fifo: true, contentBasedDeduplication: false } : {};
  const dlq = new Queue(scope, `${id}Dlq`, {
    ...suffix,
    retentionPeriod: Duration.days(14),
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
  });
  Validations.of(dlq).acknowledge({ id: 'AwsSolutions-SQS3', reason: 'This is the dead-letter queue; messages that land here are replayed with npm run dlq:replay.' });
  const queue = new Queue(scope, id, {
    ...suffix,
    visibilityTimeout: props.visibilityTimeout,
    retentionPeriod: Duration.days(4),
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    deadLetterQueue: { queue: dlq, maxReceiveCount: 5 },
  });
  return { queue, dlq };
}
