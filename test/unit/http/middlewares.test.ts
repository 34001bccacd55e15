import { describe, expect, it } from 'vitest';
import middy from '@middy/core';
import { httpMiddlewares } from '#lib/http/middlewares.ts';
import { header, json, text } from '#lib/http/http.ts';
import { ValidationError } from '#lib/errors.ts';
import { httpEvent, lambdaContext } from '#test/support/http.ts';
import type { HttpEvent, HttpResult } from '#lib/http/types.ts';

/** The HTTP middleware stack every HTTP function uses, around tiny handlers (no table needed). */
const handlerOf = (main: (e: HttpEvent) => Promise<HttpResult>) => middy<HttpEvent, HttpResult>().use(httpMiddlewares()).handler(main);

describe('httpMiddlewares', () => {
  it('lower-cases request header names before the handler reads them (@middy/http-header-normalizer)', async () => {
    let seen: Record<string, string | undefined> = {};
    const h = handlerOf(async (e) => {
      seen = { ...e.headers };
      return json(200, { sig: header(e, 'x-hub-signature-256') });
    });
    const event = httpEvent({ method: 'POST', path: '/x', body: '{}' });
    event.headers = { 'X-Hub-Signature-256': 'sha256=ab', 'Content-Type': 'application/json' };

    const res = await h(event, lambdaContext);

    expect(seen).toMatchObject({ 'x-hub-signature-256': 'sha256=ab', 'content-type': 'application/json' });
    expect(JSON.parse(res.body!)).toEqual({ sig: 'sha256=ab' });
  });

  it('adds the security headers to JSON answers, errors included', async () => {
    const ok = await handlerOf(async () => json(200, { ok: true }))(httpEvent({ method: 'GET', path: '/x' }), lambdaContext);
    const bad = await handlerOf(async () => {
      throw new ValidationError('Invalid request', [{ path: 'from', message: 'expected YYYY-MM-DD' }]);
    })(httpEvent({ method: 'GET', path: '/x' }), lambdaContext);

    for (const res of [ok, bad]) {
      for (const [k, v] of Object.entries(res.headers)) expect(typeof v, k).toBe('string'); // Node's HTTP server refuses undefined values
      expect(res.headers['Strict-Transport-Security']).toBe('max-age=15552000; includeSubDomains; preload');
      expect(res.headers['X-Content-Type-Options']).toBe('nosniff');
      expect(res.headers['Referrer-Policy']).toBe('no-referrer');
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    }
    expect(bad.statusCode).toBe(400);
    expect(JSON.parse(bad.body!)).toEqual({ error: { code: 'invalid_request', message: 'Invalid request', details: [{ path: 'from', message: 'expected YYYY-MM-DD' }] } });
  });

  it('answers an unknown failure with the SPEC error shape, a request id and no stack', async () => {
    const res = await handlerOf(async () => {
      throw new TypeError("Cannot read properties of undefined (reading 'x')");
    })(httpEvent({ method: 'GET', path: '/x' }), lambdaContext);

    expect(res.statusCode).toBe(500);
    const body = JSON.parse(res.body!);
    expect(body).toEqual({ error: { code: 'internal', message: 'Internal error', details: { requestId: expect.any(String) } } });
    expect(res.body).not.toContain('TypeError');
    expect(res.headers['X-Content-Type-Options']).toBe('nosniff');
  });

  it('gives HTML a CSP that lets the unsubscribe page post its form to itself and nothing else', async () => {
    const res = await handlerOf(async () => text(200, '<form method="post"></form>', 'text/html; charset=utf-8'))(httpEvent({ method: 'GET', path: '/v1/unsubscribe' }), lambdaContext);

    const csp = res.headers['Content-Security-Policy']!;
    const directives = Object.fromEntries(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k, v.join(' ')]));
    expect(directives).toMatchObject({ 'default-src': "'none'", 'form-action': "'self'", 'style-src': "'unsafe-inline'", sandbox: 'allow-forms', 'frame-ancestors': "'none'" });
    expect(csp).not.toContain('upgrade-insecure-requests');
    expect(res.headers['X-Frame-Options']).toBe('DENY');
  });
});
