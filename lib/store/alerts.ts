import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { db, tableName } from '#lib/store/client.ts';
import { keys } from '#lib/store/keys.ts';
import { queryAll } from '#lib/store/batch.ts';

/**
 * Alert items (lib/alerts/): the once-per-wait-and-threshold markers and the
 * alert groups (a shop, a threshold, a minute, a part) with their delivery
 * status per channel. Every condition of the alert path lives here.
 */

type Item = Record<string, unknown>;
/** Markers and groups are kept a week: long enough for every redelivery and for the admin to read the status. */
const KEEP_SECONDS = 7 * 86_400;
/** Waits per group item (a set of short strings: far below DynamoDB's 400 KB item limit); a larger storm fills further parts. */
export const GROUP_CAP = 2000;

export type GroupRef = { shopId: string; window: string; threshold: string; part: number };
const groupKey = (g: GroupRef) => keys.alertGroup(g.shopId, g.window, `${g.threshold}#${g.part}`);

const isConditionFailure = (err: unknown) => (err as Error).name === 'ConditionalCheckFailedException';

/**
 * Claims the alert of one wait and threshold (a conditional put: only the
 * first caller ever gets `claimed: true`). `group` is where the claimer put
 * it; a caller that finds the marker gets the group recorded there, so a
 * redelivered timer can finish adding the wait to it after a crash.
 */
