/**
 * Finds a Vietnamese mobile number in a chat message: 0912345678,
 * 0912 345 678, 0912.345.678, +84 912 345 678, 84912345678. Returns it
 * normalised to the domestic form (10 digits starting with 0), or undefined.
 * Prices ("150000", "1.250.000đ") and order codes are not phone numbers:
 * Vietnamese mobile numbers start with 03, 05, 07, 08 or 09.
 */
export function extractVietnamesePhone(text: string): string | undefined {
  const re = /(?:\+?84|0)[\s.-]?([35789])(?:[\s.-]?\d){8}(?!\d)/g;
  for (const m of text.matchAll(re)) {
    const start = m.index ?? 0;
    if (start > 0 && /[\d]/.test(text[start - 1]!)) continue;
    const digits = m[0].replace(/\D/g, '');
    const national = digits.startsWith('84') ? digits.slice(2) : digits.slice(1);
    if (national.length === 9) return `0${national}`;
  }
  return undefined;
}
