import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { resetConfig } from '#lib/config.ts';
import { traced } from '#lib/aws/tracing.ts';

/**
 * The secrets, grouped by the Secrets Manager secret (JSON) that holds them.
 * Each function is granted and told (SECRET_ARNS) only the groups it uses:
 * webhook → `webhook`; admin → `admin` + `unsubscribe` (it verifies the
 * unsubscribe links) + `links` (its digest runs queue jobs with signed links,
 * as the dispatcher's); digest-dispatch → `unsubscribe` + `links` (it signs
 * each job's unsubscribe link and the link to the full report); report →
 * `links` (it signs and opens report links); digest-send, events,
 * authorizer, ingest → none. infra/ grants by these group names.
 */
export const SECRET_GROUPS = {
  webhook: ['META_APP_SECRET', 'META_VERIFY_TOKEN', 'ZALO_APP_ID', 'ZALO_OA_SECRET_KEY'],
  admin: ['ADMIN_TOKEN'],
  unsubscribe: ['UNSUBSCRIBE_SIGNING_KEY'],
  links: ['REPORT_LINK_KEY'],
} as const;
export type SecretGroup = keyof typeof SECRET_GROUPS;

const SECRET_KEYS: readonly string[] = Object.values(SECRET_GROUPS).flat();

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
 * In AWS, reads the function's secrets (JSON; SECRET_ARNS, comma-separated,
 * or a single SECRET_ARN) through Powertools Parameters (Secrets Manager
 * provider, cached for `secretMaxAgeSeconds()`) and exposes their keys
 * through `config()`. Call it at the start of every invocation: a cached read
 * costs nothing, an expired one fetches the secret again, and a changed value
 * replaces the old one (config is re-read). A no-op when neither is set
 * (local runtime). A failed read throws and is retried by the next call.
 */
export function loadSecrets(client?: SecretsManagerClient): Promise<void> {
  const ids = (process.env.SECRET_ARNS ?? process.env.SECRET_ARN ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (ids.length === 0) return Promise.resolve();
  provider ??= new SecretsProvider({ awsSdkV3Client: client ?? traced(new SecretsManagerClient({})) });
  inFlight ??= (async () => {
    const all = await Promise.all(ids.map((id) => provider!.get(id, { maxAge: secretMaxAgeSeconds(), transform: 'json' }) as Promise<Record<string, unknown> | undefined>));
    let changed = false;
    for (const values of all)
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
