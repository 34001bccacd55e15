import { ensureTable } from '../../scripts/local/dynamodb-local.ts';
import { config } from '#lib/config.ts';

/** Creates this test file's table in the shared DynamoDB Local. */
export async function createTestTable(): Promise<void> {
  const c = config();
  await ensureTable(c.DYNAMODB_ENDPOINT!, c.TABLE_NAME);
}
