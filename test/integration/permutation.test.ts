import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createTestTable } from '#test/support/table.ts';
import { makeShop } from '#test/support/factories.ts';
import { putShop } from '#lib/store/shops.ts';
import { recordBatch } from '#lib/ingest/record-batch.ts';
import { rulesOf } from '#lib/ingest/context.ts';
import { replayCells } from '#lib/ingest/replay.ts';
import { itemId } from '#lib/rollups/cells.ts';
import { getRollups } from '#lib/store/rollups.ts';
import { rebuildRollups } from '#lib/admin/rebuild.ts';
import type { CanonicalEvent } from '#lib/events/schema.ts';

const NOW = Date.parse('2026-11-25T12:00:00+07:00');
const BASE = Date.parse('2026-11-20T06:00:00+07:00');

/** A generated stream: customers on two pages messaging, commenting, being answered, ordering. */
const streamArb = fc
  .array(
    fc.record({
      kind: fc.constantFrom('m', 'c', 'r', 'a', 'o', 'x', 'd', 'j', 's', 'sp'),
      page: fc.constantFrom(0, 1),
      customer: fc.integer({ min: 0, max: 5 }),
      minutes: fc.integer({ min: 0, max: 3 * 24 * 60 }),
      staff: fc.constantFrom('lan', 'minh', undefined),
      amount: fc.integer({ min: 1, max: 50 }).map((n) => n * 10_000),
      order: fc.integer({ min: 0, max: 4 }),
    }),
    { minLength: 5, maxLength: 45 },
  )
  .map((specs) =>
    specs.map((s, i): CanonicalEvent => {
      const at = new Date(BASE + s.minutes * 60_000).toISOString();
      const pageId = s.page ? 'perm-ig' : 'perm-fb';
      const customerId = `c${s.customer}`;
      const id = `e${i}`;
      switch (s.kind) {
        case 'm':
          return { id, kind: 'message.received', at, pageId, customerId, ...(s.customer === 0 ? { adId: 'ad-1' } : {}) };
        case 'c':
          return { id, kind: 'comment.received', at, pageId, customerId };
        case 'r':
          return { id, kind: 'reply.sent', at, pageId, customerId, via: 'message', automated: false, ...(s.staff ? { staffId: s.staff } : {}) };
        case 'a':
          return { id, kind: 'reply.sent', at, pageId, customerId, via: 'comment', automated: true };
        case 'o':
          return { id, kind: 'order.created', at, orderId: `o${s.order}-${i}`, pageId, customerId, total: s.amount, cost: s.amount / 2, ...(s.staff ? { staffId: s.staff } : {}) };
        case 'x':
          return { id, kind: 'order.cancelled', at, orderId: `o${s.order}-${Math.max(0, i - 1)}` };
        case 'd':
          return { id, kind: 'order.delivered', at, orderId: `o${s.order}-${Math.max(0, i - 2)}` };
        case 'j':
          return { id, kind: 'referral.joined', at, pageId, customerId, code: `R${s.customer}`, ...(s.customer % 2 ? { referredBy: 'c0' } : {}) };
        case 's':
          return { id, kind: 'referral.shared', at, pageId, customerId };
        default:
          return { id, kind: 'ad.spend', at, adId: 'ad-1', campaignId: 'camp', amount: s.amount };
      }
    }),
  );

let run = 0;

/** Everything stored for a shop, keyed like the reference cells. */
async function stored(shopId: string): Promise<Map<string, Record<string, number>>> {
  const out = new Map<string, Record<string, number>>();
  for (const pageId of ['perm-fb', 'perm-ig', '_'].map((p) => (p === '_' ? p : `${shopId}-${p}`)))
    for (const scope of ['P', 'S', 'A'] as const)
      for (const [period, a, b] of [['D', '2026-11-01', '2026-11-30'], ['W', '2026-W40', '2026-W52'], ['M', '2026-10', '2026-12']] as const)
        for (const r of await getRollups(shopId, pageId, scope, period, a, b)) {
          const fields = Object.fromEntries(Object.entries(r.fields).filter(([, v]) => v !== 0));
          if (Object.keys(fields).length > 0) out.set(itemId({ pageId: r.pageId, scope, period, periodKey: r.periodKey, ...(r.entity !== undefined ? { entity: r.entity } : {}) }), fields);
        }
  return out;
}

describe('property: any permutation and duplication gives the reference rollups', () => {
  beforeAll(createTestTable);

  it('matches a replay of the de-duplicated stream, and a rebuild changes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(streamArb, fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.integer({ min: 1, max: 12 }), async (stream, seed, batchSize) => {
        const shopId = `perm${++run}`;
        const rename = (e: CanonicalEvent): CanonicalEvent => ('pageId' in e && e.pageId ? ({ ...e, pageId: `${shopId}-${e.pageId}` } as CanonicalEvent) : e);
        const events = stream.map(rename);
        const shop = makeShop(shopId, {
          pages: [
            { pageId: `${shopId}-perm-fb`, channel: 'facebook', name: 'fb' },
            { pageId: `${shopId}-perm-ig`, channel: 'instagram', name: 'ig' },
          ],
        });
        expect((await putShop(shop)).conflictPage).toBeUndefined();
        // shuffle with duplicates, deterministically from the seed
        let s = seed;
        const rnd = () => ((s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
        const delivered = [...events, ...events.filter(() => rnd() < 0.3)].sort(() => rnd() - 0.5);
        for (let i = 0; i < delivered.length; i += batchSize) await recordBatch(shopId, delivered.slice(i, i + batchSize), { now: NOW });

        const reference = new Map<string, Record<string, number>>();
        for (const [id, fields] of replayCells(rulesOf(shop), events)) {
          const f = Object.fromEntries([...fields].filter(([, v]) => v !== 0));
          if (Object.keys(f).length > 0) reference.set(id, f);
        }
        const got = await stored(shopId);
        expect(Object.fromEntries(got)).toEqual(Object.fromEntries(reference));

        await rebuildRollups({ shopId, from: '2026-11-18', to: '2026-11-24' }, NOW);
        expect(Object.fromEntries(await stored(shopId))).toEqual(Object.fromEntries(reference));
      }),
      { numRuns: 10 },
    );
  }, 400_000);
});
