import * as z from 'zod';

/**
 * Runtime configuration, read from the environment and validated once.
 * Secrets arrive as values here; in AWS the stack resolves them from
 * Secrets Manager at deploy time into the function's environment only by
 * name (see infra/), locally scripts/start.ts supplies documented defaults.
 */
const secret = (min: number) => z.string().min(min, `must be at least ${min} characters`);
const configSchema = z.object({
  TABLE_NAME: z.string().min(3, 'must name the DynamoDB table (3 characters or more)'),
  DYNAMODB_ENDPOINT: z.url('must be a URL such as http://127.0.0.1:8000').optional(),
  AWS_REGION: z.string().min(1).default('ap-southeast-1'),
  META_APP_SECRET: secret(8).optional(),
  META_VERIFY_TOKEN: secret(8).optional(),
  ZALO_APP_ID: secret(1).optional(),
  ZALO_OA_SECRET_KEY: secret(8).optional(),
  ADMIN_TOKEN: secret(16).optional(),
  /** HMAC key of the digests' unsubscribe links (its own secret, not derived from ADMIN_TOKEN) */
  UNSUBSCRIBE_SIGNING_KEY: secret(32).optional(),
  RAW_EVENT_TTL_DAYS: z.coerce.number('must be a whole number of days').int('must be a whole number of days').min(31, 'must be at least 31 days').max(3650, 'must be at most 3650 days').default(400),
  LATE_EVENT_DAYS: z.coerce.number('must be a whole number of days').int('must be a whole number of days').min(1, 'must be at least 1 day').max(365, 'must be at most 365 days').default(30),
  MAX_BODY_BYTES: z.coerce.number('must be a number of bytes').int('must be a whole number of bytes').min(1024, 'must be at least 1024 bytes').default(1_048_576),
  SES_FROM: z.string().optional(),
  SES_ENDPOINT: z.url('must be a URL').optional(),
  PUBLIC_BASE_URL: z.url('must be a URL such as https://reports.example.com').default('http://localhost:3000'),
  /** Signs report links (HMAC-SHA256); rotating it revokes every link. Needed only for report links. */
  REPORT_LINK_KEY: z.string().min(32, 'at least 32 characters').optional(),
  OUTBOX_DIR: z.string().optional(),
  PORT: z.coerce.number('must be a port number').int('must be a port number').min(0, 'must be a port number 0–65535').max(65535, 'must be a port number 0–65535').optional(),
});

export type Config = z.infer<typeof configSchema>;

let cached: Config | undefined;

/** A configuration that cannot work: names each bad variable and the rule it breaks (never its value). */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

function problemsOf(error: z.ZodError): string[] {
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
