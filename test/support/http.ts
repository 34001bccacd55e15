import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import type { HttpEvent, HttpResult } from '#lib/http/types.ts';

/** An HTTP API (payload 2.0) event as API Gateway sends it. */
export function httpEvent(o: {
  method: string;
  path: string;
  query?: string;
  headers?: Record<string, string>;
  body?: string | object;
  authorizer?: Record<string, unknown>;
}): HttpEvent {
  const body = o.body === undefined ? undefined : typeof o.body === 'string' ? o.body : JSON.stringify(o.body);
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: o.path,
    rawQueryString: o.query ?? '',
    headers: Object.fromEntries(Object.entries(o.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
    requestContext: {
      accountId: '1',
      apiId: 'test',
      domainName: 'test',
      domainPrefix: 'test',
      http: { method: o.method, path: o.path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'vitest' },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: '',
      timeEpoch: 0,
      ...(o.authorizer ? { authorizer: { lambda: o.authorizer } } : {}),
    },
    ...(body !== undefined ? { body, isBase64Encoded: false } : { isBase64Encoded: false }),
  } as HttpEvent;
}

export const lambdaContext = { awsRequestId: 'test-request', functionName: 'test', getRemainingTimeInMillis: () => 30_000 } as unknown as Context;

/** Calls a middy HTTP handler and parses its JSON body. */
export async function call(handler: (e: HttpEvent, c: Context) => Promise<HttpResult>, e: HttpEvent): Promise<{ status: number; body: any; headers: Record<string, string>; raw: string }> {
  const res = await handler(e, lambdaContext);
  const raw = res.body ?? '';
  let body: unknown = raw;
  try {
    body = JSON.parse(raw);
  } catch {
    /* not JSON */
  }
  return { status: res.statusCode, body, headers: res.headers, raw };
}
