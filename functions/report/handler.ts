import middy from '@middy/core';
import { httpMiddlewares } from '#lib/http/middlewares.ts';
import { binary, json, parseJsonBody, queryParams, text } from '#lib/http/http.ts';
import { requireShop } from '#lib/http/auth.ts';
import { NotFoundError } from '#lib/errors.ts';
import { serveReport } from '#lib/reports/serve.ts';
import { servedOpenApiDocument } from '#lib/reports/openapi-served.ts';
import { getOrderView } from '#lib/orders/view.ts';
import { metricsDocument } from '#lib/reports/metrics.ts';
import { exportConversations } from '#lib/reports/export-conversations.ts';
import { listShopRejectedEvents } from '#lib/reports/rejected-events.ts';
import { createShopReportLink } from '#lib/reports/link-signing.ts';
import { chargeShop } from '#lib/limits/shop-limits.ts';
import { openReportLinkPage } from '#lib/reports/open-link.ts';
import { renderGlossaryHtml } from '#lib/reports/pages.ts';
import { LANGS } from '#lib/reports/table.ts';
import { serveInsights } from '#lib/reports/insights.ts';
import { config } from '#lib/config.ts';
import { XLSX_CONTENT_TYPE } from '#lib/reports/xlsx.ts';
import { listWaiting, parseWaitingQuery } from '#lib/live/waiting.ts';
import { renderWaitingHtml } from '#lib/live/html.ts';
import { createWaitingLink, openWaitingLink, WAITING_PAGE } from '#lib/live/link.ts';
import type { HttpEvent, HttpResult } from '#lib/http/types.ts';
import { loadSecrets } from '#lib/secrets.ts';
import { startup } from '#lib/startup.ts';

await startup('report', loadSecrets);

/** A report page runs nothing and loads nothing. */
const HTML_HEADERS = { 'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:", 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' };

/**
 * Report API, order lookups and rejected events (shop key; each request counts against the shop's
 * report limit once the key is checked), the OpenAPI document, the metric definitions and their
 * glossary page (public).
 */
const main = async (event: HttpEvent): Promise<HttpResult> => {
  await loadSecrets(); // REPORT_LINK_KEY, re-read once its cache expires (rotation)
  const path = event.rawPath;
  if (path === '/v1/openapi.json') return json(200, await servedOpenApiDocument(config().PUBLIC_BASE_URL));
  if (path === '/v1/metrics') return json(200, metricsDocument());
  if (path === '/v1/glossary') return text(200, renderGlossaryHtml(queryParams(event).get('lang') === 'en' ? LANGS.en : LANGS.vi), 'text/html; charset=utf-8', HTML_HEADERS);
  const order = /^\/v1\/shops\/([^/]+)\/orders\/([^/]+)$/.exec(path);
  if (order && event.requestContext.http.method === 'GET') {
    const shopId = decodeURIComponent(order[1]!);
    await requireShop(event, shopId);
    await chargeShop(shopId, 'reports');
    return json(200, await getOrderView(shopId, decodeURIComponent(order[2]!)));
  }
  const waiting = /^\/v1\/shops\/([^/]+)\/waiting$/.exec(path);
  if (waiting && event.requestContext.http.method === 'GET') {
    const shopId = decodeURIComponent(waiting[1]!);
    await requireShop(event, shopId);
    await chargeShop(shopId, 'reports');
    const query = parseWaitingQuery(queryParams(event));
    const { shop, list } = await listWaiting(shopId, query);
    return query.format === 'html' ? text(200, renderWaitingHtml(list, shop), 'text/html; charset=utf-8', HTML_HEADERS) : json(200, list);
  }
  const waitingLink = /^\/v1\/shops\/([^/]+)\/waiting-links$/.exec(path);
  if (waitingLink && event.requestContext.http.method === 'POST') {
    const shopId = decodeURIComponent(waitingLink[1]!);
    await requireShop(event, shopId);
    await chargeShop(shopId, 'reports');
    return json(201, await createWaitingLink(shopId, event.body ? parseJsonBody(event) : {}));
  }
  const waitingPage = new RegExp(`^/v1/report-pages/([^/]+)/${WAITING_PAGE}$`).exec(path);
  if (waitingPage && event.requestContext.http.method === 'GET')
    return text(200, await openWaitingLink(decodeURIComponent(waitingPage[1]!), queryParams(event)), 'text/html; charset=utf-8', HTML_HEADERS);
  const page = /^\/v1\/report-pages\/([^/]+)\/([^/]+)$/.exec(path);
  if (page && event.requestContext.http.method === 'GET') {
    const out = await openReportLinkPage(decodeURIComponent(page[1]!), decodeURIComponent(page[2]!), queryParams(event));
    return text(out.status, out.body, 'text/html; charset=utf-8', HTML_HEADERS);
  }
  const link = /^\/v1\/shops\/([^/]+)\/report-links$/.exec(path);
  if (link && event.requestContext.http.method === 'POST') {
    const shopId = decodeURIComponent(link[1]!);
    await requireShop(event, shopId);
    await chargeShop(shopId, 'reports');
    return json(201, await createShopReportLink(shopId, parseJsonBody(event)));
  }
  const rejected = /^\/v1\/shops\/([^/]+)\/rejected-events$/.exec(path);
  if (rejected && event.requestContext.http.method === 'GET') {
    const shopId = decodeURIComponent(rejected[1]!);
    await requireShop(event, shopId);
    await chargeShop(shopId, 'reports');
    return json(200, await listShopRejectedEvents(shopId, queryParams(event)));
  }
  const x = /^\/v1\/shops\/([^/]+)\/exports\/conversations$/.exec(path);
  if (x && event.requestContext.http.method === 'GET') {
    const shopId = decodeURIComponent(x[1]!);
    await requireShop(event, shopId);
    await chargeShop(shopId, 'reports');
    const out = await exportConversations(shopId, queryParams(event));
    if (out.format === 'csv') return text(200, out.body, 'text/csv; charset=utf-8', { 'content-disposition': `attachment; filename="${out.filename}"` });
    if (out.format === 'xlsx') return binary(200, out.body, XLSX_CONTENT_TYPE, { 'content-disposition': `attachment; filename="${out.filename}"` });
    return json(200, out.body);
  }
  const ins = /^\/v1\/shops\/([^/]+)\/insights$/.exec(path);
  if (ins && event.requestContext.http.method === 'GET') {
    const shopId = decodeURIComponent(ins[1]!);
    await requireShop(event, shopId);
    await chargeShop(shopId, 'reports');
    return json(200, await serveInsights(shopId, queryParams(event)));
  }
  const m = /^\/v1\/shops\/([^/]+)\/reports\/([^/]+)$/.exec(path);
  if (!m || event.requestContext.http.method !== 'GET') throw new NotFoundError(`No route ${event.requestContext.http.method} ${path}`);
  const shopId = decodeURIComponent(m[1]!);
  await requireShop(event, shopId);
  await chargeShop(shopId, 'reports');
  const out = await serveReport(shopId, decodeURIComponent(m[2]!), queryParams(event));
  if (out.format === 'csv') return text(200, out.body, 'text/csv; charset=utf-8', { 'content-disposition': `attachment; filename="${out.filename}"` });
  if (out.format === 'xlsx') return binary(200, out.body, XLSX_CONTENT_TYPE, { 'content-disposition': `attachment; filename="${out.filename}"` });
  if (out.format === 'html') return text(200, out.body, 'text/html; charset=utf-8', HTML_HEADERS);
  return json(200, out.body);
};

export const handler = middy<HttpEvent, HttpResult>().use(httpMiddlewares()).handler(main);
