import middy from '@middy/core';
import { httpMiddlewares } from '#lib/http/middlewares.ts';
import { json, parseJsonBody } from '#lib/http/http.ts';
import { shopOfRequest } from '#lib/http/auth.ts';
import { acceptEvents } from '#lib/ingest/accept-events.ts';
import type { HttpEvent, HttpResult } from '#lib/http/types.ts';
import { startup } from '#lib/startup.ts';

await startup('events');

/** POST /v1/events — canonical events from any chat tool, with a shop API key. */
const main = async (event: HttpEvent): Promise<HttpResult> => {
  const shopId = await shopOfRequest(event);
  return json(202, await acceptEvents(shopId, parseJsonBody(event)));
};

export const handler = middy<HttpEvent, HttpResult>().use(httpMiddlewares()).handler(main);
