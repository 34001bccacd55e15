/**
 * Every key of the single table is built here and nowhere else.
 * Entity prefixes keep item types apart inside shared partitions.
 */
import { ValidationError } from '#lib/errors.ts';

export type Key = { PK: string; SK: string };

/**
 * The attributes the open-waits index projects (lib/store/table.ts) besides
 * the keys, and the only ones its readers may ask for: the conversation, its
 * channel, when the wait opened and who replied last before it (staff id,
 * `automated` or `unknown`; absent when nobody has replied yet). None of them
 * changes while a wait stays open (channel never, `waitOpenedAt` only when a
 * wait opens, `lastReplyBy` when a reply closes it), so the index is written
 * when a wait opens or closes and not on every message in between. Adding an
 * attribute that changes with the timeline (`ev`, `v`) would bring that cost
 * back (test/unit/keys.test.ts).
 */
export const OPEN_WAIT_INDEX_ATTRIBUTES = ['pageId', 'customerId', 'channel', 'waitOpenedAt', 'lastReplyBy'] as const;
export type OpenWaitAttribute = (typeof OPEN_WAIT_INDEX_ATTRIBUTES)[number];

/** Partitions a hot page's rollup deltas spread over (bench/capacity.ts derives the number). */
export const ROLLUP_SHARDS = 4;
/** Index partitions a shop's open waits spread over (bench/capacity.ts derives the number). */
export const OPEN_WAIT_SHARDS = 8;

