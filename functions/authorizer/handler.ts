import middy from '@middy/core';
import { observe } from '#lib/log.ts';
import type { APIGatewayRequestAuthorizerEventV2, APIGatewaySimpleAuthorizerWithContextResult } from 'aws-lambda';
import { authorizeApiKey } from '#lib/http/authorize.ts';
import { startup } from '#lib/startup.ts';

await startup('authorizer');

type Result = APIGatewaySimpleAuthorizerWithContextResult<{ shopId: string }>;

/**
 * HTTP API Lambda authorizer (simple responses): shop API key → shopId context.
 * An unknown key is passed on with an empty shopId, so the route answers 401
 * in the service's own error shape (API Gateway would answer a bare 403).
 */
const main = async (event: APIGatewayRequestAuthorizerEventV2): Promise<Result> => {
  const shopId = await authorizeApiKey(event.headers?.authorization ?? event.identitySource?.[0]);
  return { isAuthorized: true, context: { shopId: shopId ?? '' } };
};

export const handler = middy<APIGatewayRequestAuthorizerEventV2, Result>().use(observe()).handler(main);
