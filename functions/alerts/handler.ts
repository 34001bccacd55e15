import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { observe } from '#lib/log.ts';
import { consumeAlertMessages } from '#lib/alerts/consume.ts';
import { startup } from '#lib/startup.ts';

await startup('alerts');

/** Alert queue consumer: wait timers, group flushes and delivery retries (lib/alerts/), reporting partial batch failures. */
const main = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  const failed = await consumeAlertMessages(event.Records.map((r) => ({ messageId: r.messageId, body: r.body })));
  return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
};

export const handler = middy<SQSEvent, SQSBatchResponse>().use(observe()).handler(main);
