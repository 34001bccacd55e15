/**
 * `npm start`: the whole system on this machine — the real handlers behind
 * http://127.0.0.1:3000 (PORT; the URL is written to .data/local-url for npm run demo), DynamoDB Local persisting to .data/, queues
 * in .data/queues, digests written to outbox/. Ctrl-C stops it; a restart
 * picks up where it left off.
 */
import { startLocal, LOCAL_DEFAULTS, type LocalRuntime } from './local/runtime.ts';
import { ConfigError } from '#lib/config.ts';
import path from 'node:path';
import { removeLocalUrl, writeLocalUrl } from './local/local-url.ts';

let runtime: LocalRuntime;
try {
  runtime = await startLocal({});
} catch (err) {
  // a bad setting stops the start with a message naming it (never a 500 on every request later)
  console.error(err instanceof ConfigError ? `chatpulse did not start. ${err.message}` : err);
  process.exit(1);
}
// npm run demo (from this folder) reads where we listen, whatever the port
const dataDir = path.resolve('.data');
writeLocalUrl(dataDir, runtime.url);
// the admin token is a secret: the banner says where it comes from, never what it is (terminals are logged and shared)
const adminFrom = process.env.ADMIN_TOKEN === LOCAL_DEFAULTS.ADMIN_TOKEN ? 'the local default, README "Local secrets"' : 'ADMIN_TOKEN';
console.log(`chatpulse is running at ${runtime.url}
  health     GET  ${runtime.url}/healthz
  admin      Authorization: Bearer <admin token> (from ${adminFrom})
  dynamodb   ${runtime.dynamo?.endpoint ?? process.env.DYNAMODB_ENDPOINT} (data in .data/dynamodb)
  outbox     ${process.env.OUTBOX_DIR}
Settings and local secrets: docs/operations.md. Try: npm run demo`);

const shutdown = async () => {
  removeLocalUrl(dataDir, runtime.url);
  await runtime.stop();
  process.exit(0);
};
process.on('SIGINT', () => void shutdown());
process.on('SIGTERM', () => void shutdown());
