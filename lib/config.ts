import * as z from '#lib/zod.ts';

/**
 * Runtime configuration, read from the environment and validated once.
 * Secrets arrive as values here; in AWS the stack resolves them from
 * Secrets Manager at deploy time into the function's environment only by
 * name (see infra/), locally scripts/start.ts supplies documented defaults.
 */
/** An optional secret of at least `min` characters (lib/startup.ts checks which ones each function needs). */
const secret = (min: number) => z.optional(z.string().check(z.minLength(min, `must be at least ${min} characters`)));
/** A whole number from the environment's text; `message` says what is expected (`intMessage` for a fraction, when it differs). */
const whole = (message: string, intMessage = message) => z.coerce.number(message).check(z.int(intMessage));
/** Day settings' ranges (the retention rules below relate them to each other). */
const DAY_RANGES = { RAW_EVENT_TTL_DAYS: [31, 3650], LATE_EVENT_DAYS: [1, 365], PERSONAL_DATA_DAYS: [90, 3650] } as const;
type DaySetting = keyof typeof DAY_RANGES;
const days = (name: DaySetting, dflt: number) => {
  const [min, max] = DAY_RANGES[name];
  return z._default(whole('must be a whole number of days').check(z.minimum(min, `must be at least ${min} day${min === 1 ? '' : 's'}`), z.maximum(max, `must be at most ${max} days`)), dflt);
};
const retentionValid = (c: Record<DaySetting, number>) =>
  (Object.keys(DAY_RANGES) as DaySetting[]).every((k) => Number.isInteger(c[k]) && c[k] >= DAY_RANGES[k][0] && c[k] <= DAY_RANGES[k][1]);
