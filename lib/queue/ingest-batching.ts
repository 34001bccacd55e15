/**
 * How the ingest worker is fed, shared by the CDK stack (the Lambda event
 * source mapping on the standard SQS queue) and the local runtime's queue,
 * so that both batch alike. The figures behind each choice are in
 * bench/RESULTS.md ("Queue design", "Cost on the deployed path").
 */
export const INGEST_BATCHING = {
  /** messages per invocation; one webhook is one message, so about one event each */
  batchSize: 100,
  /** the poller waits up to this long to fill a batch (the added report lag) */
  maxBatchingWindowSeconds: 20,
  /**
   * invocations at once for the whole deployment: 200 × 100 events per batch
   * in ~1 s is ~20,000 events/s, above API Gateway's 10,000 requests/s account
   * rate, while leaving the account's Lambda concurrency to the webhook
   * functions (messages wait in the queue; webhooks are never refused)
   */
  maxConcurrency: 200,
  /** worker timeout; the queue's visibility timeout is 6 × this + the window (AWS's advice) */
  timeoutSeconds: 30,
  /** receives before a message goes to the dead-letter queue */
  maxReceiveCount: 5,
} as const;

/** The ingest queue's visibility timeout in seconds. */
export const ingestVisibilityTimeoutSeconds = (): number => 6 * INGEST_BATCHING.timeoutSeconds + INGEST_BATCHING.maxBatchingWindowSeconds;
