import { Duration, Validations } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  MathExpression,
  Metric,
  Stats,
  TreatMissingData,
  type IMetric,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { ChatpulseFunction } from './chatpulse-function.ts';

/** Namespace and service dimension of the metrics lib/log.ts publishes (`metricWithTotal` totals carry the service alone). */
export const APP_METRICS = { namespace: 'chatpulse', service: 'chatpulse' } as const;

/**
 * The thresholds, in one place. Rates are judged over several periods (M of
 * N datapoints), so one failed call among many pages nobody.
 * SES reviews an account whose bounce rate reaches 5 % or complaint rate
 * 0.1 % (and may pause it at 10 % / 0.5 %): the alarms fire below those.
 */
export const ALARM_RULES = {
  functionErrorRatePercent: 5,
  functionThrottleRatePercent: 1,
  /** 5-minute periods: M of N */
  rate: { period: Duration.minutes(5), datapoints: 3, of: 5 },
  api5xxRatePercent: 1,
  apiP99LatencyMs: 3_000,
  ingestMaxAgeSeconds: 300,
  /** an SLA alert group sent this late after its minute (the alert queue is behind): the 60 s goal of SPEC §4.4 is missed */
  alertFlushLateSeconds: 60,
  /** no webhook event at all for this many hours while shops exist */
  webhookSilenceHours: 6,
  /** no digest sent for this many hours while shops exist (a daily digest is due every 24 h) */
  digestSilenceHours: 26,
  sesBounceRate: 0.04,
  sesComplaintRate: 0.0008,
} as const;

export type ObservabilityProps = {
  /** every function, by a short name used in alarm names (Webhook, Ingest …) */
  functions: Record<string, ChatpulseFunction>;
  /** by a short name; any message in one raises its alarm */
  deadLetterQueues: Record<string, Queue>;
  ingestQueue: Queue;
  table: Table;
  api: HttpApi;
  /** the digests' SES configuration set (reputation metrics) */
  configurationSetName: string;
  /** the address subscribed to the alarm topic; required (the stack refuses prod without one) */
  alarmEmail?: string;
};

