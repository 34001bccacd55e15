import { Duration, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, MathExpression, Stats, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { LambdaDeploymentConfig, LambdaDeploymentGroup, type ILambdaDeploymentConfig } from 'aws-cdk-lib/aws-codedeploy';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { ChatpulseFunction } from './chatpulse-function.ts';

/** How a new version of an API function takes traffic: 10 % for 5 minutes, then all of it. */
export const API_ROLLOUT: ILambdaDeploymentConfig = LambdaDeploymentConfig.CANARY_10PERCENT_5MINUTES;
/** A canary whose error rate stays above this (per minute, 2 minutes running) is rolled back. */
export const ROLLBACK_ERROR_RATE_PERCENT = 5;

/**
 * Gradual deploys of the functions behind the API: each one's `live` alias
 * moves to a new version through a CodeDeploy deployment group (canary 10 %
 * for 5 minutes), rolled back automatically when the alias's own error rate
 * alarm fires during the rollout, or when the deployment fails or is
 * stopped. The workers (ingest, digests) switch at once: their inputs wait
 * in queues and retry, and their DLQ and rate alarms watch them.
 */
export class Deployments extends Construct {
  readonly groups: Record<string, LambdaDeploymentGroup> = {};
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: { functions: Record<string, ChatpulseFunction>; topic: ITopic }) {
    super(scope, id);
    const action = new SnsAction(props.topic);
    for (const [name, fn] of Object.entries(props.functions)) {
      const period = Duration.minutes(1);
      const alarm = new Alarm(this, `${name}CanaryErrors`, {
        metric: new MathExpression({
          expression: 'IF(i > 0, 100 * e / i, 0)',
          usingMetrics: { e: fn.live.metricErrors({ period, statistic: Stats.SUM }), i: fn.live.metricInvocations({ period, statistic: Stats.SUM }) },
          period,
          label: `${name} live error %`,
        }),
        threshold: ROLLBACK_ERROR_RATE_PERCENT,
        evaluationPeriods: 2,
        datapointsToAlarm: 2,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: `More than ${ROLLBACK_ERROR_RATE_PERCENT} % of ${name} (alias live) invocations failed two minutes running: a rollout in progress is rolled back`,
      });
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
      this.alarms.push(alarm);
      const group = new LambdaDeploymentGroup(this, `${name}Rollout`, {
        alias: fn.live,
        deploymentConfig: API_ROLLOUT,
        alarms: [alarm],
        autoRollback: { failedDeployment: true, stoppedDeployment: true, deploymentInAlarm: true },
      });
      Validations.of(group).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSCodeDeployRoleForLambdaLimited]',
        reason: "CodeDeploy's own managed role policy for Lambda, limited variant: it may only shift aliases and invoke hooks named CodeDeployHook_*.",
      });
      this.groups[name] = group;
    }
  }
}
