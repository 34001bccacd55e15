import { beforeAll, describe, expect, it } from 'vitest';
import { createTestTable } from '#test/support/table.ts';
import { makeShop } from '#test/support/factories.ts';
import { makeHaravanOrder } from '#test/support/fixtures/haravan-orders.ts';
import { putShop } from '#lib/store/shops.ts';
import { getRollups } from '#lib/store/rollups.ts';
import { rulesOf } from '#lib/ingest/context.ts';
import { buildUnits, recordBatch } from '#lib/ingest/record-batch.ts';
import { commitUnits } from '#lib/store/ingest-store.ts';
import { normalizeOrder, scopeToShop } from '#lib/adapters/orders.ts';
import type { CanonicalEvent } from '#lib/events/schema.ts';

/**
 * Two bodies of one order applied at the same time (issue 21): the order's
 * state item is written with a condition on the version it was read at, in
 * the transaction that moves the rollups, so of two edits computed from the
 * same state only one commits; the other is re-read and, being older, changes
 * nothing. Staged for real on DynamoDB Local (no mocked fault is needed: the
 * interleaving is forced by computing a unit, committing another body, then
 * committing the unit), and raced with concurrent batches.
 */
const SHOP = 'edit-race';
const PAGE_A = 'race-page-a';
const PAGE_B = 'race-page-b';
const shop = makeShop(SHOP, { pages: [{ pageId: PAGE_A, channel: 'facebook', name: 'A' }, { pageId: PAGE_B, channel: 'facebook', name: 'B' }] });
const TODAY = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Ho_Chi_Minh' }).format(new Date(Date.now() - 2 * 3_600_000));
const CREATED = `${TODAY}T01:00:00.000Z`;

/** Version n of order `id`: total, page and staff as given (note attributes), updated n × 10 minutes after creation. */
function version(id: number, n: number, total: number, page: string, staff: string): CanonicalEvent[] {
  const body = makeHaravanOrder({
    id,
    notes: [
      { name: 'page_id', value: page },
      { name: 'customer_id', value: `c-${id}` },
      { name: 'staff_id', value: staff },
    ],
    created_at: CREATED,
    updated_at: new Date(Date.parse(CREATED) + n * 600_000).toISOString(),
    total_price: total,
  });
  return scopeToShop(normalizeOrder('haravan', 'orders/updated', body).events, shop);
}
const v1 = (id: number) => version(id, 1, 100_000, PAGE_A, 'lan');
const v2 = (id: number) => version(id, 2, 200_000, PAGE_A, 'minh');
const v3 = (id: number) => version(id, 3, 300_000, PAGE_B, 'lan');

/** The day's order figures of a page (zero fields dropped), page scope and per staff. */
async function day(page: string) {
  const clean = (f: Record<string, number>) => Object.fromEntries(Object.entries(f).filter(([, v]) => v !== 0));
  const [p] = await getRollups(SHOP, page, 'P', 'D', TODAY, TODAY);
  const staff = Object.fromEntries((await getRollups(SHOP, page, 'S', 'D', TODAY, TODAY)).map((s) => [s.entity, clean(s.fields)]).filter(([, f]) => Object.keys(f as object).length > 0));
  return { page: clean(p?.fields ?? {}), staff };
}

describe('two bodies of one order at once', () => {
  beforeAll(async () => {
    await createTestTable();
    await putShop(shop);
  });

  it('an edit computed from a state another body has since replaced is refused by the version condition, and then counts as stale', async () => {
    const id = 770_001;
    await recordBatch(SHOP, v1(id));
    // version 2 computed against version 1's state ...
    const stale = await buildUnits(rulesOf(shop), v2(id) as Parameters<typeof buildUnits>[1]);
    expect(stale.length).toBeGreaterThan(0);
    // ... while version 3 commits
    expect(await recordBatch(SHOP, v3(id))).toMatchObject({ applied: 1, duplicates: 0 });
    const out = await commitUnits(SHOP, stale, 30);
    expect(out.committed).toHaveLength(0);
    expect(out.conflicted).toHaveLength(stale.length);
    // redelivered, version 2 is older than the state: a duplicate, not an error
    expect(await recordBatch(SHOP, v2(id))).toEqual({ applied: 0, duplicates: 1, parked: 0, dropped: [] });
    expect(await day(PAGE_A)).toEqual({ page: {}, staff: {} });
    expect(await day(PAGE_B)).toEqual({
      page: { ordersCreated: 1, provisionalRevenueMinor: 300_000, revenueMinor: 300_000, funnelOrdered: 1 },
      staff: { lan: { ordersCreated: 1, revenueMinor: 300_000, customersOrdered: 1 } },
    });
  });

  it('versions 2 and 3 of six orders raced in concurrent batches (each twice) end as version 3 alone', async () => {
    const ids = [770_101, 770_102, 770_103, 770_104, 770_105, 770_106];
    for (const id of ids) await recordBatch(SHOP, v1(id));
    await Promise.all(ids.flatMap((id) => [recordBatch(SHOP, v2(id)), recordBatch(SHOP, v3(id)), recordBatch(SHOP, v3(id)), recordBatch(SHOP, v2(id))]));
    const n = ids.length + 1; // and the order of the first test
    expect(await day(PAGE_A)).toEqual({ page: {}, staff: {} });
    expect(await day(PAGE_B)).toEqual({
      page: { ordersCreated: n, provisionalRevenueMinor: n * 300_000, revenueMinor: n * 300_000, funnelOrdered: n },
      staff: { lan: { ordersCreated: n, revenueMinor: n * 300_000, customersOrdered: n } },
    });
  });
});
