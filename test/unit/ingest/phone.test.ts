import { describe, expect, it } from 'vitest';
import { normalizePhone, precedes, type PhoneHolder } from '#lib/ingest/phone.ts';

describe('normalizePhone', () => {
  it('gives one form for the ways chat, Zalo and order platforms write a Vietnamese number', () => {
    for (const p of ['0912345678', '0912 345 678', '0912.345.678', '+84 912 345 678', '84912345678', '(+84) 912-345-678']) expect(normalizePhone(p)).toBe('0912345678');
  });

  it('refuses what cannot be a phone number', () => {
    expect(normalizePhone('12345')).toBeUndefined();
    expect(normalizePhone('1234567890123456')).toBeUndefined();
  });
});

describe('precedes: which conversation holds a phone several gave', () => {
  const h = (givenAt: number, pageId: string, customerId: string): PhoneHolder => ({ givenAt, pageId, customerId });

  it('the one that gave it first by event time, whichever page', () => {
    expect(precedes(h(100, 'zl', 'b'), h(200, 'fb', 'a'))).toBe(true);
    expect(precedes(h(200, 'fb', 'a'), h(100, 'zl', 'b'))).toBe(false);
  });

  it('at the same instant, the smaller page id, then the smaller customer id', () => {
    expect(precedes(h(100, 'fb', 'z'), h(100, 'zl', 'a'))).toBe(true);
    expect(precedes(h(100, 'fb', 'a'), h(100, 'fb', 'b'))).toBe(true);
    expect(precedes(h(100, 'fb', 'b'), h(100, 'fb', 'a'))).toBe(false);
  });

  it('compares ids by their UTF-8 bytes, as DynamoDB does in the claim’s condition', () => {
    // U+FF5E is 3 bytes (EF BD 9E), U+1F600 4 (F0 9F 98 80): UTF-16 code units would order them the other way
    expect(precedes(h(100, 'fb', '\uFF5E'), h(100, 'fb', '\u{1F600}'))).toBe(true);
  });

  it('is strict: a holder does not precede itself (a repeated claim changes nothing)', () => {
    expect(precedes(h(100, 'fb', 'a'), h(100, 'fb', 'a'))).toBe(false);
  });

  it('orders any set of givers the same way whatever order they are compared in', () => {
    const givers = [h(300, 'fb', 'a'), h(100, 'zl', 'c'), h(100, 'fb', 'd'), h(200, 'fb', 'b')];
    const earliest = (list: PhoneHolder[]) => list.reduce((best, g) => (precedes(g, best) ? g : best));
    expect(earliest(givers)).toEqual(h(100, 'fb', 'd'));
    expect(earliest([...givers].reverse())).toEqual(h(100, 'fb', 'd'));
  });
});
