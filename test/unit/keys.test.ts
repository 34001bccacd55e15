import { describe, expect, it } from 'vitest';
import { keys, KeyTooLongError, mapKeyParts, mapPersonKeyParts, OPEN_WAIT_INDEX_ATTRIBUTES, openWaitShard, OPEN_WAIT_SHARDS, unpart } from '#lib/store/keys.ts';
import { TABLE, tableDefinition } from '#lib/store/table.ts';

describe('keys', () => {
  it("refuses a key past DynamoDB's limits (2,048 bytes partition, 1,024 sort, UTF-8) with a 400, and builds one just under", () => {
    const id = (bytes: number) => 'x'.repeat(bytes);
    // SHOP#s#ORDER# is 13 bytes
    expect(keys.order('s', id(2048 - 13)).PK).toHaveLength(2048);
    expect(() => keys.order('s', id(2048 - 12))).toThrow(KeyTooLongError);
    // escaping counts: 700 '#' become 2,100 bytes, after SHOP# 2,105
    expect(() => keys.shopConfig('#'.repeat(700))).toThrow('2105 bytes');
    // sort keys: 1,024 bytes; 'ồ' is 3 bytes in UTF-8
    expect(() => keys.rollup('s', 'p', 'S', 'D', '2026-11-23', 'ồ'.repeat(340))).toThrow(KeyTooLongError);
    expect(keys.rollup('s', 'p', 'S', 'D', '2026-11-23', 'ồ'.repeat(330)).SK).toBe(`SD#2026-11-23#${'ồ'.repeat(330)}`);
    expect(() => keys.rawPartition('s'.repeat(3000), 'p', '2026-11-23', 0)).toThrow(KeyTooLongError);
    expect(new KeyTooLongError('partition', 2100, 2048).status).toBe(400);
  });

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

  it('keys digest suppressions under the shop, one per lower-cased address, escaped', () => {
    expect(keys.suppression('s#1', 'Bounce@Shop.vn')).toEqual({ PK: 'SHOP#s%231#SUPPRESS', SK: 'EMAIL#bounce@shop.vn' });
    expect(keys.suppressionPartition('s#1')).toBe('SHOP#s%231#SUPPRESS');
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
    expect(w.WAITPK).toBe(shard === 0 ? 'WAIT#s' : `WAIT#s#${shard}`);
    expect(w.WAITSK).toBe('2026-11-23T01:00:00.000Z#p#c1');
    expect(openWaitShard('p', 'c1')).toBe(shard);
    // 800 customers of one page land on every shard, none with more than twice its share
    const counts = new Array<number>(OPEN_WAIT_SHARDS).fill(0);
    for (let i = 0; i < 800; i++) counts[openWaitShard('p', `viewer-${i}`)]!++;
    expect(Math.min(...counts)).toBeGreaterThan(0);
    expect(Math.max(...counts)).toBeLessThanOrEqual((2 * 800) / OPEN_WAIT_SHARDS);
  });

  it('keys a rejected event by shop and event id (one item per id) and lists it by time in the shop’s index partition', () => {
    expect(keys.rejectedEvent('hoa-mai', 'haravan:1001#x')).toEqual({ PK: 'SHOP#hoa-mai#REJECTED#haravan:1001%23x', SK: 'REJECTED' });
    expect(keys.rejectedEventIndex('hoa-mai', '2026-12-01T02:00:00.000Z', 'meta:m_1')).toEqual({ GSI1PK: 'REJECTED#hoa-mai', GSI1SK: '2026-12-01T02:00:00.000Z#meta:m_1' });
    // a shop named like another shop's partition cannot reach it
    expect(keys.rejectedEventPartition('a#b')).toBe('REJECTED#a%23b');
  });
});

