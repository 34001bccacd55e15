import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { config } from '#lib/config.ts';
import { traced } from '#lib/aws/tracing.ts';

let doc: DynamoDBDocumentClient | undefined;

/** The single document client; the endpoint comes from config so the local runtime and AWS share it. */
export function db(): DynamoDBDocumentClient {
  if (doc) return doc;
  const c = config();
  const base = traced(
    new DynamoDBClient({
      region: c.AWS_REGION,
      ...(c.DYNAMODB_ENDPOINT ? { endpoint: c.DYNAMODB_ENDPOINT, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
      maxAttempts: 6,
    }),
  );
  // the document client shares the base client's middleware stack, so its calls are traced too
  doc = DynamoDBDocumentClient.from(base, { marshallOptions: { removeUndefinedValues: true } });
  return doc;
}

/** Replaces the client (tests wrap it to inject faults); `undefined` restores the default. */
export function setDb(client: DynamoDBDocumentClient | undefined): void {
  doc = client;
}

export function tableName(): string {
  return config().TABLE_NAME;
}
