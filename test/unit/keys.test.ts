import { describe, expect, it } from 'vitest';
import { keys, unpart } from '#lib/store/keys.ts';

describe('keys', () => {
  it('prefixes entities and escapes # in ids so one id cannot forge another key', () => {
    expect(keys.customer('shop1', 'p#1', 'c1')).toEqual({ PK: 'SHOP#shop1#PAGE#p%231#CUST#c1', SK: 'STATE' });
    expect(keys.rollup('s', 'p', 'S', 'D', '2026-11-23', 'staff#x')).toEqual({
      PK: 'SHOP#s#ROLLUP#p',
      SK: 'SD#2026-11-23#staff%23x',
    });
    expect(unpart('staff%23x%25y')).toBe('staff#x%y');
  });

  it('keys the digest ledger per shop, period, period key and lower-cased recipient', () => {
    expect(keys.digestLedger('s', 'daily', '2026-11-22', 'Owner@Shop.vn')).toEqual({
      PK: 'DIGEST#s#daily#2026-11-22#owner@shop.vn',
      SK: 'LEDGER',
    });
  });

  it('keeps order webhook secrets out of every shop partition, and keys product costs by SKU or variant', () => {
    expect(keys.orderWebhookSecret('hoa-mai', 'sapo')).toEqual({ PK: 'ORDERHOOK#hoa-mai#sapo', SK: 'SECRET' });
    expect(keys.productCost('hoa-mai', 'sku', 'AO#M')).toEqual({ PK: 'SHOP#hoa-mai#COST', SK: 'SKU#AO%23M' });
    expect(keys.productCost('hoa-mai', 'variant', '1234567890123456789')).toEqual({ PK: 'SHOP#hoa-mai#COST', SK: 'VAR#1234567890123456789' });
  });
});
