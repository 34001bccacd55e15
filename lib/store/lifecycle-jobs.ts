import { DeleteCommand, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
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
 *
 * A job not done is listed among the open jobs before it is written, and
 * leaves the list after it is written done, so a crash in between leaves at
 * worst a done job listed (the sweep drops it), never an open job unlisted.
 */
export async function saveJob(jobId: string, job: Record<string, unknown>, expected: number, finished: boolean): Promise<boolean> {
  if (!finished) await db().send(new PutCommand({ TableName: tableName(), Item: { ...keys.openJob(jobId), type: 'open-job', jobId } }));
  const saved = await putJob(jobId, job, expected, finished);
  if (saved && finished) await unlistJob(jobId);
  return saved;
}

/** Takes a job off the list of open jobs. */
export async function unlistJob(jobId: string): Promise<void> {
  await db().send(new DeleteCommand({ TableName: tableName(), Key: keys.openJob(jobId) }));
}

/** The ids of the jobs listed as open (a handful at most: one per shop being deleted or person being erased). */
export async function listOpenJobs(): Promise<string[]> {
  const ids: string[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db().send(
      new QueryCommand({ TableName: tableName(), KeyConditionExpression: 'PK = :p', ExpressionAttributeValues: { ':p': keys.openJobsPartition() }, ExclusiveStartKey: start, ConsistentRead: true }),
    );
    for (const it of page.Items ?? []) ids.push(String(it.jobId));
    start = page.LastEvaluatedKey;
  } while (start);
  return ids;
}

async function putJob(jobId: string, job: Record<string, unknown>, expected: number, finished: boolean): Promise<boolean> {
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
