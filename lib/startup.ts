import { checkConfig, ConfigError, type Config } from '#lib/config.ts';
import { enableTracing } from '#lib/aws/tracing.ts';

/** The settings each function needs beyond the table (SPEC §4.2: checked when it starts). */
export const FUNCTION_SETTINGS = {
  webhook: ['TABLE_NAME', 'META_APP_SECRET', 'META_VERIFY_TOKEN', 'ZALO_APP_ID', 'ZALO_OA_SECRET_KEY'],
  events: ['TABLE_NAME'],
  report: ['TABLE_NAME'],
  authorizer: ['TABLE_NAME'],
  admin: ['TABLE_NAME', 'ADMIN_TOKEN', 'UNSUBSCRIBE_SIGNING_KEY'],
  ingest: ['TABLE_NAME'],
  // signs each job's unsubscribe link (and its report link when REPORT_LINK_KEY is set)
  'digest-dispatch': ['TABLE_NAME', 'UNSUBSCRIBE_SIGNING_KEY'],
  // sends the links its jobs carry: no secret
  'digest-send': ['TABLE_NAME'],
  // SES bounce and complaint events: suppressions and the ledger
  'digest-feedback': ['TABLE_NAME'],
  // timers, alert groups and their delivery (webhooks are signed with each channel's own secret, from the shop settings)
  alerts: ['TABLE_NAME', 'SES_FROM'],
} as const satisfies Record<string, ReadonlyArray<keyof Config>>;

export type FunctionName = keyof typeof FUNCTION_SETTINGS;

/**
 * Run once when a function starts (top-level in its handler module, so in
 * AWS it runs at Lambda init): loads its secrets and checks its whole
 * configuration. A bad or missing setting fails the start with one message
 * naming each variable and its rule, instead of a 500 on every request.
 *
 * A function that holds secrets passes `loadSecrets` (lib/secrets.ts); one
 * that holds none passes nothing, so its bundle carries no Secrets Manager
 * client. Given secrets (SECRET_ARNS) without a loader, the start fails
 * rather than run without them.
 */
export async function startup(fn: FunctionName, loadSecrets?: () => Promise<void>): Promise<Config> {
  // before any client is made, so that each is traced when tracing is on
  await enableTracing();
  if (loadSecrets) await loadSecrets();
  else if (process.env.SECRET_ARNS || process.env.SECRET_ARN) throw new ConfigError([`SECRET_ARNS: ${fn} reads no secret, but was given some`]);
  return checkConfig(FUNCTION_SETTINGS[fn]);
}

/** Every setting any function needs: what the local runtime, which runs them all, checks before it starts. */
export const ALL_SETTINGS = [...new Set(Object.values(FUNCTION_SETTINGS).flat())] as Array<keyof Config>;
