import { checkConfig, type Config } from '#lib/config.ts';
import { loadSecrets } from '#lib/secrets.ts';
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
} as const satisfies Record<string, ReadonlyArray<keyof Config>>;

export type FunctionName = keyof typeof FUNCTION_SETTINGS;

/**
 * Run once when a function starts (top-level in its handler module, so in
 * AWS it runs at Lambda init): loads its secrets and checks its whole
 * configuration. A bad or missing setting fails the start with one message
 * naming each variable and its rule, instead of a 500 on every request.
 */
export async function startup(fn: FunctionName): Promise<Config> {
  // before any client is made, so that each is traced when tracing is on
  await enableTracing();
  await loadSecrets();
  return checkConfig(FUNCTION_SETTINGS[fn]);
}

/** Every setting any function needs: what the local runtime, which runs them all, checks before it starts. */
export const ALL_SETTINGS = [...new Set(Object.values(FUNCTION_SETTINGS).flat())] as Array<keyof Config>;
