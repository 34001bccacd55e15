import middy from '@middy/core';
import { observe } from '#lib/log.ts';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { consumeIngestMessages } from '#lib/ingest/consume.ts';
import { startup } from '#lib/startup.ts';

await startup('ingest');

/** Standard SQS consumer: applies event batches, reporting partial batch failures (each message is its own group). */
const main = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  const failed = await consumeIngestMessages(event.Records.map((r) => ({ messageId: r.messageId, groupId: r.messageId, body: r.body })));
  return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
};

export const handler = middy<SQSEvent, SQSBatchResponse>().use(observe()).handler(main);
