import { describe, expect, it } from 'vitest';
import { extractVietnamesePhone } from '#lib/adapters/phone.ts';

describe('extractVietnamesePhone', () => {
  it.each([
    ['0912345678', '0912345678'],
    ['sđt: 0912 345 678', '0912345678'],
    ['0912.345.678 nha shop', '0912345678'],
    ['gọi 0387-654-321 giúp em', '0387654321'],
    ['+84 912 345 678', '0912345678'],
    ['+84912345678', '0912345678'],
    ['(+84) 912 345 678', '0912345678'],
    ['84912345678', '0912345678'],
    ['zalo 0868123456 ạ', '0868123456'],
    ['sdt 0708 123 456', '0708123456'],
    ['sđt:0523456789', '0523456789'],
    ['09 12 34 56 78', '0912345678'],
    ['giá 250k, sđt 0912345678, ship Q1', '0912345678'],
    ['em ở số 12, sđt 0987654321 và 0912345678', '0987654321'],
  ])('finds the number in %j', (text, expected) => {
    expect(extractVietnamesePhone(text)).toBe(expected);
  });

  it.each([
    ['giá 150000'],
    ['1.250.000đ'],
    ['150.000.000 đồng'],
    ['đơn #1002003004005'],
    ['mã đơn 20261120123'],
    ['mã 123456789'],
    ['0212345678'], // landline area code, not a mobile number
    ['0112345678'],
    ['091234567'], // 9 digits
    ['09123456789'], // 11 digits
    ['100912345678'], // inside a longer number
    ['Shop ơi còn áo size M không ạ?'],
    [''],
  ])('finds none in %j', (text) => {
    expect(extractVietnamesePhone(text)).toBeUndefined();
  });
});
