import { z } from 'zod';

/**
 * Runtime configuration, read from the environment and validated once.
 * Secrets arrive as values here; in AWS the stack resolves them from
 * Secrets Manager at deploy time into the function's environment only by
 * name (see infra/), locally scripts/start.ts supplies documented defaults.
 */
const configSchema = z.object({
  TABLE_NAME: z.string().min(3),
  DYNAMODB_ENDPOINT: z.url().optional(),
  AWS_REGION: z.string().default('ap-southeast-1'),
  META_APP_SECRET: z.string().min(1).optional(),
  META_VERIFY_TOKEN: z.string().min(1).optional(),
  ZALO_APP_ID: z.string().min(1).optional(),
  ZALO_OA_SECRET_KEY: z.string().min(1).optional(),
  ORDER_WEBHOOK_SECRET: z.string().min(1).optional(),
  ADMIN_TOKEN: z.string().min(16).optional(),
  RAW_EVENT_TTL_DAYS: z.coerce.number().int().min(31).max(3650).default(400),
  LATE_EVENT_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  MAX_BODY_BYTES: z.coerce.number().int().min(1024).default(1_048_576),
  SES_FROM: z.string().optional(),
  SES_ENDPOINT: z.url().optional(),
  PUBLIC_BASE_URL: z.url().default('http://localhost:3000'),
  OUTBOX_DIR: z.string().optional(),
});

export type Config = z.infer<typeof configSchema>;

let cached: Config | undefined;

/** Parses `process.env` once; throws a readable error naming every bad variable. */
export function config(): Config {
  if (cached) return cached;
  const parsed = configSchema.safeParse(process.env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  cached = parsed.data;
  return cached;
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
