import middy, { type MiddlewareObj } from '@middy/core';
import sqsPartialBatchFailure from '@middy/sqs-partial-batch-failure';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { sendDigest } from '#lib/digests/send.ts';
import { InvalidDigestJobError, parseDigestJob, type DigestJob } from '#lib/digests/job.ts';
import { log, observe } from '#lib/log.ts';
import { PermanentMailError } from '#lib/mail/ses.ts';
import { queues } from '#lib/queue/queue.ts';
import { startup } from '#lib/startup.ts';

await startup('digest-send');

/**
 * Digest worker: one job per recipient and period, one after another (SES
 * sending rate). A failed job is reported for redelivery (SES throttling, a
 * crash) by @middy/sqs-partial-batch-failure from the settled results; after
 * five receives it rests in the dead-letter queue, its last error logged and
 * kept on the ledger item. A permanent refusal goes there at once, and so
 * does a job that is not valid (no retry can fix it): one queued before the
 * dispatcher signed the links carries none, and this function holds no key
 * to sign them.
 */
const main = async (event: SQSEvent): Promise<PromiseSettledResult<unknown>[]> => {
  const settled: PromiseSettledResult<unknown>[] = [];
  for (const record of event.Records) {
    let body: unknown;
    let job: DigestJob | undefined;
    try {
      body = JSON.parse(record.body);
      job = parseDigestJob(body);
      const outcome = await sendDigest(job);
      log.info('digest job', { shopId: job.shopId, period: job.period, periodKey: job.periodKey, outcome });
      settled.push({ status: 'fulfilled', value: outcome });
    } catch (err) {
      if (err instanceof InvalidDigestJobError || (job && err instanceof PermanentMailError)) {
        await queues().deadLetterDigest(body, `${err.name}: ${err.message}`);
        log.error('digest job dead-lettered', err, { messageId: record.messageId });
        settled.push({ status: 'fulfilled', value: 'dead-lettered' });
        continue;
      }
      settled.push({ status: 'rejected', reason: err });
    }
  }
  return settled;
};

export const handler = middy<SQSEvent, SQSBatchResponse>()
  .use(observe())
  .use(
    sqsPartialBatchFailure({
      logger: (err: unknown, record: SQSRecord) =>
        log.error('digest job failed', err, { messageId: record.messageId, receiveCount: record.attributes.ApproximateReceiveCount }),
    }) as MiddlewareObj<SQSEvent, SQSBatchResponse>,
  )
  // the middleware turns the settled results into the SQSBatchResponse Lambda reads
  .handler(main as unknown as (event: SQSEvent) => Promise<SQSBatchResponse>);
