import { inject } from 'vitest';
import { randomUUID } from 'node:crypto';
import { resetConfig } from '#lib/config.ts';
import { setDb } from '#lib/store/client.ts';

/**
 * Per test file: point the code at the shared DynamoDB Local with a table of
 * its own, and the test secrets below (also the local runtime's documented defaults).
 */
export const TEST_SECRETS = {
  META_APP_SECRET: 'test-meta-app-secret',
  META_VERIFY_TOKEN: 'test-verify-token',
  ZALO_APP_ID: '1234567890',
  ZALO_OA_SECRET_KEY: 'test-zalo-oa-secret',
  ADMIN_TOKEN: 'test-admin-token-0123456789',
  UNSUBSCRIBE_SIGNING_KEY: 'test-unsubscribe-signing-key-0123456789',
};

process.env.DYNAMODB_ENDPOINT = inject('dynamoEndpoint');
process.env.TABLE_NAME = `t-${randomUUID()}`;
process.env.AWS_REGION = 'local';
process.env.LOG_LEVEL ??= 'silent';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
Object.assign(process.env, TEST_SECRETS);
// Per-shop limits far above what any test sends in a second (test/integration/shop-limits-and-edges.test.ts sets low ones);
// tests measure figures, not throughput.
process.env.SHOP_EVENT_REQUESTS_PER_SECOND ??= '100000';
process.env.SHOP_EVENTS_PER_SECOND ??= '10000000';
process.env.SHOP_REPORT_REQUESTS_PER_SECOND ??= '100000';
resetConfig();
setDb(undefined);

/** Puts the environment back as it was in `saved` (keys added since are removed) and re-reads the configuration. */
export function restoreEnv(saved: NodeJS.ProcessEnv): void {
  for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
  Object.assign(process.env, saved);
  resetConfig();
}
