import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { resetConfig } from '#lib/config.ts';

const SECRET_KEYS = ['META_APP_SECRET', 'META_VERIFY_TOKEN', 'ZALO_APP_ID', 'ZALO_OA_SECRET_KEY', 'ADMIN_TOKEN'] as const;

let loaded: Promise<void> | undefined;

/**
 * In AWS, reads the stack's secret (JSON) once per cold start and exposes its
 * keys through `config()`. A no-op when SECRET_ARN is unset (local runtime).
 */
export function loadSecrets(client: SecretsManagerClient = new SecretsManagerClient({})): Promise<void> {
  const arn = process.env.SECRET_ARN;
  if (!arn) return Promise.resolve();
  loaded ??= (async () => {
    const res = await client.send(new GetSecretValueCommand({ SecretId: arn }));
    const values = JSON.parse(res.SecretString ?? '{}') as Record<string, unknown>;
    for (const k of SECRET_KEYS) if (typeof values[k] === 'string' && process.env[k] === undefined) process.env[k] = values[k] as string;
    resetConfig();
  })().catch((err) => {
    loaded = undefined;
    throw err;
  });
  return loaded;
}
