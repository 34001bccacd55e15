import middy from '@middy/core';
import { observe } from '#lib/log.ts';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { consumeIngestMessages } from '#lib/ingest/consume.ts';
import { startup } from '#lib/startup.ts';

await startup('ingest');

/** SQS FIFO consumer: applies event batches, reporting partial batch failures. */
const main = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  const failed = await consumeIngestMessages(
    event.Records.map((r) => ({ messageId: r.messageId, groupId: r.attributes.MessageGroupId ?? r.messageId, body: r.body })),
  );
  return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
};

export const handler = middy<SQSEvent, SQSBatchResponse>().use(observe()).handler(main);
