/**
 * The CDK app (`npx cdk synth`, `npx cdk deploy`): one ChatpulseStack named
 * `Chatpulse-<stage>`, checked by cdk-nag's AwsSolutions and Serverless packs.
 *
 * Context an operator sets (defaults in cdk.json; override with `-c key=value`):
 *   stage        `dev` by default. Part of the stack name; `prod` turns on the
 *                table's deletion protection and keeps it (RETAIN) when the
 *                stack is deleted.
 *   senderEmail  From address of the digests (SES_FROM); the stack creates its
 *                SES identity, whose verification mail must be confirmed.
 *                Required for real digests; `digests@example.com` lets synth run.
 *   secretPrefix Prefix of the Secrets Manager secrets (JSON): `<prefix>/webhook`
 *                (META_APP_SECRET, META_VERIFY_TOKEN, ZALO_APP_ID,
 *                ZALO_OA_SECRET_KEY; order secrets are per shop), `<prefix>/admin`
 *                (ADMIN_TOKEN), `<prefix>/unsubscribe` (UNSUBSCRIBE_SIGNING_KEY),
 *                `<prefix>/links` (REPORT_LINK_KEY).
 *                Empty = `chatpulse/<stage>`. Only the names enter the template;
 *                create the secrets first. (`secretName` is read as the prefix too.)
 *   alarmEmail   Address subscribed to the alarm topic (every alarm goes there).
 *                Required for stage prod (synth fails without it); empty = none elsewhere.
 *   personalDataDays  Days the items naming a person (conversation state, orders,
 *                phone links) are kept after their last write (PERSONAL_DATA_DAYS, 730).
 *   rawEventDays Days raw events are kept after their day (RAW_EVENT_TTL_DAYS, 400;
 *                at most personalDataDays). Both checked at synth.
 *   capacity     `on-demand` (default) or `provisioned`: the table and its indexes
 *                with provisioned capacity and auto scaling (70 % target); with
 *                `writeCapacity` and `readCapacity` as `min-max` units of the
 *                table (defaults 50-5000 and 25-2500). README "Cost model" says
 *                which fleets should pick it.
 *   tracing      `sdk`: X-Ray subsegments for every AWS SDK call (Powertools
 *                Tracer, loaded beside each bundle; ~60–100 ms more cold start).
 *                `off` (default): Lambda's active tracing records invocations only.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { ChatpulseStack } from './stack.ts';

/**
 * Builds the app. `checks: false` leaves the cdk-nag packs out of synth: only
 * for tests that look at something else (each pack walks every resource; the
 * stack test runs both once on their own).
 */
export function buildApp(app = new App(), opts: { checks?: boolean } = {}): { app: App; stack: ChatpulseStack } {
  /** A context value, with '' (the cdk.json placeholder) treated as unset. */
  const ctx = (k: string): string | undefined => {
    const v = app.node.tryGetContext(k) as unknown;
    return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
  };
  const stage = ctx('stage') ?? 'dev';
  if (!/^[A-Za-z0-9-]+$/.test(stage)) throw new Error(`context stage must be letters, digits and dashes, got ${stage}`);
  const alarmEmail = ctx('alarmEmail');
  const tracing = ctx('tracing') ?? 'off';
  if (tracing !== 'off' && tracing !== 'sdk') throw new Error(`context tracing must be off or sdk, got ${tracing}`);
  const wholeDays = (k: string): number | undefined => {
    const v = ctx(k);
    if (v === undefined) return undefined;
    if (!/^\d+$/.test(v)) throw new Error(`context ${k} must be a whole number of days, got ${v}`);
    return Number(v);
  };
  const capacityMode = ctx('capacity') ?? 'on-demand';
  if (capacityMode !== 'on-demand' && capacityMode !== 'provisioned') throw new Error(`context capacity must be on-demand or provisioned, got ${capacityMode}`);
  const range = (k: string, fallback: [number, number]) => {
    const v = ctx(k);
    if (v === undefined) return { min: fallback[0], max: fallback[1] };
    const m = /^(\d+)-(\d+)$/.exec(v);
    if (!m || Number(m[1]) < 1 || Number(m[1]) > Number(m[2])) throw new Error(`context ${k} must be min-max whole units with 1 <= min <= max, got ${v}`);
    return { min: Number(m[1]), max: Number(m[2]) };
  };
  const capacity = capacityMode === 'provisioned' ? { write: range('writeCapacity', [50, 5000]), read: range('readCapacity', [25, 2500]) } : undefined;
  const personalDataDays = wholeDays('personalDataDays');
  const rawEventDays = wholeDays('rawEventDays');
  const stack = new ChatpulseStack(app, `Chatpulse-${stage}`, {
    stage,
    senderEmail: ctx('senderEmail') ?? 'digests@example.com',
    secretPrefix: ctx('secretPrefix') ?? ctx('secretName') ?? `chatpulse/${stage}`,
    ...(alarmEmail ? { alarmEmail } : {}),
    traceSdkCalls: tracing === 'sdk',
    ...(capacity ? { capacity } : {}),
    retention: { ...(personalDataDays !== undefined ? { personalDataDays } : {}), ...(rawEventDays !== undefined ? { rawEventDays } : {}) },
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION ?? 'ap-southeast-1' },
    description: `chatpulse (${stage}): chat-commerce reporting backend`,
  });
  if (opts.checks !== false) Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
  return { app, stack };
}

if (import.meta.url === `file://${process.argv[1]}`) buildApp().app.synth();
