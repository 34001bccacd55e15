import { describe, expect, it } from 'vitest';
import { keys, openWaitShard, OPEN_WAIT_SHARDS, unpart } from '#lib/store/keys.ts';

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

  it('puts rollup shards 1.. in partitions of their own, shard 0 on the plain key, and cannot be forged by a page id', () => {
    expect(keys.rollup('s', 'p', 'P', 'D', '2026-11-23', undefined, 0)).toEqual({ PK: 'SHOP#s#ROLLUP#p', SK: 'PD#2026-11-23' });
    expect(keys.rollup('s', 'p', 'P', 'D', '2026-11-23', undefined, 3)).toEqual({ PK: 'SHOP#s#ROLLUP#p#3', SK: 'PD#2026-11-23' });
    // a page literally named "p#3" is escaped, so it never lands in shard 3 of page "p"
    expect(keys.rollupPartition('s', 'p#3')).toBe('SHOP#s#ROLLUP#p%233');
  });

  it('spreads open waits over index partitions by conversation, stably', () => {
    const w = keys.openWait('s', '2026-11-23T01:00:00.000Z', 'p', 'c1');
    const shard = openWaitShard('p', 'c1');
    expect(w.GSI1PK).toBe(shard === 0 ? 'WAIT#s' : `WAIT#s#${shard}`);
    expect(w.GSI1SK).toBe('2026-11-23T01:00:00.000Z#p#c1');
    expect(openWaitShard('p', 'c1')).toBe(shard);
    // 800 customers of one page land on every shard, none with more than twice its share
    const counts = new Array<number>(OPEN_WAIT_SHARDS).fill(0);
    for (let i = 0; i < 800; i++) counts[openWaitShard('p', `viewer-${i}`)]!++;
    expect(Math.min(...counts)).toBeGreaterThan(0);
    expect(Math.max(...counts)).toBeLessThanOrEqual((2 * 800) / OPEN_WAIT_SHARDS);
  });
});
