/**
 * Structured logs (one JSON object per line) and CloudWatch metrics in the
 * Embedded Metric Format. Errors are logged by name and message only: no
 * stack traces and no secrets leave the service, not even into logs.
 */
type Fields = Record<string, unknown>;

const SECRET_KEYS = /secret|token|authorization|signature|password|apikey|api_key/i;

function scrub(fields: Fields): Fields {
  const out: Fields = {};
  for (const [k, v] of Object.entries(fields)) out[k] = SECRET_KEYS.test(k) ? '[redacted]' : v;
  return out;
}

const SECRET_ENV = ['META_APP_SECRET', 'META_VERIFY_TOKEN', 'ZALO_OA_SECRET_KEY', 'ADMIN_TOKEN', 'UNSUBSCRIBE_SIGNING_KEY'];

/** Replaces any configured secret value that slipped into a message (an SDK error quoting a header, say). */
function redactSecrets(line: string): string {
  let out = line;
  for (const k of SECRET_ENV) {
    const v = process.env[k];
    if (v && v.length >= 6) out = out.split(v).join('[redacted]');
  }
  return out;
}

function emit(level: 'info' | 'warn' | 'error', msg: string, fields: Fields): void {
  if (process.env.LOG_LEVEL === 'silent') return;
  const line = redactSecrets(JSON.stringify({ level, msg, time: new Date().toISOString(), ...scrub(fields) }));
  (level === 'error' ? console.error : console.log)(line);
}

export const log = {
  info: (msg: string, fields: Fields = {}) => emit('info', msg, fields),
  warn: (msg: string, fields: Fields = {}) => emit('warn', msg, fields),
  error: (msg: string, err: unknown, fields: Fields = {}) =>
    emit('error', msg, { ...fields, errorName: (err as Error)?.name, errorMessage: (err as Error)?.message }),
};

/** Emits one CloudWatch metric (namespace chatpulse) through the Embedded Metric Format. */
export function metric(name: string, value: number, dimensions: Record<string, string> = {}, unit = 'Count'): void {
  if (process.env.LOG_LEVEL === 'silent') return;
  console.log(
    JSON.stringify({
      _aws: {
        Timestamp: Date.now(),
        CloudWatchMetrics: [{ Namespace: 'chatpulse', Dimensions: [Object.keys(dimensions)], Metrics: [{ Name: name, Unit: unit }] }],
      },
      ...dimensions,
      [name]: value,
    }),
  );
}
