import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { resetConfig } from '#lib/config.ts';

/**
 * The secrets, grouped by the Secrets Manager secret (JSON) that holds them.
 * Each function is granted and told (SECRET_ARNS) only the groups it uses:
 * webhook → `webhook`; admin → `admin` + `unsubscribe` (it verifies the
 * links); digest-send → `unsubscribe` (it signs them). infra/ builds the
 * grants from this table.
 */
export const SECRET_GROUPS = {
  webhook: ['META_APP_SECRET', 'META_VERIFY_TOKEN', 'ZALO_APP_ID', 'ZALO_OA_SECRET_KEY'],
  admin: ['ADMIN_TOKEN'],
  unsubscribe: ['UNSUBSCRIBE_SIGNING_KEY'],
} as const;
export type SecretGroup = keyof typeof SECRET_GROUPS;

const SECRET_KEYS: readonly string[] = Object.values(SECRET_GROUPS).flat();

let loaded: Promise<void> | undefined;

/**
 * In AWS, reads the function's secrets (JSON; SECRET_ARNS, comma-separated,
 * or a single SECRET_ARN) once per cold start and exposes their keys through
 * `config()`. A no-op when neither is set (local runtime).
 */
export function loadSecrets(client: SecretsManagerClient = new SecretsManagerClient({})): Promise<void> {
  const ids = (process.env.SECRET_ARNS ?? process.env.SECRET_ARN ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (ids.length === 0) return Promise.resolve();
  loaded ??= (async () => {
    const all = await Promise.all(ids.map((id) => client.send(new GetSecretValueCommand({ SecretId: id }))));
    for (const res of all) {
      const values = JSON.parse(res.SecretString ?? '{}') as Record<string, unknown>;
      for (const k of SECRET_KEYS) if (typeof values[k] === 'string' && process.env[k] === undefined) process.env[k] = values[k] as string;
    }
    resetConfig();
  })().catch((err) => {
    loaded = undefined;
    throw err;
  });
  return loaded;
}
