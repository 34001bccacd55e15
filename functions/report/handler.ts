import middy from '@middy/core';
import { httpMiddlewares } from '#lib/http/middlewares.ts';
import { json, queryParams, text } from '#lib/http/http.ts';
import { requireShop } from '#lib/http/auth.ts';
import { NotFoundError } from '#lib/errors.ts';
import { serveReport } from '#lib/reports/serve.ts';
import { openApiDocument } from '#lib/reports/openapi.ts';
import { getOrderView } from '#lib/orders/view.ts';
import { config } from '#lib/config.ts';
import type { HttpEvent, HttpResult } from '#lib/http/types.ts';
import { startup } from '#lib/startup.ts';

await startup('report');

/** Report API and order lookups (shop key), and the OpenAPI document. */
const main = async (event: HttpEvent): Promise<HttpResult> => {
  const path = event.rawPath;
  if (path === '/v1/openapi.json') return json(200, openApiDocument(config().PUBLIC_BASE_URL));
  const order = /^\/v1\/shops\/([^/]+)\/orders\/([^/]+)$/.exec(path);
  if (order && event.requestContext.http.method === 'GET') {
    const shopId = decodeURIComponent(order[1]!);
    await requireShop(event, shopId);
    return json(200, await getOrderView(shopId, decodeURIComponent(order[2]!)));
  }
  const m = /^\/v1\/shops\/([^/]+)\/reports\/([^/]+)$/.exec(path);
  if (!m || event.requestContext.http.method !== 'GET') throw new NotFoundError(`No route ${event.requestContext.http.method} ${path}`);
  const shopId = decodeURIComponent(m[1]!);
  await requireShop(event, shopId);
  const out = await serveReport(shopId, decodeURIComponent(m[2]!), queryParams(event));
  if (out.format === 'csv') return text(200, out.body, 'text/csv; charset=utf-8', { 'content-disposition': `attachment; filename="${out.filename}"` });
  return json(200, out.body);
};

export const handler = middy<HttpEvent, HttpResult>().use(httpMiddlewares()).handler(main);
