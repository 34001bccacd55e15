import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { httpMiddlewares } from '#lib/http/middlewares.ts';
import { json, parseJsonBody, queryParams, requireAdmin, text } from '#lib/http/http.ts';
import { unsubscribe, unsubscribePage } from '#lib/digests/unsubscribe.ts';
import { NotFoundError } from '#lib/errors.ts';
import { getShopSettings, listShops, patchShop, upsertShop } from '#lib/admin/shops.ts';
import { setOrderWebhookSecret, setProductCosts } from '#lib/admin/order-settings.ts';
import { issueApiKey, listShopApiKeys, revokeShopApiKey } from '#lib/admin/api-keys.ts';
import { rebuildRollups } from '#lib/admin/rebuild.ts';
import { startShopDeletion } from '#lib/lifecycle/delete-shop.ts';
import { startErasure } from '#lib/lifecycle/erase-person.ts';
import { jobHttpStatus, lifecycleJobStatus, sweepLifecycleJobs, type SweepOutcome } from '#lib/lifecycle/status.ts';
import { isSweepEvent, SWEEP_EVENT } from '#lib/lifecycle/schema.ts';
import { revokeReportLinks } from '#lib/admin/report-links.ts';
import { runDigestNow } from '#lib/digests/dispatch.ts';
import { digestStatus, liftSuppression, shopSuppressions } from '#lib/digests/status.ts';
import { loadSecrets } from '#lib/secrets.ts';
import { alertStatus } from '#lib/alerts/status.ts';
import type { HttpEvent, HttpResult } from '#lib/http/types.ts';
import { startup } from '#lib/startup.ts';

await startup('admin', loadSecrets);

/** /v1/admin/* — shops (settings, deletion, erasure jobs), API keys, rebuild and digest runs, with the admin token — and signed unsubscribe links. */
const main = async (event: HttpEvent): Promise<HttpResult> => {
  await loadSecrets();
  const method = event.requestContext.http.method;
  const path = event.rawPath.replace(/\/+$/, '');
  // unsubscribe links carry their own signature instead of the admin token
  if (path === '/v1/unsubscribe' && method === 'GET') return text(200, unsubscribePage(event.rawQueryString), 'text/html; charset=utf-8');
  if (path === '/v1/unsubscribe' && method === 'POST') {
    const done = await unsubscribe(queryParams(event));
    return text(200, `${done.email} will no longer receive the ${done.period} digest. / ${done.email} sẽ không nhận báo cáo ${done.period === 'daily' ? 'hằng ngày' : 'hằng tuần'} nữa.`);
  }
  requireAdmin(event);
  let m: RegExpExecArray | null;
  if (method === 'GET' && path === '/v1/admin/shops') return json(200, await listShops(queryParams(event)));
  if ((m = /^\/v1\/admin\/shops\/([^/]+)$/.exec(path))) {
    const shopId = decodeURIComponent(m[1]!);
    if (method === 'GET') return json(200, await getShopSettings(shopId));
    if (method === 'PUT') return json(200, await upsertShop(shopId, parseJsonBody(event)));
    if (method === 'PATCH') return json(200, await patchShop(shopId, parseJsonBody(event)));
    if (method === 'DELETE') return job(await startShopDeletion(shopId));
  }
  if (method === 'POST' && (m = /^\/v1\/admin\/shops\/([^/]+)\/erasure$/.exec(path))) return job(await startErasure(decodeURIComponent(m[1]!), parseJsonBody(event)));
  if (method === 'GET' && (m = /^\/v1\/admin\/jobs\/([^/]+)$/.exec(path))) return job(await lifecycleJobStatus(decodeURIComponent(m[1]!)));
  if ((m = /^\/v1\/admin\/shops\/([^/]+)\/api-keys$/.exec(path))) {
    const shopId = decodeURIComponent(m[1]!);
    if (method === 'POST') return json(201, await issueApiKey(shopId, event.body ? parseJsonBody(event) : {}));
    if (method === 'GET') return json(200, await listShopApiKeys(shopId));
  }
  if (method === 'DELETE' && (m = /^\/v1\/admin\/shops\/([^/]+)\/api-keys\/([^/]+)$/.exec(path))) {
    await revokeShopApiKey(decodeURIComponent(m[1]!), decodeURIComponent(m[2]!));
    return { statusCode: 204, headers: { 'cache-control': 'no-store' }, body: '' };
  }
  if (method === 'PUT' && (m = /^\/v1\/admin\/shops\/([^/]+)\/order-webhooks\/([^/]+)$/.exec(path))) {
    await setOrderWebhookSecret(decodeURIComponent(m[1]!), decodeURIComponent(m[2]!), parseJsonBody(event));
    return { statusCode: 204, headers: { 'cache-control': 'no-store' }, body: '' };
  }
  if (method === 'PUT' && (m = /^\/v1\/admin\/shops\/([^/]+)\/product-costs$/.exec(path))) {
    return json(200, await setProductCosts(decodeURIComponent(m[1]!), parseJsonBody(event)));
  }
  if (method === 'GET' && (m = /^\/v1\/admin\/shops\/([^/]+)\/digests$/.exec(path))) {
    return json(200, await digestStatus(decodeURIComponent(m[1]!), Object.fromEntries(queryParams(event))));
  }
  if (method === 'GET' && (m = /^\/v1\/admin\/shops\/([^/]+)\/suppressions$/.exec(path))) return json(200, await shopSuppressions(decodeURIComponent(m[1]!)));
  if (method === 'DELETE' && (m = /^\/v1\/admin\/shops\/([^/]+)\/suppressions\/([^/]+)$/.exec(path))) {
    await liftSuppression(decodeURIComponent(m[1]!), decodeURIComponent(m[2]!));
    return { statusCode: 204, headers: { 'cache-control': 'no-store' }, body: '' };
  }
  if (method === 'GET' && (m = /^\/v1\/admin\/shops\/([^/]+)\/alerts$/.exec(path))) return json(200, await alertStatus(decodeURIComponent(m[1]!), queryParams(event)));
  if (method === 'POST' && (m = /^\/v1\/admin\/shops\/([^/]+)\/report-links\/revoke$/.exec(path))) return json(200, await revokeReportLinks(decodeURIComponent(m[1]!)));
  if (method === 'POST' && path === '/v1/admin/rebuild') return json(200, await rebuildRollups(parseJsonBody(event)));
  if (method === 'POST' && path === '/v1/admin/digests/run') return json(202, await runDigestNow(parseJsonBody(event)));
  throw new NotFoundError(`No admin route ${method} ${path}`);
};

/** A lifecycle job's status: 202 while it runs, 200 once done. */
const job = (j: Record<string, unknown>) => json(jobHttpStatus(j), j);

const http = middy<HttpEvent, HttpResult>().use(httpMiddlewares()).handler(main);

/** HTTP API requests, and the schedule's sweep of lifecycle jobs (an error there fails the invocation: retried, then dead-lettered). */
export function handler(event: HttpEvent, context: Context): Promise<HttpResult>;
export function handler(event: typeof SWEEP_EVENT, context: Context): Promise<SweepOutcome>;
export function handler(event: HttpEvent | typeof SWEEP_EVENT, context: Context): Promise<HttpResult | SweepOutcome> {
  return isSweepEvent(event) ? sweepLifecycleJobs() : http(event, context);
}
