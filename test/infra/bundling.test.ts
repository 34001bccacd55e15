import { describe, expect, it } from 'vitest';
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { esbuildOptions } from '#infra/bundling.ts';
import { PROJECT_ROOT } from '#infra/constructs/chatpulse-function.ts';

/**
 * The deployed bundles replace the SDK's default credential chain by the
 * environment provider (infra/bundling.ts ALIASES). Bundled with the stack's
 * own options, an SDK client must still find the credentials Lambda puts in
 * the environment, and the rest of the chain must be gone from the bundle.
 */
describe('bundling: Lambda credentials', () => {
  it('an SDK client in a bundle reads the credentials from the environment, and only from there', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'chatpulse-bundling-'));
    try {
      const entry = path.join(dir, 'entry.ts');
      writeFileSync(
        entry,
        `import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
const c = new DynamoDBClient({ region: 'ap-southeast-1' });
try { const k = await c.config.credentials(); process.stdout.write(JSON.stringify({ id: k.accessKeyId, token: k.sessionToken })); }
catch (e) { process.stdout.write(JSON.stringify({ error: e.name })); }`,
      );
      const outfile = path.join(dir, 'index.mjs');
      await build({ ...esbuildOptions(entry, outfile), absWorkingDir: PROJECT_ROOT, logLevel: 'silent', nodePaths: [path.join(PROJECT_ROOT, 'node_modules')] });
      const run = (env: Record<string, string>) => JSON.parse(execFileSync(process.execPath, [outfile], { cwd: dir, env: { PATH: process.env.PATH, HOME: dir, ...env } }).toString());

      expect(run({ AWS_ACCESS_KEY_ID: 'ASIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_SESSION_TOKEN: 'session-1' })).toEqual({ id: 'ASIAEXAMPLE', token: 'session-1' });
      // no profile files, SSO or instance metadata are tried: without the variables there is nothing
      writeFileSync(path.join(dir, 'credentials'), '[default]\naws_access_key_id = FROMFILE\naws_secret_access_key = x\n');
      expect(run({ AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'credentials') })).toEqual({ error: 'CredentialsProviderError' });
      const bundle = readFileSync(outfile, 'utf8');
      for (const gone of ['sso_start_url', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'credential_process', 'AWS_CONTAINER_CREDENTIALS_FULL_URI']) {
        expect(bundle.includes(gone), gone).toBe(false);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
