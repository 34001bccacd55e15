/**
 * Vietnamese mobile numbers: 10 digits, `0` + a network prefix. Prefixes in
 * use since the 2018 renumbering: 032–039, 052/056/058/059, 070/076–079,
 * 081–089, 090–099.
 */
const MOBILE = /^0(?:3[2-9]|5[2689]|7[06-9]|8[1-9]|9\d)\d{7}$/;

/**
 * Finds a Vietnamese mobile number in a chat message or comment:
 * `0912345678`, `0912 345 678`, `0912.345.678`, `0912-345-678`,
 * `+84 912 345 678`, `(+84) 912345678`, `84912345678`. Returns the first one,
 * normalised to the domestic form (`0` + 9 digits), or undefined. Prices
 * (`150000`, `1.250.000đ`), order codes and numbers embedded in longer digit
 * runs are not phone numbers.
 */
export function extractVietnamesePhone(text: string): string | undefined {
  const re = /(?:\(?\+?84\)?|0)[\s.-]?[1-9](?:[\s.-]?\d){8}(?![\d])/g;
  for (const m of text.matchAll(re)) {
    const start = m.index ?? 0;
    if (start > 0 && /\d/.test(text[start - 1]!)) continue;
    const digits = m[0].replace(/\D/g, '');
    const candidate = digits.startsWith('84') && digits.length === 11 ? `0${digits.slice(2)}` : digits;
    if (MOBILE.test(candidate)) return candidate;
  }
  return undefined;
}
