import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { BackupPlan, BackupPlanRule, BackupResource, BackupVault } from 'aws-cdk-lib/aws-backup';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { Schedule } from 'aws-cdk-lib/aws-events';
import { Construct } from 'constructs';

/** Daily backups at 19:00 UTC (02:00 in Vietnam, the quietest hour), each kept this long. */
export const BACKUP_RETENTION = Duration.days(35);

/**
 * AWS Backup for prod: a daily backup of the table into a vault kept when
 * the stack goes (RETAIN), each backup deleted after BACKUP_RETENTION.
 * Point-in-time recovery (35 days, to the second) stays on beside it; the
 * backups survive the table, a deleted stack, and a restore gone wrong.
 */
export class Backups extends Construct {
  readonly plan: BackupPlan;
  readonly vault: BackupVault;

  constructor(scope: Construct, id: string, props: { table: Table }) {
    super(scope, id);
    this.vault = new BackupVault(this, 'Vault', { removalPolicy: RemovalPolicy.RETAIN });
    this.plan = new BackupPlan(this, 'Plan', {
      backupVault: this.vault,
      backupPlanRules: [
        new BackupPlanRule({
          ruleName: 'Daily',
          scheduleExpression: Schedule.cron({ hour: '19', minute: '0' }),
          startWindow: Duration.hours(1),
          completionWindow: Duration.hours(4),
          deleteAfter: BACKUP_RETENTION,
        }),
      ],
    });
    const selection = this.plan.addSelection('Table', { resources: [BackupResource.fromDynamoDbTable(props.table)] });
    Validations.of(selection).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup]',
      reason: "AWS Backup's own managed policy for its service role: it lets Backup read the selected table to back it up.",
    });
  }
}