const configSchema = z.object({
  TABLE_NAME: z.string().check(z.minLength(3, 'must name the DynamoDB table (3 characters or more)')),
  DYNAMODB_ENDPOINT: z.optional(z.url('must be a URL such as http://127.0.0.1:8000')),
  AWS_REGION: z._default(z.string().check(z.minLength(1)), 'ap-southeast-1'),
  META_APP_SECRET: secret(8),
  META_VERIFY_TOKEN: secret(8),
  ZALO_APP_ID: secret(1),
  ZALO_OA_SECRET_KEY: secret(8),
  ADMIN_TOKEN: secret(16),
  /** HMAC key of the digests' unsubscribe links (its own secret, not derived from ADMIN_TOKEN) */
  UNSUBSCRIBE_SIGNING_KEY: secret(32),
  RAW_EVENT_TTL_DAYS: days('RAW_EVENT_TTL_DAYS', 400),
  LATE_EVENT_DAYS: days('LATE_EVENT_DAYS', 30),
  /**
   * Personal data retention: conversation state, orders and phone links (the items that name a person) expire
   * this many days after the last event that touched them (the table's TTL). See docs/operations.md, "Data kept".
   */
  PERSONAL_DATA_DAYS: days('PERSONAL_DATA_DAYS', 730),
  MAX_BODY_BYTES: z._default(whole('must be a number of bytes', 'must be a whole number of bytes').check(z.minimum(1024, 'must be at least 1024 bytes')), 1_048_576),
  SES_FROM: z.optional(z.string()),
  SES_ENDPOINT: z.optional(z.url('must be a URL')),
  /** SES configuration set the digests are sent through (its bounce and complaint events reach digest-feedback) */
  SES_CONFIGURATION_SET: z.optional(z.string().check(z.regex(/^[\w-]{1,64}$/, 'must be letters, digits, _ and -, at most 64'))),
  // links in emails and report pages: only http(s) (a `javascript:` or `data:` URL would run in a manager's browser)
  PUBLIC_BASE_URL: z._default(
    z.url('must be a URL such as https://reports.example.com').check(z.refine((u) => /^https?:\/\//i.test(u), 'must be an http:// or https:// URL')),
    'http://localhost:3000',
  ),
  /** Per-shop limits (lib/limits/shop-limits.ts), per second: POST /v1/events requests and the events they carry, report requests. */
  SHOP_EVENT_REQUESTS_PER_SECOND: z._default(whole('must be a whole number of requests').check(z.minimum(1, 'must be at least 1')), 50),
  SHOP_EVENTS_PER_SECOND: z._default(whole('must be a whole number of events').check(z.minimum(500, 'must be at least 500 (one full batch)')), 5000),
  SHOP_REPORT_REQUESTS_PER_SECOND: z._default(whole('must be a whole number of requests').check(z.minimum(1, 'must be at least 1')), 10),
  /** Signs report links (HMAC-SHA256); rotating it revokes every link. Needed only for report links. */
  REPORT_LINK_KEY: z.optional(z.string().check(z.minLength(32, 'at least 32 characters'))),
  OUTBOX_DIR: z.optional(z.string()),
  /** SLA alert queue (lib/alerts/queue.ts): ingest queues wait timers there; without it no alert is scheduled */
  ALERT_QUEUE_URL: z.optional(z.url('must be the URL of the alert queue')),
  ALERT_DLQ_URL: z.optional(z.url('must be the URL of the alert dead-letter queue')),
  /** Alerts of one shop and threshold raised within one such window go out as one message (a divisor of 60; shorter: lower latency, more messages in a storm) */
  ALERT_GROUP_SECONDS: z._default(z.pipe(z.coerce.number('must be 10, 15, 20, 30 or 60'), z.union([z.literal(10), z.literal(15), z.literal(20), z.literal(30), z.literal(60)], 'must be 10, 15, 20, 30 or 60')), 60),
  /** Powertools' switch; here only `true` loads the Tracer (lib/aws/tracing.ts), so anything but true/false is a typo */
  POWERTOOLS_TRACE_ENABLED: z.optional(z.enum(['true', 'false'], 'must be true or false')),
  /** local runtime only: the port DynamoDB Local listens on (default: a free one) */
  DYNAMODB_PORT: z.optional(whole('must be a port number').check(z.minimum(1, 'must be a port number 1–65535'), z.maximum(65535, 'must be a port number 1–65535'))),
  PORT: z.optional(whole('must be a port number').check(z.minimum(0, 'must be a port number 0–65535'), z.maximum(65535, 'must be a port number 0–65535'))),
}).check(
  // checked only when each value is valid on its own (else its own rule is the one message)
  // raw events name people too: they must not outlive the retention of the items that name them
  z.refine((c) => !retentionValid(c) || c.RAW_EVENT_TTL_DAYS <= c.PERSONAL_DATA_DAYS, { message: 'must not be more than PERSONAL_DATA_DAYS (raw events name people too)', path: ['RAW_EVENT_TTL_DAYS'] }),
  // a person who comes back after the retention must fall in a later week and month than everything counted before
  z.refine((c) => !retentionValid(c) || c.PERSONAL_DATA_DAYS >= c.LATE_EVENT_DAYS + 62, { message: 'must be at least LATE_EVENT_DAYS + 62 days', path: ['PERSONAL_DATA_DAYS'] }),
);

export type Config = z.infer<typeof configSchema>;

let cached: Config | undefined;

/** A configuration that cannot work: names each bad variable and the rule it breaks (never its value). */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

function problemsOf(error: z.core.$ZodError): string[] {
  return error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

/** Parses `process.env` once; throws a ConfigError naming every bad variable. */
export function config(): Config {
  if (cached) return cached;
  const parsed = configSchema.safeParse(process.env);
  if (!parsed.success) throw new ConfigError(problemsOf(parsed.error));
  cached = parsed.data;
  return cached;
}

/**
 * The start-up check (local runtime, and every Lambda at init): the whole
 * configuration parses, and each setting this process needs is present.
 * Throws one ConfigError listing every problem, so a bad setting stops the
 * start instead of turning every request into a 500.
 */
export function checkConfig(needs: ReadonlyArray<keyof Config> = []): Config {
  const parsed = configSchema.safeParse(process.env);
  const problems = parsed.success ? [] : problemsOf(parsed.error);
  const bad = new Set(problems.map((p) => p.slice(0, p.indexOf(':'))));
  for (const k of needs) if (!bad.has(k) && (process.env[k] === undefined || process.env[k] === '')) problems.push(`${k}: required`);
  if (problems.length > 0) throw new ConfigError(problems);
  cached = parsed.data;
  return cached!;
}

/** A required secret: fails loudly when the deployment did not provide it. */
export function requireSetting<K extends keyof Config>(key: K): NonNullable<Config[K]> {
  const value = config()[key];
  if (value === undefined || value === null || value === '') throw new Error(`Missing configuration ${String(key)}`);
  return value as NonNullable<Config[K]>;
}

/** Tests and the local runtime change the environment between runs. */
export function resetConfig(): void {
  cached = undefined;
}

/**
 * Problems of some settings given outside the environment (the CDK app checks the retention settings an
 * operator passes as context, so a bad one stops the synth instead of every function's init): the same rules
 * and messages as at start.
 */
export function settingProblems(values: Partial<Record<keyof Config, string>>): string[] {
  const parsed = configSchema.safeParse({ TABLE_NAME: 'synth-check', ...values });
  return parsed.success ? [] : problemsOf(parsed.error);
}
