import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { resetConfig } from '#lib/config.ts';

const SECRET_KEYS = ['META_APP_SECRET', 'META_VERIFY_TOKEN', 'ZALO_APP_ID', 'ZALO_OA_SECRET_KEY', 'ADMIN_TOKEN'] as const;

/**
 * How long a read secret is trusted before it is read again: 300 s, or
 * `POWERTOOLS_PARAMETERS_MAX_AGE` (seconds). A rotated secret reaches every
 * warm function within this time, without a redeploy.
 */
export function secretMaxAgeSeconds(): number {
  const v = Number(process.env.POWERTOOLS_PARAMETERS_MAX_AGE);
  return Number.isFinite(v) && v >= 0 && process.env.POWERTOOLS_PARAMETERS_MAX_AGE !== '' ? v : 300;
}

let provider: SecretsProvider | undefined;
let inFlight: Promise<void> | undefined;
/** Keys this module put into the environment (a value set by the operator is never overwritten). */
const fromSecret = new Set<string>();

/**
 * In AWS, reads the stack's secret (JSON) through Powertools Parameters
 * (Secrets Manager provider, cached for `secretMaxAgeSeconds()`) and exposes
 * its keys through `config()`. Call it at the start of every invocation: a
 * cached read costs nothing, an expired one fetches the secret again, and a
 * changed value replaces the old one (config is re-read). A no-op when
 * SECRET_ARN is unset (local runtime). A failed read throws and is retried
 * by the next call.
 */
export function loadSecrets(client?: SecretsManagerClient): Promise<void> {
  const arn = process.env.SECRET_ARN;
  if (!arn) return Promise.resolve();
  provider ??= new SecretsProvider({ awsSdkV3Client: client ?? new SecretsManagerClient({}) });
  inFlight ??= (async () => {
    const values = (await provider!.get(arn, { maxAge: secretMaxAgeSeconds(), transform: 'json' })) as Record<string, unknown> | undefined;
    let changed = false;
    for (const k of SECRET_KEYS) {
      const v = values?.[k];
      if (typeof v !== 'string' || (process.env[k] !== undefined && !fromSecret.has(k)) || process.env[k] === v) continue;
      process.env[k] = v;
      fromSecret.add(k);
      changed = true;
    }
    if (changed) resetConfig();
  })().finally(() => {
    inFlight = undefined;
  });
  return inFlight;
}