export async function claimAlertMarker(
  shopId: string,
  wait: { pageId: string; customerId: string; openedAt: number },
  threshold: string,
  group: GroupRef,
  now: number,
): Promise<{ claimed: boolean; group: GroupRef }> {
  const key = keys.alertMarker(shopId, wait.pageId, wait.customerId, new Date(wait.openedAt).toISOString(), threshold);
  try {
    await db().send(
      new PutCommand({
        TableName: tableName(),
        Item: { ...key, type: 'alert-marker', window: group.window, part: group.part, at: now, expiresAt: Math.floor(now / 1000) + KEEP_SECONDS },
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    );
    return { claimed: true, group };
  } catch (err) {
    if (!isConditionFailure(err)) throw err;
    const res = await db().send(new GetCommand({ TableName: tableName(), Key: key, ConsistentRead: true }));
    return { claimed: false, group: { ...group, window: String(res.Item?.window ?? group.window), part: Number(res.Item?.part ?? group.part) } };
  }
}

/** Moves a claimed marker to another group (its first group was full or already sent). */
export async function moveAlertMarker(shopId: string, wait: { pageId: string; customerId: string; openedAt: number }, threshold: string, group: GroupRef): Promise<void> {
  const key = keys.alertMarker(shopId, wait.pageId, wait.customerId, new Date(wait.openedAt).toISOString(), threshold);
  await db().send(
    new UpdateCommand({ TableName: tableName(), Key: key, UpdateExpression: 'SET #w = :w, #p = :p', ExpressionAttributeNames: { '#w': 'window', '#p': 'part' }, ExpressionAttributeValues: { ':w': group.window, ':p': group.part } }),
  );
}

/**
 * Adds waits to a group that has not been sent yet and holds fewer than
 * GROUP_CAP (ADD to a string set: adding one twice is adding it once).
 * Returns `added` with whether its flush still has to be queued, or why not:
 * `sent` (the group went out meanwhile) or `full`.
 */
export async function addToAlertGroup(g: GroupRef, entries: string[], now: number): Promise<{ outcome: 'added'; flushQueued: boolean } | { outcome: 'sent' | 'full' }> {
  try {
    const res = await db().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: groupKey(g),
        UpdateExpression: 'ADD waits :w SET #type = :type, shopId = :s, threshold = :t, #window = :win, part = :p, createdAt = if_not_exists(createdAt, :now), expiresAt = :exp',
        ConditionExpression: 'attribute_not_exists(sentAt) AND (attribute_not_exists(waits) OR size(waits) < :cap)',
        ExpressionAttributeNames: { '#type': 'type', '#window': 'window' },
        ExpressionAttributeValues: {
          ':w': new Set(entries),
          ':type': 'alert-group',
          ':s': g.shopId,
          ':t': g.threshold,
          ':win': g.window,
          ':p': g.part,
          ':now': now,
          ':exp': Math.floor(now / 1000) + KEEP_SECONDS,
          ':cap': GROUP_CAP,
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return { outcome: 'added', flushQueued: Boolean(res.Attributes?.flushQueued) };
  } catch (err) {
    if (!isConditionFailure(err)) throw err;
    const item = await getAlertGroup(g);
    return { outcome: item?.sentAt !== undefined ? 'sent' : 'full' };
  }
}

/** Notes that a group's flush is queued, so later additions do not queue another (a repeat is harmless: the flush is claimed once). */
export async function markFlushQueued(g: GroupRef): Promise<void> {
  await db().send(new UpdateCommand({ TableName: tableName(), Key: groupKey(g), UpdateExpression: 'SET flushQueued = :t', ExpressionAttributeValues: { ':t': true } }));
}

export type DeliveryStatus = { type: string; target: string; status: 'pending' | 'delivered' | 'retrying' | 'dead_lettered' | 'dropped' | 'suppressed'; attempts: number; lastError?: string; at: number };
export type AlertGroup = GroupRef & { waits: string[]; sentAt?: number; deliveries: Record<string, DeliveryStatus>; createdAt: number };

function groupOf(item: Item): AlertGroup {
  return {
    shopId: String(item.shopId),
    window: String(item.window),
    threshold: String(item.threshold),
    part: Number(item.part ?? 0),
    waits: [...((item.waits as Set<string> | undefined) ?? [])].sort(),
    ...(item.sentAt !== undefined ? { sentAt: Number(item.sentAt) } : {}),
    deliveries: (item.deliveries as Record<string, DeliveryStatus> | undefined) ?? {},
    createdAt: Number(item.createdAt ?? 0),
  };
}

export async function getAlertGroup(g: GroupRef): Promise<AlertGroup | undefined> {
  const res = await db().send(new GetCommand({ TableName: tableName(), Key: groupKey(g), ConsistentRead: true }));
  return res.Item ? groupOf(res.Item) : undefined;
}

/**
 * Claims a group for sending (once: `sentAt` is set with a condition) and
 * records each channel as pending. A group already claimed comes back with
 * `claimed: false` and its recorded deliveries.
 */
export async function claimAlertGroup(g: GroupRef, channels: Array<{ type: string; target: string }>, now: number): Promise<{ claimed: boolean; group: AlertGroup | undefined }> {
  const deliveries: Record<string, DeliveryStatus> = Object.fromEntries(channels.map((c, i) => [String(i), { type: c.type, target: c.target, status: 'pending', attempts: 0, at: now }]));
  try {
    const res = await db().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: groupKey(g),
        UpdateExpression: 'SET sentAt = :now, deliveries = :d',
        ConditionExpression: 'attribute_exists(waits) AND attribute_not_exists(sentAt)',
        ExpressionAttributeValues: { ':now': now, ':d': deliveries },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return { claimed: true, group: groupOf(res.Attributes!) };
  } catch (err) {
    if (!isConditionFailure(err)) throw err;
    return { claimed: false, group: await getAlertGroup(g) };
  }
}

/** Records one channel's delivery status on its group. */
export async function recordDelivery(g: GroupRef, channel: number, status: DeliveryStatus): Promise<void> {
  await db().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: groupKey(g),
      UpdateExpression: 'SET deliveries.#c = :d',
      ExpressionAttributeNames: { '#c': String(channel) },
      ExpressionAttributeValues: { ':d': status },
    }),
  );
}

/** A shop's alert groups from `sinceIso` on, oldest first (one Query on the shop's alert partition). */
export async function listAlertGroups(shopId: string, sinceIso: string): Promise<AlertGroup[]> {
  const items = await queryAll({
    KeyConditionExpression: 'PK = :pk AND SK BETWEEN :a AND :b',
    ExpressionAttributeValues: { ':pk': keys.alertGroupPartition(shopId), ':a': `${keys.alertGroupPrefix()}${sinceIso}`, ':b': `${keys.alertGroupPrefix()}~` },
  });
  return items.map(groupOf);
}
