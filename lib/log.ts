import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, type MetricUnit } from '@aws-lambda-powertools/metrics';

type MetricUnitName = (typeof MetricUnit)[keyof typeof MetricUnit];
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { MiddlewareObj } from '@middy/core';

/**
 * Logs and metrics through Powertools for AWS Lambda: one JSON object per
 * line with the keys operators search by (`cold_start`, `function_request_id`,
 * `function_name`, `correlation_id`, `xray_trace_id`, `service`), log
 * sampling (`POWERTOOLS_LOGGER_SAMPLE_RATE`) and CloudWatch metrics in the
 * Embedded Metric Format, buffered and flushed once per invocation by
 * `observe()`. `log.*` and `metric()` are the call sites' API; Powertools
 * stays behind them.
 *
 * What never leaves the service, not even into logs: stack traces (errors are
 * logged by name and message), secrets (by key name, and any configured
 * secret value quoted inside a message), and personal data the logs do not
 * need (phone numbers, customer ids, emails, names).
 */
type Fields = Record<string, unknown>;

export const SERVICE = 'chatpulse';
export const NAMESPACE = 'chatpulse';

const SECRET_KEY = /secret|token|authorization|signature|password|apikey|api_key|cookie/i;
/** Keys whose values identify a person: customers' platform ids, phones, emails, names. */
const PERSONAL_KEY = /^(customer(Id|Ref)?|psid|senderId|recipientId|userId|phone(Number)?|email|to|name|displayName|fullName|address)$/i;
/**
 * Keys whose values are ids (request, trace, page, order, event, ad ids):
 * never masked, whatever digits they hold. Personal ids (`customerId`, …)
 * are caught by PERSONAL_KEY first.
 */
const ID_KEY = /(?:^id|Id|_id|ID|Ids|_ids)$/;
/**
 * A phone number inside free text: Vietnamese mobile/landline forms (0…,
 * +84…, 84…), spaces, dots or dashes allowed, standing as a token of its own:
 * digits glued to letters, digits, `_`, `-`, `#`, `/`, `.` or `@` are part of
 * an id (a request id, a UUID segment, `m_…0912…`, a 17-digit ad id), not a
 * phone. After `:` or a space it is a phone (`SĐT:0912345678`).
 */
