import type { MiddlewareObj } from '@middy/core';
import { AppError, PayloadTooLargeError, UnauthorizedError, ValidationError, type FieldIssue } from '#lib/errors.ts';
import { config } from '#lib/config.ts';
import { log } from '#lib/log.ts';
import type { HttpEvent, HttpResult } from '#lib/http/types.ts';
import type * as z from '#lib/zod.ts';
import { timingSafeEqual, createHash } from 'node:crypto';

/** A JSON response. */
export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResult {
  return {
    statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers },
    body: JSON.stringify(body),
  };
}

export function text(statusCode: number, body: string, contentType = 'text/plain; charset=utf-8', headers: Record<string, string> = {}): HttpResult {
  return { statusCode, headers: { 'content-type': contentType, 'cache-control': 'no-store', ...headers }, body };
}

/** A binary response (an xlsx file): base64 in the body, as API Gateway and Lambda function URLs expect. */
export function binary(statusCode: number, body: Buffer, contentType: string, headers: Record<string, string> = {}): HttpResult {
  return { statusCode, headers: { 'content-type': contentType, 'cache-control': 'no-store', ...headers }, body: body.toString('base64'), isBase64Encoded: true };
}

/** The raw request body as bytes (signatures are computed over these). */
export function rawBody(event: HttpEvent): Buffer {
  if (!event.body) return Buffer.alloc(0);
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
}

/** Case-insensitive header lookup. */
export function header(event: HttpEvent, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(event.headers ?? {})) if (k.toLowerCase() === lower) return v;
  return undefined;
}

/** Query parameters with repeats kept (HTTP APIs join repeats with commas in queryStringParameters). */
export function queryParams(event: HttpEvent): URLSearchParams {
  return new URLSearchParams(event.rawQueryString ?? '');
}

/** Parses a JSON body, enforcing the size limit; a syntax error is a 400 naming the body. */
export function parseJsonBody(event: HttpEvent): unknown {
  const raw = rawBody(event);
  if (raw.length > config().MAX_BODY_BYTES) throw new PayloadTooLargeError(config().MAX_BODY_BYTES);
  if (raw.length === 0) throw new ValidationError('Request body is empty', [{ path: '', message: 'expected a JSON body' }]);
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch (err) {
    throw new ValidationError('Request body is not valid JSON', [{ path: '', message: (err as Error).message }]);
  }
}

/** zod issues as `{index?, path, message}`; a leading array index becomes `index` when `indexed` is set. */
export function fieldIssues(error: z.core.$ZodError, indexedUnder?: string): FieldIssue[] {
  return error.issues.map((i) => {
    const path = [...i.path];
    if (indexedUnder && path[0] === indexedUnder && typeof path[1] === 'number') {
      const index = path[1];
      return { index, path: path.slice(2).join('.'), message: i.message };
    }
    return { path: path.join('.'), message: i.message };
  });
}

/** Validates with a zod schema, throwing a ValidationError with field details. */
export function parseWith<S extends z.ZodMiniType>(schema: S, input: unknown, what = 'request'): z.infer<S> {
  const r = schema.safeParse(input);
  if (!r.success) throw new ValidationError(`Invalid ${what}`, fieldIssues(r.error));
  return r.data;
}

/** `Authorization: Bearer <token>` value, or undefined. */
export function bearer(event: HttpEvent): string | undefined {
  const h = header(event, 'authorization');
  const m = h ? /^Bearer\s+(\S+)\s*$/i.exec(h) : null;
  return m?.[1];
}

/** Constant-time string comparison (hashes first so lengths never leak). */
export function safeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

/** Throws 401 unless the request carries the admin token. */
export function requireAdmin(event: HttpEvent): void {
  const token = bearer(event);
  const expected = config().ADMIN_TOKEN;
  if (!token || !expected || !safeEqual(token, expected)) throw new UnauthorizedError('Admin token required');
}

/**
 * The one error mapper: typed errors become `{error: {code, message, details}}`
 * with their status; anything else is a 500 carrying only the request id.
 */
export function httpErrors(): MiddlewareObj<HttpEvent, HttpResult> {
  return {
    onError: (request) => {
      const err = request.error;
      const requestId = request.event?.requestContext?.requestId ?? request.context?.awsRequestId ?? 'local';
      if (err instanceof AppError) {
        if (err.status >= 500) log.error('request failed', err, { requestId });
        request.response = json(err.status, {
          error: { code: err.code, message: err.message, ...(err.details !== undefined ? { details: err.details } : {}) },
        }, err.headers);
        return;
      }
      if (err instanceof URIError) {
        // decodeURIComponent on a path segment with a malformed percent-escape (`%E0%A4%A`): the caller's mistake
        request.response = json(400, { error: { code: 'invalid_request', message: 'Malformed percent-escape in the request path', details: [{ path: 'path', message: 'not valid percent-encoded UTF-8' }] } });
        return;
      }
      log.error('unhandled error', err, { requestId, path: request.event?.rawPath });
      request.response = json(500, { error: { code: 'internal', message: 'Internal error', details: { requestId } } });
    },
  };
}
