import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { db, tableName } from '#lib/store/client.ts';
import { keys } from '#lib/store/keys.ts';

/**
 * Data lifecycle jobs (shop deletion, one person's erasure): one item per job,
 * outside the shop's partitions. Each step writes the job on the condition
 * that its version is the one read, so two runners of one job never both
 * record a step (the loser's work is idempotent and is simply not counted).
 */
export type StoredJob = { v: number; job: Record<string, unknown> };

/** How long a finished job's record stays readable. */
export const JOB_RECORD_DAYS = 30;

export async function getJob(jobId: string): Promise<StoredJob | undefined> {
  const res = await db().send(new GetCommand({ TableName: tableName(), Key: keys.lifecycleJob(jobId), ConsistentRead: true }));
  return res.Item ? { v: Number(res.Item.v), job: res.Item.job as Record<string, unknown> } : undefined;
}

/**
 * Writes a job over version `expected` (0: create, or replace a finished one
 * when `replaceFinished`); false when another runner wrote it first. A finished
 * job expires `JOB_RECORD_DAYS` later (TTL).
 */
export async function saveJob(jobId: string, job: Record<string, unknown>, expected: number, finished: boolean): Promise<boolean> {
  try {
    await db().send(
      new PutCommand({
        TableName: tableName(),
        Item: {
          ...keys.lifecycleJob(jobId),
          type: 'lifecycle-job',
          v: expected + 1,
          job,
          ...(finished ? { expiresAt: Math.floor(Date.now() / 1000) + JOB_RECORD_DAYS * 86_400 } : {}),
        },
        ...(expected === 0 ? { ConditionExpression: 'attribute_not_exists(PK)' } : { ConditionExpression: 'v = :v', ExpressionAttributeValues: { ':v': expected } }),
      }),
    );
    return true;
  } catch (err) {
    if ((err as Error).name === 'ConditionalCheckFailedException') return false;
    throw err;
  }
}