const PHONE_IN_TEXT = /(?<![\p{L}\p{N}_+\-#/.@])(?:\(\+?84\)|\+?84|0)(?:[ .-]?\d){8,10}(?![\p{L}\p{N}_\-#/@])/gu;
const EMAIL_IN_TEXT = /[\w.+-]+@([\w-]+\.)+[\w-]{2,}/g;
const SECRET_ENV = ['META_APP_SECRET', 'META_VERIFY_TOKEN', 'ZALO_OA_SECRET_KEY', 'ADMIN_TOKEN', 'UNSUBSCRIBE_SIGNING_KEY', 'REPORT_LINK_KEY'];

/** Free text with configured secret values, phone numbers and email addresses masked. */
export function redactText(text: string): string {
  let out = text;
  for (const k of SECRET_ENV) {
    const v = process.env[k];
    if (v && v.length >= 6) out = out.split(v).join('[redacted]');
  }
  return out.replace(PHONE_IN_TEXT, '[phone]').replace(EMAIL_IN_TEXT, (m, domain: string) => `[email]@${m.slice(m.indexOf('@') + 1) || domain}`);
}

/** Items of an id list (`eventIds: [...]`) still to be visited: JSON.stringify visits them right after the list. */
let idItemsAhead: unknown[] = [];

/** JSON replacer applied to every key of every log line (and nothing else). */
function redact(key: string, value: unknown): unknown {
  if (key !== '' && SECRET_KEY.test(key) && value !== undefined && value !== null) return '[redacted]';
  if (key !== '' && PERSONAL_KEY.test(key) && (typeof value === 'string' || typeof value === 'number')) return '[personal]';
  if (key !== '' && ID_KEY.test(key)) {
    if (typeof value === 'string' || typeof value === 'number') return value;
    // a list of ids: its items are visited next, in order, under their index
    if (Array.isArray(value) && value.every((v) => typeof v === 'string' || typeof v === 'number')) idItemsAhead = [...value];
  } else if (idItemsAhead.length > 0 && /^\d+$/.test(key) && value === idItemsAhead[0]) {
    idItemsAhead.shift();
    return value;
  } else idItemsAhead = [];
  if (value instanceof Error) return { name: value.name, message: redactText(value.message) };
  if (typeof value === 'string') return redactText(value);
  return value;
}

/** `LOG_LEVEL` (`silent` in tests) or Powertools' own variables; INFO by default. */
function levelFromEnv(): string {
  return (process.env.LOG_LEVEL ?? process.env.POWERTOOLS_LOG_LEVEL ?? 'INFO').toUpperCase();
}

/** The service's Powertools Logger (exported for middlewares and tests; call sites use `log`). */
export const logger = new Logger({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? SERVICE,
  logLevel: levelFromEnv() as 'INFO',
  jsonReplacerFn: redact,
});

let lastLevel = process.env.LOG_LEVEL;
/** Follows a change of `LOG_LEVEL` at run time (tests switch it); never in a deployed function. */
function syncLevel(): void {
  if (process.env.LOG_LEVEL === lastLevel) return;
  lastLevel = process.env.LOG_LEVEL;
  logger.setLogLevel(levelFromEnv() as 'INFO');
}

export const log = {
  debug: (msg: string, fields: Fields = {}) => (syncLevel(), logger.debug(msg, fields)),
  info: (msg: string, fields: Fields = {}) => (syncLevel(), logger.info(msg, fields)),
  warn: (msg: string, fields: Fields = {}) => (syncLevel(), logger.warn(msg, fields)),
  error: (msg: string, err: unknown, fields: Fields = {}) => (
    syncLevel(),
    logger.error(msg, { ...fields, errorName: (err as Error)?.name ?? typeof err, errorMessage: (err as Error)?.message ?? String(err) })
  ),
};

/**
 * One Powertools Metrics buffer per set of dimension values (EMF gives every
 * metric of one blob the same dimension values), all published together by
 * `flushMetrics()`: one EMF line per dimension set per invocation instead of
 * one per call.
 */
const buffers = new Map<string, Metrics>();
const base = new Metrics({ namespace: NAMESPACE, serviceName: SERVICE });
buffers.set('{}', base);

function metricsOff(): boolean {
  return process.env.LOG_LEVEL === 'silent';
}

/** Records one CloudWatch metric (namespace chatpulse), published at the end of the invocation. */
export function metric(name: string, value: number, dimensions: Record<string, string> = {}, unit: MetricUnitName = 'Count'): void {
  if (metricsOff()) return;
  const key = JSON.stringify(Object.entries(dimensions).sort(([a], [b]) => a.localeCompare(b)));
  let m = buffers.get(Object.keys(dimensions).length === 0 ? '{}' : key);
  if (!m) {
    m = new Metrics({ namespace: NAMESPACE, serviceName: SERVICE, defaultDimensions: dimensions });
    buffers.set(key, m);
  }
  m.addMetric(name, unit, value);
}

/**
 * A metric recorded twice: with its dimensions, and as a total with the
 * service dimension alone. Alarms and the dashboard read the total
 * (CloudWatch alarms cannot sum over dimension values they do not name,
 * such as shop ids); the dimensioned series says where it happened.
 */
export function metricWithTotal(name: string, value: number, dimensions: Record<string, string>): void {
  metric(name, value, dimensions);
  metric(name, value);
}

/** Publishes every buffered metric (one EMF line per dimension set); called once per invocation. */
export function flushMetrics(): void {
  for (const m of buffers.values()) if (m.hasStoredMetrics()) m.publishStoredMetrics();
}

/** The correlation id of an invocation: the API request id, the message id of a one-record SQS batch, a schedule's event id. */
function correlationIdOf(event: unknown): string | undefined {
  const e = event as { requestContext?: { requestId?: string }; Records?: { messageId?: string }[]; id?: string } | undefined;
  return e?.requestContext?.requestId ?? (e?.Records?.length === 1 ? e.Records[0]?.messageId : undefined) ?? e?.id;
}

/**
 * The observability middlewares every handler uses first: Powertools
 * `injectLambdaContext` (Lambda context keys, cold start, sampling decided
 * per invocation, per-invocation keys reset), the correlation id (set here
 * rather than through a JMESPath `correlationIdPath`, which would bundle a
 * JMESPath interpreter for one property read), the `ColdStart` metric, and
 * the buffered metrics flushed once at the end, on success and on error.
 * Powertools' `logMetrics` is not used because it serves a fixed list of
 * instances and warns on every invocation that has none.
 */
export function observe<E = unknown, R = unknown>(): MiddlewareObj<E, R>[] {
  const flush = () => {
    if (!metricsOff()) flushMetrics();
  };
  return [
    injectLambdaContext(logger, { resetKeys: true }) as MiddlewareObj<E, R>,
    {
      before: (request) => {
        syncLevel();
        const id = correlationIdOf(request.event);
        if (id) logger.setCorrelationId(id);
        if (!metricsOff() && request.context?.functionName) base.captureColdStartMetric(request.context.functionName);
      },
      after: flush,
      onError: flush,
    },
  ];
}
