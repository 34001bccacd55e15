import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { config } from '#lib/config.ts';

/**
 * A real document client against the local DynamoDB whose request pipeline
 * throws where a test says so: the request never reaches the database, like
 * a Lambda that dies before that write.
 */
export function faultyClient(shouldFail: (commandName: string, callIndex: number) => Error | undefined): DynamoDBDocumentClient {
  const c = config();
  const base = new DynamoDBClient({
    region: c.AWS_REGION,
    endpoint: c.DYNAMODB_ENDPOINT,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  const doc = DynamoDBDocumentClient.from(base, { marshallOptions: { removeUndefinedValues: true } });
  const counts = new Map<string, number>();
  doc.middlewareStack.add(
    (next, context) => async (args) => {
      const name = String(context.commandName);
      const n = counts.get(name) ?? 0;
      counts.set(name, n + 1);
      const err = shouldFail(name, n);
      if (err) throw err;
      return next(args);
    },
    { step: 'initialize', name: 'faultInjection' },
  );
  return doc;
}
