import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { digestJobSchema, sendDigest } from '#lib/digests/send.ts';
import { log, observe } from '#lib/log.ts';
import { loadSecrets } from '#lib/secrets.ts';
import { PermanentMailError } from '#lib/mail/ses.ts';
import { queues, type DigestJob } from '#lib/queue/queue.ts';
import { startup } from '#lib/startup.ts';

await startup('digest-send');

/**
 * Digest worker: one job per recipient and period. A failed job is reported
 * for redelivery (SES throttling, a crash); after five receives it rests in
 * the dead-letter queue, its last error logged and kept on the ledger item.
 */
const main = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  await loadSecrets(); // ADMIN_TOKEN signs the unsubscribe links
  const failures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    let job: DigestJob | undefined;
    try {
      job = digestJobSchema.parse(JSON.parse(record.body));
      const outcome = await sendDigest(job);
      log.info('digest job', { shopId: job.shopId, period: job.period, periodKey: job.periodKey, outcome });
    } catch (err) {
      if (job && err instanceof PermanentMailError) {
        await queues().deadLetterDigest(job, `${err.name}: ${err.message}`);
        log.error('digest job dead-lettered', err, { messageId: record.messageId });
        continue;
      }
      log.error('digest job failed', err, { messageId: record.messageId, receiveCount: record.attributes.ApproximateReceiveCount });
      failures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures: failures };
};

export const handler = middy<SQSEvent, SQSBatchResponse>().use(observe()).handler(main);