/** A stable shard of a conversation, 0..OPEN_WAIT_SHARDS-1 (FNV-1a of page and customer). */
export function openWaitShard(pageId: string, customerId: string): number {
  let h = 0x811c9dc5;
  for (const ch of `${pageId}\u0000${customerId}`) {
    h ^= ch.charCodeAt(0);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % OPEN_WAIT_SHARDS;
}

export type Period = 'D' | 'W' | 'M';
/** Rollup scopes: page totals, one staff member, one ad. */
export type RollupScope = 'P' | 'S' | 'A';

/**
 * The partition key prefixes, one per kind of partition. Keys below are
 * built from these, and infra/least-privilege.ts grants each function the
 * prefixes it uses from this same object, so code and IAM cannot drift.
 */
export const KEY_PREFIXES = {
  /** a shop's settings, conversations, orders, rollups, raw events, links, costs (`SHOP#<shop>…`) */
  shop: 'SHOP#',
  /** the shop directory (one partition) */
  shopDirectory: 'SHOPS',
  /** an API key by its hash */
  apiKey: 'APIKEY#',
  /** GSI1: a shop's API keys */
  apiKeyIndex: 'APIKEYS#',
  /** which shop owns a page */
  page: 'PAGE#',
  /** a shop's order webhook signing secrets (encrypted) */
  orderHook: 'ORDERHOOK#',
  /** GSI1: a shop's open waits */
  openWait: 'WAIT#',
  /** GSI1: a shop's rejected events, by time */
  rejectedIndex: 'REJECTED#',
  /** the digest ledger */
  digest: 'DIGEST#',
  /** per-shop request counters (lib/limits/shop-limits.ts) */
  rate: 'RATE#',
  /** lifecycle jobs (shop deletion, erasure) */
  job: 'JOB#',
  /** the list of lifecycle jobs not done yet (one partition) */
  openJobs: 'JOBS#',
  /** SLA alerts: a marker per wait and threshold, a shop's alert groups (lib/alerts/) */
  alert: 'ALERT#',
} as const;
export type KeyPrefix = keyof typeof KEY_PREFIXES;
const P = KEY_PREFIXES;

/** DynamoDB's key size limits, in bytes (UTF-8): a partition key (table or index) and a sort key. */
export const MAX_PARTITION_KEY_BYTES = 2048;
export const MAX_SORT_KEY_BYTES = 1024;

/** A key too long for DynamoDB, built from ids the caller sent: a 400 in our error shape, never DynamoDB's 500. */
export class KeyTooLongError extends ValidationError {
  constructor(attribute: string, bytes: number, max: number) {
    super(`An id is too long: the ${attribute} key it makes has ${bytes} bytes, DynamoDB takes at most ${max}`, [{ path: 'id', message: `too long (key of ${bytes} bytes > ${max})` }]);
  }
}

/** Page and entity ids come from outside; `#` inside them must not forge another key. */
const part = (s: string) => s.replaceAll('%', '%25').replaceAll('#', '%23');

/** Throws KeyTooLongError when a key (or partition value) passes DynamoDB's limits; returns it unchanged otherwise. */
function sized<T>(k: T): T {
  const check = (attribute: string, v: unknown, max: number) => {
    if (typeof v !== 'string') return;
    const bytes = Buffer.byteLength(v);
    if (bytes > max) throw new KeyTooLongError(attribute, bytes, max);
  };
  if (typeof k === 'string') check('partition', k, MAX_PARTITION_KEY_BYTES);
  else if (k && typeof k === 'object') {
    const o = k as Record<string, unknown>;
    check('partition', o.PK, MAX_PARTITION_KEY_BYTES);
    check('sort', o.SK, MAX_SORT_KEY_BYTES);
    check('index partition', o.GSI1PK, MAX_PARTITION_KEY_BYTES);
    check('index sort', o.GSI1SK, MAX_SORT_KEY_BYTES);
  }
  return k;
}

/** Every builder's result is checked against DynamoDB's key sizes (`sized`). */
function checkedBuilders<T extends Record<string, (...args: never[]) => unknown>>(builders: T): T {
  return Object.fromEntries(Object.entries(builders).map(([name, f]) => [name, (...args: never[]) => sized(f(...args))])) as T;
}

export const keys = checkedBuilders({
  shopConfig: (shopId: string): Key => ({ PK: `${P.shop}${part(shopId)}`, SK: 'CONFIG' }),
  /** Directory entry: one per shop under a shared partition, so dispatch can list shops with one Query. */
  shopDirectory: (shopId: string): Key => ({ PK: P.shopDirectory, SK: `SHOP#${part(shopId)}` }),
  shopDirectoryPartition: () => P.shopDirectory,
  apiKey: (keyHash: string): Key => ({ PK: `${P.apiKey}${keyHash}`, SK: 'APIKEY' }),
  /** GSI1 entry on an API key item: a shop's keys are listed (and found by key id) with one Query. */
  apiKeyIndex: (shopId: string, keyId: string) => ({ GSI1PK: `${P.apiKeyIndex}${part(shopId)}`, GSI1SK: `KEY#${part(keyId)}` }),
  apiKeyIndexPartition: (shopId: string) => `${P.apiKeyIndex}${part(shopId)}`,
  pageRef: (pageId: string): Key => ({ PK: `${P.page}${part(pageId)}`, SK: 'REF' }),
  pageState: (shopId: string, pageId: string): Key => ({ PK: `${P.shop}${part(shopId)}`, SK: `PAGESTATE#${part(pageId)}` }),
  pageStatePrefix: () => 'PAGESTATE#',
  customer: (shopId: string, pageId: string, customerId: string): Key => ({
    PK: `${P.shop}${part(shopId)}#PAGE#${part(pageId)}#CUST#${part(customerId)}`,
    SK: 'STATE',
  }),
  order: (shopId: string, orderId: string): Key => ({ PK: `${P.shop}${part(shopId)}#ORDER#${part(orderId)}`, SK: 'STATE' }),
  /** Who wrote a comment, so the page's reply to it finds its customer. */
  commentLink: (shopId: string, commentId: string): Key => ({ PK: `${P.shop}${part(shopId)}#COMMENT#${part(commentId)}`, SK: 'LINK' }),
  /** A shop's signing secret for one order platform: its own partition, so no shop read ever returns it. */
  orderWebhookSecret: (shopId: string, platform: string): Key => ({ PK: `${P.orderHook}${part(shopId)}#${part(platform)}`, SK: 'SECRET' }),
  /** The shop's product cost table: one item per SKU or variant id under one partition. */
  productCostPartition: (shopId: string) => `${P.shop}${part(shopId)}#COST`,
  productCost: (shopId: string, by: 'sku' | 'variant', ref: string): Key => ({
    PK: keys.productCostPartition(shopId),
    SK: `${by === 'sku' ? 'SKU' : 'VAR'}#${part(ref)}`,
  }),
  phone: (shopId: string, phone: string): Key => ({ PK: `${P.shop}${part(shopId)}#PHONE#${part(phone)}`, SK: 'LINK' }),
  spend: (shopId: string, adId: string, day: string): Key => ({ PK: `${P.shop}${part(shopId)}#SPEND#${part(adId)}`, SK: `DAY#${day}` }),
  /** Raw events are sharded per page and day so a livestream does not heat one partition. */
  rawPartition: (shopId: string, pageId: string, day: string, shard: number) =>
    `${P.shop}${part(shopId)}#RAW#${part(pageId)}#${day}#${shard}`,
  raw: (shopId: string, pageId: string, day: string, shard: number, chunkId: string): Key => ({
    PK: keys.rawPartition(shopId, pageId, day, shard),
    SK: `CHUNK#${chunkId}`,
  }),
  /**
   * A page's rollups; a hot page's deltas also go to shards 1..ROLLUP_SHARDS-1
   * (other partitions, summed at read) so that a storm neither serialises on
   * one item nor exceeds one partition's write rate. Shard 0 is the plain key.
   */
  rollupPartition: (shopId: string, pageId: string, shard = 0) => `${P.shop}${part(shopId)}#ROLLUP#${part(pageId)}${shard === 0 ? '' : `#${shard}`}`,
  rollupSortPrefix: (scope: RollupScope, period: Period) => `${scope}${period}#`,
  rollup: (shopId: string, pageId: string, scope: RollupScope, period: Period, periodKey: string, entity?: string, shard = 0): Key => ({
    PK: keys.rollupPartition(shopId, pageId, shard),
    SK: `${scope}${period}#${periodKey}${entity === undefined ? '' : `#${part(entity)}`}`,
  }),
  /** Sparse open-waits index entry on a customer item while a wait is open, in one of OPEN_WAIT_SHARDS index partitions. */
  openWait: (shopId: string, openedAtIso: string, pageId: string, customerId: string) => ({
    WAITPK: keys.openWaitPartition(shopId, openWaitShard(pageId, customerId)),
    WAITSK: `${openedAtIso}#${part(pageId)}#${part(customerId)}`,
  }),
  openWaitPartition: (shopId: string, shard = 0) => `${P.openWait}${part(shopId)}${shard === 0 ? '' : `#${shard}`}`,
  /** Addresses SES reported as bounced or complaining, per shop: no more digests go to them. */
  suppressionPartition: (shopId: string) => `${P.shop}${part(shopId)}#SUPPRESS`,
  suppression: (shopId: string, email: string): Key => ({ PK: keys.suppressionPartition(shopId), SK: `EMAIL#${part(email.toLowerCase())}` }),
  /**
   * An event acknowledged but not counted (SPEC §4.1): one item per event id
   * (a redelivery overwrites it), listed by time through a GSI1 partition per shop.
   */
  rejectedEvent: (shopId: string, eventId: string): Key => ({ PK: `${P.shop}${part(shopId)}#REJECTED#${part(eventId)}`, SK: 'REJECTED' }),
  rejectedEventIndex: (shopId: string, rejectedAtIso: string, eventId: string) => ({ GSI1PK: keys.rejectedEventPartition(shopId), GSI1SK: `${rejectedAtIso}#${part(eventId)}` }),
  rejectedEventPartition: (shopId: string) => `${P.rejectedIndex}${part(shopId)}`,
  /** The generation of a shop's report links: raising it revokes every link signed before. */
  reportLinkGeneration: (shopId: string): Key => ({ PK: `${P.shop}${part(shopId)}`, SK: 'LINKGEN' }),
  /** A shop's request counter for one limit class and one window (lib/limits/shop-limits.ts); expires by TTL. */
  rateCounter: (shopId: string, limit: string, window: number): Key => ({ PK: `${P.rate}${part(shopId)}#${part(limit)}`, SK: `W#${window}` }),
  /**
   * SLA alerts (lib/alerts/): a marker per wait and threshold (written once, with a condition, so an
   * alert goes out at most once), and a shop's alert groups (one per threshold and minute) under one
   * partition, listed by time for the admin's delivery status. `ALERT#` items are the only ones the
   * alerts function writes. Both sit under `ALERT#<shop>#` (deleted with the shop); the customer id
   * follows `CUST` in the marker, so erasure rewrites it like a conversation's key.
   */
  alertMarker: (shopId: string, pageId: string, customerId: string, openedAtIso: string, threshold: string): Key => ({
    PK: `${P.alert}${part(shopId)}#WAIT#${part(pageId)}#CUST#${part(customerId)}#${openedAtIso}`,
    SK: `T#${threshold}`,
  }),
  alertGroupPartition: (shopId: string) => `${P.alert}${part(shopId)}#GROUPS`,
  alertGroupPrefix: () => 'GROUP#',
  alertGroup: (shopId: string, windowIso: string, threshold: string): Key => ({ PK: keys.alertGroupPartition(shopId), SK: `GROUP#${windowIso}#${threshold}` }),
  digestLedger: (shopId: string, period: 'daily' | 'weekly', periodKey: string, email: string): Key => ({
    PK: `${P.digest}${part(shopId)}#${period}#${periodKey}#${part(email.toLowerCase())}`,
    SK: 'LEDGER',
  }),
  /** The phone a phone-link key names (erasure finds a person's phones through the links they hold). */
  phoneOfKey: (shopId: string, pk: string): string | undefined => {
    const prefix = `${P.shop}${part(shopId)}#PHONE#`;
    return pk.startsWith(prefix) ? unpart(pk.slice(prefix.length)) : undefined;
  },
  /** A data lifecycle job (shop deletion, one person's erasure): outside every shop's partitions, so a deletion never deletes its own record. */
  lifecycleJob: (jobId: string): Key => ({ PK: `${P.job}${part(jobId)}`, SK: 'JOB' }),
  /** The list of lifecycle jobs not done yet (one item per job), which the scheduled sweep carries on. */
  openJobsPartition: () => `${P.openJobs}OPEN`,
  openJob: (jobId: string): Key => ({ PK: keys.openJobsPartition(), SK: `JOB#${part(jobId)}` }),
  /**
   * Where every item of a shop lives, for deletion and erasure (which scan for
   * them): a PK equal to `partition` or starting with one of `partitionPrefixes`,
   * the shop's directory entry, its API keys (PK under `apiKeyPrefix` with GSI1PK
   * `apiKeyIndexPartition`) and the page references naming it (PK under
   * `pageRefPrefix`, attribute `shopId`). A new key for shop data must fall under
   * one of these (test/unit/keys.test.ts checks each key function).
   */
  shopOwnership: (shopId: string) => ({
    partition: `${P.shop}${part(shopId)}`,
    partitionPrefixes: [`${P.shop}${part(shopId)}#`, `${P.orderHook}${part(shopId)}#`, `${P.digest}${part(shopId)}#`, `${P.alert}${part(shopId)}#`],
    directoryEntry: keys.shopDirectory(shopId),
    apiKeyPrefix: P.apiKey,
    apiKeyIndexPartition: keys.apiKeyIndexPartition(shopId),
    pageRefPrefix: P.page,
  }),
});

/** Rewrites the entity ids inside a key string (each `#`-separated part, unescaped), keeping the escaping. */
export function mapKeyParts(key: string, f: (id: string) => string): string {
  return key
    .split('#')
    .map((p) => part(f(unpart(p))))
    .join('#');
}

/**
 * Rewrites only the parts of a key that name a person: the customer id after
 * `CUST` and the phone after `PHONE` in a partition key, the customer id that
 * ends an open wait's sort key (WAITSK, or GSI1SK on items of before the open-waits index). Fixed parts (`STATE`, shard numbers, days) are
 * never touched, whatever the id being replaced looks like.
 */
export function mapPersonKeyParts(attribute: 'PK' | 'SK' | 'GSI1PK' | 'GSI1SK' | 'WAITPK' | 'WAITSK', key: string, f: (id: string) => string): string {
  const parts = key.split('#');
  if (attribute === 'PK') return parts.map((p, i) => (i > 0 && (parts[i - 1] === 'CUST' || parts[i - 1] === 'PHONE') ? part(f(unpart(p))) : p)).join('#');
  // an open wait's sort key (GSI1SK on items written before the open-waits index)
  if ((attribute === 'WAITSK' || attribute === 'GSI1SK') && parts.length === 3 && /^\d{4}-\d\d-\d\dT/.test(parts[0]!)) return [parts[0], parts[1], part(f(unpart(parts[2]!)))].join('#');
  return key;
}

/** Inverse of the escaping in `keys`, for entity ids read back from sort keys. */
export function unpart(s: string): string {
  return s.replaceAll('%23', '#').replaceAll('%25', '%');
}
