import { keys } from '#lib/store/keys.ts';
import { batchWrite, keyId, type WriteRequest } from '#lib/store/batch.ts';
import { normalizePhone } from '#lib/ingest/phone.ts';

/**
 * Records phones customers submitted outside a message (a Zalo form), with
 * the same item a phone typed in chat writes: later orders carrying that
 * phone link to the conversation. Idempotent puts.
 */
export async function putPhoneLinks(shopId: string, links: Array<{ pageId: string; customerId: string; phone: string }>): Promise<void> {
  const puts = new Map<string, WriteRequest>();
  for (const l of links) {
    const p = normalizePhone(l.phone);
    if (!p) continue;
    const k = keys.phone(shopId, p);
    puts.set(keyId(k), { PutRequest: { Item: { ...k, type: 'phone', pageId: l.pageId, customerId: l.customerId } } });
  }
  await batchWrite([...puts.values()]);
}
