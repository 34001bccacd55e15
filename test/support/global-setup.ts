import type { TestProject } from 'vitest/node';
import { startDynamoLocal } from '../../scripts/local/dynamodb-local.ts';

/** One DynamoDB Local for the whole run; each test file creates its own table in it. */
export default async function setup(project: TestProject) {
  const dynamo = await startDynamoLocal();
  project.provide('dynamoEndpoint', dynamo.endpoint);
  project.provide('dynamoPid', dynamo.process.pid ?? 0);
  project.provide('dynamoPort', dynamo.port);
  return async () => {
    await dynamo.stop();
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
    /** the Java process and port of that DynamoDB Local (test/e2e/local-exposure.test.ts inspects its sockets) */
    dynamoPid: number;
    dynamoPort: number;
  }
}
