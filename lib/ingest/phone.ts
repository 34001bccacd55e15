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
