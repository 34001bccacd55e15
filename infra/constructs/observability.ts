import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** Alarms an operator watches, all to one SNS topic (optionally mailed). */
export class Observability extends Construct {
  readonly topic: Topic;

  constructor(scope: Construct, id: string, props: { functions: Record<string, IFunction>; deadLetterQueues: Record<string, Queue>; ingestQueue: Queue; alarmEmail?: string }) {
    super(scope, id);
    this.topic = new Topic(this, 'Alarms', { masterKey: new Key(this, 'AlarmsKey', { enableKeyRotation: true }), enforceSSL: true });
    if (props.alarmEmail) this.topic.addSubscription(new EmailSubscription(props.alarmEmail));
    const action = new SnsAction(this.topic);
    const alarm = (name: string, metric: IMetric, threshold: number, description: string) => {
      const a = new Alarm(this, name, {
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      a.addAlarmAction(action);
      return a;
    };
    for (const [name, q] of Object.entries(props.deadLetterQueues)) {
      alarm(`${name}DlqDepth`, q.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1) }), 0, `Messages in the ${name} dead-letter queue: find the reason in the logs, fix, then npm run dlq:replay`);
    }
    for (const [name, fn] of Object.entries(props.functions)) {
      alarm(`${name}Errors`, fn.metricErrors({ period: Duration.minutes(5) }), 0, `${name} function errors`);
      alarm(`${name}Throttles`, fn.metricThrottles({ period: Duration.minutes(5) }), 0, `${name} function throttled`);
    }
    alarm('IngestQueueAge', props.ingestQueue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(1) }), 300, 'Events wait more than 5 minutes to be ingested');
  }
}
