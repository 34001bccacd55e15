import { shopOfApiKey } from '#lib/store/shops.ts';

/** The shop of an `Authorization: Bearer <key>` header value, or undefined. */
export async function authorizeApiKey(authorization: string | undefined): Promise<string | undefined> {
  const m = authorization ? /^Bearer\s+(\S+)\s*$/i.exec(authorization) : null;
  if (!m?.[1]) return undefined;
  return shopOfApiKey(m[1]);
}