describe('shopOwnership: every key of shop data is found by deletion and erasure', () => {
  const own = keys.shopOwnership('s-1');
  /** Owned by shop s-1 by the rules deletion scans with (written out here, not taken from the code under test's filter). */
  const owned = (k: { PK?: string; SK?: string; GSI1PK?: string }, attrs: Record<string, unknown> = {}) =>
    k.PK === own.partition ||
    own.partitionPrefixes.some((p) => k.PK?.startsWith(p)) ||
    (k.PK === own.directoryEntry.PK && k.SK === own.directoryEntry.SK) ||
    (k.PK?.startsWith(own.apiKeyPrefix) === true && attrs.GSI1PK === own.apiKeyIndexPartition) ||
    (k.PK?.startsWith(own.pageRefPrefix) === true && attrs.shopId === 's-1');

  // How each key function is classified. A new key function must be added here: shop data under the shop's
  // prefixes (deletion finds it), or global data with the reason it holds nothing of one shop.
  const shopData: Record<string, () => { PK?: string; SK?: string; GSI1PK?: string }> = {
    shopConfig: () => keys.shopConfig('s-1'),
    shopDirectory: () => keys.shopDirectory('s-1'),
    pageState: () => keys.pageState('s-1', 'p'),
    customer: () => keys.customer('s-1', 'p', 'c'),
    order: () => keys.order('s-1', 'o'),
    commentLink: () => keys.commentLink('s-1', 'cm'),
    orderWebhookSecret: () => keys.orderWebhookSecret('s-1', 'haravan'),
    productCost: () => keys.productCost('s-1', 'sku', 'x'),
    phone: () => keys.phone('s-1', '0912345678'),
    spend: () => keys.spend('s-1', 'ad', '2026-11-01'),
    raw: () => keys.raw('s-1', 'p', '2026-11-01', 0, 'abc'),
    rollup: () => keys.rollup('s-1', 'p', 'P', 'D', '2026-11-01', undefined, 2),
    digestLedger: () => keys.digestLedger('s-1', 'daily', '2026-11-01', 'a@b.vn'),
    suppression: () => keys.suppression('s-1', 'a@b.vn'),
    suppressionPartition: () => ({ PK: keys.suppressionPartition('s-1') }),
    productCostPartition: () => ({ PK: keys.productCostPartition('s-1') }),
    rawPartition: () => ({ PK: keys.rawPartition('s-1', 'p', '2026-11-01', 1) }),
    rollupPartition: () => ({ PK: keys.rollupPartition('s-1', 'p', 3) }),
    rejectedEvent: () => keys.rejectedEvent('s-1', 'haravan:1'),
    alertMarker: () => keys.alertMarker('s-1', 'p', 'c', '2026-11-23T01:00:00.000Z', 'breach'),
    alertGroup: () => keys.alertGroup('s-1', '2026-11-23T01:00:00.000Z', 'warning#0'),
    alertGroupPartition: () => ({ PK: keys.alertGroupPartition('s-1') }),
    reportLinkGeneration: () => keys.reportLinkGeneration('s-1'),
  };
  const special: Record<string, string> = {
    apiKey: 'keyed by the hash; owned through GSI1PK (checked below)',
    apiKeyIndex: 'GSI attributes of an API key item',
    apiKeyIndexPartition: 'GSI partition name',
    pageRef: 'keyed by page; owned through its shopId attribute (checked below)',
    openWait: 'GSI attributes of a customer item',
    openWaitPartition: 'GSI partition name',
    pageStatePrefix: 'a sort key prefix',
    rollupSortPrefix: 'a sort key prefix',
    shopDirectoryPartition: 'the shared directory partition (entries checked as shopDirectory)',
    lifecycleJob: 'the deletion job itself: must survive the deletion (expires by TTL)',
    openJobsPartition: 'the shared list of open lifecycle jobs',
    openJob: 'an open job of that list: must survive the deletion it carries on',
    shopOwnership: 'these rules',
    phoneOfKey: 'reads a key, builds none',
    rejectedEventIndex: 'GSI attributes of a rejected event item',
    rejectedEventPartition: 'GSI partition name',
    alertGroupPrefix: 'a sort key prefix',
    rateCounter: "a shop's request count of one second: no personal data, expires by TTL two minutes later",
  };

  it('classifies every key function (add a new one to one of the lists above)', () => {
    const unclassified = Object.keys(keys).filter((k) => !(k in shopData) && !(k in special));
    expect(unclassified, 'key functions deletion would not know about').toEqual([]);
  });

  it.each(Object.entries(shopData))('%s of shop s-1 is owned by s-1 and by no other shop', (_name, make) => {
    const k = make();
    expect(owned(k)).toBe(true);
    const other = keys.shopOwnership('s');
    // shop "s" is a prefix of "s-1" as a string: its rules must not reach s-1's items
    expect(k.PK === other.partition || other.partitionPrefixes.some((p) => k.PK?.startsWith(p))).toBe(false);
  });

  it('owns its API keys and page references through their attributes, and not the job record', () => {
    expect(owned(keys.apiKey('h'), keys.apiKeyIndex('s-1', 'k'))).toBe(true);
    expect(owned(keys.apiKey('h'), keys.apiKeyIndex('s-2', 'k'))).toBe(false);
    expect(owned(keys.pageRef('p'), { shopId: 's-1' })).toBe(true);
    expect(owned(keys.pageRef('p'), { shopId: 's-2' })).toBe(false);
    expect(owned(keys.lifecycleJob('del-s-1'))).toBe(false);
    expect(owned(keys.openJob('delete-s-1'))).toBe(false);
  });

  it('mapPersonKeyParts touches only the customer id and phone parts, never fixed parts', () => {
    const f = (id: string) => ({ 'c#1': 'x', STATE: 'BAD', '0912000111': 'p', '2': 'BAD', 'p': 'BAD' })[id] ?? id;
    expect(mapPersonKeyParts('PK', keys.customer('s', 'p', 'c#1').PK, f)).toBe(keys.customer('s', 'p', 'x').PK);
    expect(mapPersonKeyParts('SK', keys.customer('s', 'p', 'c#1').SK, f)).toBe('STATE');
    expect(mapPersonKeyParts('PK', keys.phone('s', '0912000111').PK, f)).toBe(keys.phone('s', 'p').PK);
    expect(mapPersonKeyParts('PK', keys.rawPartition('s', 'p', '2026-11-01', 2), f)).toBe(keys.rawPartition('s', 'p', '2026-11-01', 2));
    // an alert marker names the customer after CUST, like the conversation: erasure rewrites it there and nowhere else
    expect(mapPersonKeyParts('PK', keys.alertMarker('s', 'p', 'c#1', '2026-11-23T01:00:00.000Z', 'warning').PK, f)).toBe('ALERT#s#WAIT#p#CUST#x#2026-11-23T01:00:00.000Z');
    const wait = keys.openWait('s', '2026-11-23T01:00:00.000Z', 'p', 'c#1');
    expect(mapPersonKeyParts('WAITSK', wait.WAITSK, f)).toBe(keys.openWait('s', '2026-11-23T01:00:00.000Z', 'p', 'x').WAITSK);
    expect(mapPersonKeyParts('WAITPK', wait.WAITPK, f)).toBe(wait.WAITPK);
    // an open wait written before the open-waits index, under GSI1
    expect(mapPersonKeyParts('GSI1SK', wait.WAITSK, f)).toBe(keys.openWait('s', '2026-11-23T01:00:00.000Z', 'p', 'x').WAITSK);
  });

  it('the open-waits index projects only attributes that stay put while a wait is open', () => {
    // hand-listed: what the readers use (conversation, channel, since when, who replied last); the
    // timeline (ev), the version (v) and the rest change with every message, and projecting any of
    // them would make DynamoDB write the index entry on every state write again
    expect([...OPEN_WAIT_INDEX_ATTRIBUTES].sort()).toEqual(['channel', 'customerId', 'lastReplyBy', 'pageId', 'waitOpenedAt']);
    const gsi = tableDefinition('t').GlobalSecondaryIndexes.find((g) => g.IndexName === TABLE.openWaits.name)!;
    expect(gsi.Projection).toEqual({ ProjectionType: 'INCLUDE', NonKeyAttributes: [...OPEN_WAIT_INDEX_ATTRIBUTES] });
    expect(gsi.KeySchema.map((k) => k.AttributeName)).toEqual(Object.keys(keys.openWait('s', '2026-11-23T01:00:00.000Z', 'p', 'c')));
  });

  it('mapKeyParts rewrites whole escaped parts only', () => {
    expect(mapKeyParts('SHOP#s#PAGE#p#CUST#c%231', (id) => (id === 'c#1' ? 'x#y' : id))).toBe('SHOP#s#PAGE#p#CUST#x%23y');
    expect(mapKeyParts('SHOP#s#PAGE#p#CUST#c-10', (id) => (id === 'c-1' ? 'x' : id))).toBe('SHOP#s#PAGE#p#CUST#c-10');
  });
});
