/**
 * Normalises a phone number for linking orders to chat: digits only, with
 * Vietnam's +84 / 84 prefix turned into the domestic leading 0.
 * Returns undefined for strings that cannot be a phone number.
 */
export function normalizePhone(raw: string): string | undefined {
  let digits = raw.replace(/[^\d+]/g, '');
  if (digits.startsWith('+')) digits = digits.slice(1);
  digits = digits.replace(/\D/g, '');
  if (digits.startsWith('84') && digits.length >= 11) digits = `0${digits.slice(2)}`;
  if (digits.length < 8 || digits.length > 15) return undefined;
  return digits;
}

/** The conversation holding a phone (orders carrying it link there), and when (ms) it gave the phone. */
export type PhoneHolder = { pageId: string; customerId: string; givenAt: number };

/**
 * True when `a` holds a phone rather than `b`: it gave it earlier by event
 * time; ties go to the smaller page id, then customer id. Deterministic and
 * independent of arrival order: the holder after any arrival order is the one
 * a replay in event-time order ends with when the first giver keeps it.
 */
export function precedes(a: PhoneHolder, b: PhoneHolder): boolean {
  if (a.givenAt !== b.givenAt) return a.givenAt < b.givenAt;
  if (a.pageId !== b.pageId) return utf8Before(a.pageId, b.pageId);
  return utf8Before(a.customerId, b.customerId);
}

/** Strings ordered by their UTF-8 bytes, as DynamoDB compares them in the phone item's condition. */
const utf8Before = (a: string, b: string) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')) < 0;
