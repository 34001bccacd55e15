import type { MiddlewareObj } from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import httpSecurityHeaders from '@middy/http-security-headers';
import { observe } from '#lib/log.ts';
import { httpErrors } from '#lib/http/http.ts';
import type { HttpEvent, HttpResult } from '#lib/http/types.ts';

/**
 * Response security headers (@middy/http-security-headers, helmet's set):
 * HSTS, nosniff, no referrer, frame denial, and for HTML a strict CSP. The
 * only HTML we serve (the unsubscribe confirmation) posts a form to itself
 * and styles inline, so the CSP allows exactly that; no report endpoints.
 */
export const SECURITY_HEADERS = {
  contentSecurityPolicy: {
    'style-src': "'unsafe-inline'",
    'form-action': "'self'",
    sandbox: 'allow-forms',
    'report-to': '',
    'navigate-to': '',
    'require-trusted-types-for': "'script'",
    'upgrade-insecure-requests': false,
  },
  reportTo: false,
  reportingEndpoints: false,
  // its default writes `Server` and `X-Powered-By` as undefined, which Node's HTTP server (the local runtime) refuses; we set neither
  poweredBy: false,
  xssProtection: false,
} as const;

/**
 * Every HTTP function's middlewares, outermost first: observability
 * (logs, correlation id, metrics flush), security headers on every response
 * (errors included), header names lower-cased (@middy/http-header-normalizer),
 * and the one error mapper last, so typed errors become the SPEC §4.1 shape
 * `{error: {code, message, details?}}`. @middy/http-error-handler is not
 * used: it answers with the error's message as a plain body, not that shape.
 */
export function httpMiddlewares(): MiddlewareObj<HttpEvent, HttpResult>[] {
  return [
    ...observe<HttpEvent, HttpResult>(),
    httpSecurityHeaders(SECURITY_HEADERS as unknown as Parameters<typeof httpSecurityHeaders>[0]) as MiddlewareObj<HttpEvent, HttpResult>,
    httpHeaderNormalizer() as MiddlewareObj<HttpEvent, HttpResult>,
    httpErrors(),
  ];
}
