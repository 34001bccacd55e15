import middy from '@middy/core';
import { httpMiddlewares } from '#lib/http/middlewares.ts';
import { header, json, queryParams, rawBody, text } from '#lib/http/http.ts';
import { NotFoundError } from '#lib/errors.ts';
import { receiveMeta, receiveOrder, receiveZalo, verifyMetaSubscription } from '#lib/webhooks/receive.ts';
import { loadSecrets } from '#lib/secrets.ts';
import type { HttpEvent, HttpResult } from '#lib/http/types.ts';
import { startup } from '#lib/startup.ts';

await startup('webhook', loadSecrets);

/** Platform webhooks (Meta, Zalo, orders) and the health check: the public routes. */
const main = async (event: HttpEvent): Promise<HttpResult> => {
  const method = event.requestContext.http.method;
  const path = event.rawPath;
  if (path === '/healthz') return json(200, { ok: true });
  await loadSecrets();
  if (path === '/webhooks/meta' && method === 'GET') return text(200, verifyMetaSubscription(queryParams(event)));
  if (path === '/webhooks/meta' && method === 'POST') return json(200, await receiveMeta(rawBody(event), header(event, 'x-hub-signature-256')));
  if (path === '/webhooks/zalo' && method === 'POST') return json(200, await receiveZalo(rawBody(event), header(event, 'x-zevent-signature')));
  const m = /^\/webhooks\/orders\/([a-z]+)\/([^/]+)$/.exec(path);
  if (m && method === 'POST') return json(200, await receiveOrder(m[1]!, m[2]!, rawBody(event), (n) => header(event, n)));
  if (/^\/webhooks\/orders\/[^/]+$/.test(path)) throw new NotFoundError('Order webhooks are per shop: POST /webhooks/orders/{platform}/{shopId}, signed with the shop\'s own secret');
  throw new NotFoundError(`No route ${method} ${path}`);
};

export const handler = middy<HttpEvent, HttpResult>().use(httpMiddlewares()).handler(main);
