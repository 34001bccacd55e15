import { Duration } from 'aws-cdk-lib';
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  Stats,
  TreatMissingData,
  type IMetric,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export type ObservabilityProps = {
  /** by a short name used in alarm names (Webhook, Ingest …) */
  functions: Record<string, IFunction>;
  deadLetterQueues: Record<string, Queue>;
  ingestQueue: Queue;
  /** an ingest message older than this (seconds) raises the backlog alarm; default 300 */
  maxIngestAgeSeconds?: number;
  alarmEmail?: string;
};

/**
 * What an operator watches: alarms on every dead-letter queue holding a
 * message, every function's errors and throttles, and the age of the oldest
 * ingest message; all to one encrypted SNS topic (optionally mailed), plus a
 * dashboard of the same metrics.
 */
export class Observability extends Construct {
  readonly topic: Topic;
  readonly alarms: Alarm[] = [];
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    const key = new Key(this, 'AlarmsKey', { enableKeyRotation: true, description: 'chatpulse alarm topic' });
    // CloudWatch publishes alarm notifications to the encrypted topic: without this grant they are silently dropped.
    key.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
    this.topic = new Topic(this, 'Alarms', { masterKey: key, enforceSSL: true, displayName: 'chatpulse alarms' });
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
      a.addOkAction(action);
      this.alarms.push(a);
      return a;
    };

    const dlqDepth = Object.entries(props.deadLetterQueues).map(([name, q]) => {
      const metric = q.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: Stats.MAXIMUM });
      alarm(`${name}DlqDepth`, metric, 0, `Messages in the ${name} dead-letter queue: find the reason in the logs, fix, then npm run dlq:replay`);
      return metric.with({ label: `${name} DLQ` });
    });
    const errors: IMetric[] = [];
    const throttles: IMetric[] = [];
    const durations: IMetric[] = [];
    for (const [name, fn] of Object.entries(props.functions)) {
      const e = fn.metricErrors({ period: Duration.minutes(5), statistic: Stats.SUM });
      const t = fn.metricThrottles({ period: Duration.minutes(5), statistic: Stats.SUM });
      alarm(`${name}Errors`, e, 0, `The ${name} function failed (see its log group)`);
      alarm(`${name}Throttles`, t, 0, `The ${name} function was throttled (account concurrency exhausted?)`);
      errors.push(e.with({ label: name }));
      throttles.push(t.with({ label: name }));
      durations.push(fn.metricDuration({ period: Duration.minutes(5), statistic: Stats.p(99), label: name }));
    }
    const maxAge = props.maxIngestAgeSeconds ?? 300;
    const age = props.ingestQueue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(1), statistic: Stats.MAXIMUM });
    alarm('IngestQueueAge', age, maxAge, `Events have waited more than ${maxAge} s to be ingested: the worker is failing or too slow`);

    this.dashboard = new Dashboard(this, 'Dashboard', { defaultInterval: Duration.hours(24) });
    this.dashboard.addWidgets(new AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24 }));
    this.dashboard.addWidgets(
      new GraphWidget({ title: 'Ingest backlog', left: [props.ingestQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), label: 'visible' })], right: [age.with({ label: 'oldest message (s)' })], width: 12 }),
      new GraphWidget({ title: 'Dead-letter queues', left: dlqDepth, width: 12 }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({ title: 'Function errors', left: errors, width: 8 }),
      new GraphWidget({ title: 'Function throttles', left: throttles, width: 8 }),
      new GraphWidget({ title: 'Function duration p99 (ms)', left: durations, width: 8 }),
    );
  }
}