/**
 * What an operator is woken for, all through one encrypted SNS topic with
 * an email subscriber: a message in any dead-letter queue; each function's
 * error and throttle rates; the API's 5xx rate and p99 latency; SLA alert groups
 * sent more than a minute late; the age of
 * the oldest ingest message; dropped and invalid events and digests refused
 * for good; DynamoDB throttling; silence (no webhook event for hours, no
 * digest in 26 hours, while shops exist); SES bounce and complaint rates
 * below the levels at which SES reviews the account. The dashboard shows
 * traffic, errors, lag and digests.
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
    if (props.alarmEmail) {
      // notifications SNS could not deliver to the subscriber are kept 14 days
      const undelivered = new Queue(this, 'UndeliveredAlarms', { retentionPeriod: Duration.days(14), encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true });
      Validations.of(undelivered).acknowledge({ id: 'AwsSolutions-SQS3', reason: 'This is itself the dead-letter queue of the alarm subscription (undeliverable notifications).' });
      Validations.of(undelivered).acknowledge({ id: 'Serverless-SQSRedrivePolicy', reason: 'This is itself the dead-letter queue of the alarm subscription; nothing consumes it to redrive from.' });
      this.topic.addSubscription(new EmailSubscription(props.alarmEmail, { deadLetterQueue: undelivered }));
    }
    const action = new SnsAction(this.topic);
    const R = ALARM_RULES;

    const alarm = (name: string, metric: IMetric, threshold: number, description: string, o: { datapoints?: number; of?: number; missing?: TreatMissingData; op?: ComparisonOperator } = {}) => {
      const a = new Alarm(this, name, {
        metric,
        threshold,
        evaluationPeriods: o.of ?? 1,
        datapointsToAlarm: o.datapoints ?? o.of ?? 1,
        comparisonOperator: o.op ?? ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: o.missing ?? TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      a.addAlarmAction(action);
      a.addOkAction(action);
      this.alarms.push(a);
      return a;
    };
    const rate = { datapoints: R.rate.datapoints, of: R.rate.of };
    const app = (metricName: string, period: Duration, label?: string) =>
      new Metric({ namespace: APP_METRICS.namespace, metricName, dimensionsMap: { service: APP_METRICS.service }, statistic: Stats.SUM, period, ...(label ? { label } : {}) });

    // Dead letters: each one is a job or invocation that failed every retry.
    const dlqDepth = Object.entries(props.deadLetterQueues).map(([name, q]) => {
      const metric = q.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: Stats.MAXIMUM });
      alarm(`${name}DlqDepth`, metric, 0, `Messages in the ${name} dead-letter queue: find the reason in the logs, fix, then npm run dlq:replay`);
      return metric.with({ label: `${name} DLQ` });
    });

    // Functions: error and throttle rates over several periods.
    const invocations: IMetric[] = [];
    const errors: IMetric[] = [];
    const durations: IMetric[] = [];
    for (const [name, fn] of Object.entries(props.functions)) {
      const period = R.rate.period;
      const usingMetrics = {
        e: fn.metricErrors({ period, statistic: Stats.SUM }),
        t: fn.metricThrottles({ period, statistic: Stats.SUM }),
        i: fn.metricInvocations({ period, statistic: Stats.SUM }),
      };
      alarm(
        `${name}ErrorRate`,
        new MathExpression({ expression: 'IF(i > 0, 100 * e / i, 0)', usingMetrics: { e: usingMetrics.e, i: usingMetrics.i }, period, label: `${name} error %` }),
        R.functionErrorRatePercent,
        `More than ${R.functionErrorRatePercent} % of ${name} invocations failed in ${R.rate.datapoints} of ${R.rate.of} five-minute periods (see its log group)`,
        rate,
      );
      alarm(
        `${name}ThrottleRate`,
        new MathExpression({ expression: 'IF(i + t > 0, 100 * t / (i + t), 0)', usingMetrics: { t: usingMetrics.t, i: usingMetrics.i }, period, label: `${name} throttle %` }),
        R.functionThrottleRatePercent,
        `More than ${R.functionThrottleRatePercent} % of ${name} invocations were throttled in ${R.rate.datapoints} of ${R.rate.of} five-minute periods (account concurrency exhausted?)`,
        rate,
      );
      invocations.push(usingMetrics.i.with({ label: name }));
      errors.push(usingMetrics.e.with({ label: name }));
      durations.push(fn.metricDuration({ period, statistic: Stats.p(99), label: name }));
    }

    // API: 5xx rate and p99 latency.
    const apiCount = props.api.metricCount({ period: R.rate.period, statistic: Stats.SUM });
    const api5xx = props.api.metricServerError({ period: R.rate.period, statistic: Stats.SUM });
    const apiLatency = props.api.metricLatency({ period: R.rate.period, statistic: Stats.p(99) });
    alarm(
      'Api5xxRate',
      new MathExpression({ expression: 'IF(n > 0, 100 * f / n, 0)', usingMetrics: { f: api5xx, n: apiCount }, period: R.rate.period, label: 'API 5xx %' }),
      R.api5xxRatePercent,
      `More than ${R.api5xxRatePercent} % of API requests answered 5xx in ${R.rate.datapoints} of ${R.rate.of} five-minute periods`,
      rate,
    );
    alarm('ApiLatencyP99', apiLatency, R.apiP99LatencyMs, `API p99 latency above ${R.apiP99LatencyMs} ms in ${R.rate.datapoints} of ${R.rate.of} five-minute periods`, rate);

    // Lag: the oldest ingest message.
    const age = props.ingestQueue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(1), statistic: Stats.MAXIMUM });
    alarm('IngestQueueAge', age, R.ingestMaxAgeSeconds, `Events have waited more than ${R.ingestMaxAgeSeconds} s to be ingested in 3 of 5 minutes: the worker is failing or too slow`, { datapoints: 3, of: 5 });

    // SLA alerts: groups sent late after their minute (lib/alerts/deliver.ts); DLQ depth and the worker's rates are above.
    const alertLate = new Metric({ namespace: APP_METRICS.namespace, metricName: 'AlertFlushLateSeconds', dimensionsMap: { service: APP_METRICS.service }, statistic: Stats.MAXIMUM, period: Duration.minutes(1) });
    alarm('AlertsLate', alertLate, R.alertFlushLateSeconds, `SLA alert groups went out more than ${R.alertFlushLateSeconds} s after their minute in 3 of 5 minutes: the alerts worker is failing, throttled or behind (alerts miss their 60 s goal)`, { datapoints: 3, of: 5 });

    // Business metrics (lib/log.ts totals).
    const fiveMin = Duration.minutes(5);
    alarm('DigestsFailedPermanently', app('DigestsFailedPermanently', fiveMin), 0, 'SES refused a digest for good (address rejected, identity not verified): see the digest DLQ and the ledger lastError');
    alarm('EventsDropped', app('EventsDropped', fiveMin), 0, 'Ingest dropped events (unknown page, invalid after parsing) in 3 of 5 five-minute periods: see the ingest logs', rate);
    alarm('InvalidEvents', app('InvalidEvents', fiveMin), 0, 'Webhooks or the events API carried invalid events in 3 of 5 five-minute periods (a platform changed its payload?)', rate);

    // DynamoDB throttling of reads or writes, on the table and its index.
    const throttled = new MathExpression({
      expression: 'r + w',
      usingMetrics: {
        r: props.table.metric('ReadThrottleEvents', { period: fiveMin, statistic: Stats.SUM }),
        w: props.table.metric('WriteThrottleEvents', { period: fiveMin, statistic: Stats.SUM }),
      },
      period: fiveMin,
      label: 'DynamoDB throttle events',
    });
    alarm('TableThrottles', throttled, 0, 'DynamoDB throttled reads or writes of the table in 3 of 5 five-minute periods (a hot partition?)', rate);

    // Silence while shops exist (digest-dispatch publishes ShopsConfigured every hour).
    const hour = Duration.hours(1);
    const shops = app('ShopsConfigured', hour);
    const silence = (what: IMetric, label: string) =>
      new MathExpression({ expression: 'IF(FILL(s, 0) > 0 AND FILL(x, 0) == 0, 1, 0)', usingMetrics: { s: shops.with({ statistic: Stats.MAXIMUM }), x: what }, period: hour, label });
    alarm(
      'NoWebhookEvents',
      silence(app('WebhookEvents', hour), 'silent hour'),
      0,
      `No webhook event for ${R.webhookSilenceHours} hours while shops exist: did Meta or Zalo disable the subscription (failed deliveries)?`,
      { datapoints: R.webhookSilenceHours, of: R.webhookSilenceHours },
    );
    alarm(
      'NoDigestSent',
      silence(app('DigestsSent', hour), 'hour without a digest'),
      0,
      `No digest sent for ${R.digestSilenceHours} hours while shops exist: check digest-dispatch, the digest DLQ and SES sending`,
      { datapoints: R.digestSilenceHours, of: R.digestSilenceHours },
    );

    // SES reputation of the digests' configuration set.
    const ses = (metricName: string) =>
      new Metric({ namespace: 'AWS/SES', metricName, dimensionsMap: { 'ses:configuration-set': props.configurationSetName }, statistic: Stats.MAXIMUM, period: hour });
    alarm('SesBounceRate', ses('Reputation.BounceRate'), R.sesBounceRate, `Digest bounce rate above ${R.sesBounceRate * 100} % (SES reviews the account at 5 %): recipients are suppressed per shop; look for a bad list`);
    alarm('SesComplaintRate', ses('Reputation.ComplaintRate'), R.sesComplaintRate, `Digest complaint rate above ${R.sesComplaintRate * 100} % (SES reviews the account at 0.1 %)`);

    this.dashboard = new Dashboard(this, 'Dashboard', { defaultInterval: Duration.hours(24) });
    this.dashboard.addWidgets(new AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24 }));
    this.dashboard.addWidgets(
      new GraphWidget({ title: 'Traffic: API requests and webhook events', left: [apiCount.with({ label: 'API requests' })], right: [app('WebhookEvents', fiveMin, 'webhook events'), app('EventsDropped', fiveMin, 'dropped'), app('InvalidEvents', fiveMin, 'invalid')], width: 12 }),
      new GraphWidget({ title: 'Invocations', left: invocations, width: 12 }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({ title: 'Errors: functions and API 5xx', left: errors, right: [api5xx.with({ label: 'API 5xx' })], width: 8 }),
      new GraphWidget({ title: 'Latency: API p99 and function duration p99 (ms)', left: [apiLatency.with({ label: 'API p99' })], right: durations, width: 8 }),
      new GraphWidget({ title: 'Dead-letter queues', left: dlqDepth, width: 8 }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Lag: ingest backlog, alert groups late',
        left: [props.ingestQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), label: 'visible' })],
        right: [age.with({ label: 'oldest message (s)' }), alertLate.with({ label: 'alert group late (s)' })],
        width: 12,
      }),
      new GraphWidget({
        title: 'Digests',
        left: [app('DigestsSent', hour, 'sent'), app('DigestsFailedPermanently', hour, 'refused'), app('DigestBounces', hour, 'bounced'), app('DigestComplaints', hour, 'complaints')],
        right: [ses('Reputation.BounceRate').with({ label: 'bounce rate' }), ses('Reputation.ComplaintRate').with({ label: 'complaint rate' })],
        width: 12,
      }),
    );
  }
}
