import { beforeAll, describe, expect, it } from 'vitest';
import { createTestTable } from '#test/support/table.ts';
import { makeShop } from '#test/support/factories.ts';
import { putShop } from '#lib/store/shops.ts';
import { recordBatch } from '#lib/ingest/record-batch.ts';
import { buildReport } from '#lib/reports/build.ts';
import { reportQuerySchema } from '#lib/reports/query.ts';
import { rebuildRollups } from '#lib/admin/rebuild.ts';
import type { CanonicalEvent } from '#lib/events/schema.ts';
import type { AdsReport } from '#lib/reports/types.ts';

/**
 * Ads a seller recognises (SPEC §3 Ads): names from `ad.spend`, else the
 * title a referral carried; cost per conversation = spend / conversations
 * started; names survive a rebuild; rows with nothing to show are left out.
 */
const SHOP = 'adnames';
const FB = 'adnames-fb';
const NOW = Date.parse('2026-11-19T18:00:00+07:00');
const AD1 = '23850000000000001';
const AD2 = '23850000000000002';
const AD3 = '23850000000000003';
const shop = makeShop(SHOP, { pages: [{ pageId: FB, channel: 'facebook', name: 'Fanpage' }] });
const at = (d: string, hm: string) => `2026-11-${d}T${hm}:00+07:00`;

const events: CanonicalEvent[] = [
  // AD1: 3 conversations, spend 150 000 over two days, named by ad.spend (the later name wins), with its campaign's name
  { id: 'm1', kind: 'message.received', at: at('16', '09:00'), pageId: FB, customerId: 'A', adId: AD1, adTitle: 'Áo khoác – tiêu đề' },
  { id: 'm2', kind: 'message.received', at: at('16', '10:00'), pageId: FB, customerId: 'B', adId: AD1 },
  { id: 'm3', kind: 'message.received', at: at('17', '10:00'), pageId: FB, customerId: 'C', adId: AD1 },
  { id: 's1', kind: 'ad.spend', at: at('16', '12:00'), adId: AD1, campaignId: 'c1', adName: 'Áo khoác v1', campaignName: 'Tết 2027', amount: 100000 },
  { id: 's2', kind: 'ad.spend', at: at('17', '12:00'), adId: AD1, campaignId: 'c1', adName: 'Áo khoác – video 15s', campaignName: 'Tết 2027', amount: 50000 },
  // AD2: only a referral title, no spend name; one conversation, no spend
  { id: 'm4', kind: 'message.received', at: at('17', '11:00'), pageId: FB, customerId: 'D', adId: AD2, adTitle: 'Giày thể thao' },
  // AD3: nothing known but its id; spend 30 000 and no conversation → cost per conversation null
  { id: 's3', kind: 'ad.spend', at: at('17', '12:00'), adId: AD3, amount: 30000 },
];
const q = reportQuerySchema.parse({ from: '2026-11-16', to: '2026-11-17' });

describe('ad names and cost per conversation', () => {
  beforeAll(async () => {
    await createTestTable();
    await putShop(shop);
    // the later spend first: names are labels, the one of the later event wins whatever the arrival order
    await recordBatch(SHOP, [...events].reverse().slice(0, 3), { now: NOW });
    await recordBatch(SHOP, [...events].reverse().slice(3), { now: NOW });
  });

  it('names ads and campaigns, and prices a conversation', async () => {
    const r = (await buildReport('ads', shop, q, { now: NOW })) as AdsReport;
    const row = (id: string) => r.rows.find((x) => x.adId === id)!;
    // the spend's name wins over the referral's title; 150 000 / 3 conversations = 50 000
    expect(row(AD1)).toMatchObject({ adName: 'Áo khoác – video 15s', campaignId: 'c1', campaignName: 'Tết 2027', conversationsStarted: 3, spend: 150000, costPerConversation: 50000 });
    expect(row(AD2)).toMatchObject({ adName: 'Giày thể thao', campaignName: null, conversationsStarted: 1, spend: 0, costPerConversation: 0 });
    expect(row(AD3)).toMatchObject({ adName: null, conversationsStarted: 0, spend: 30000, costPerConversation: null });
    expect(r.campaigns).toEqual([expect.objectContaining({ campaignId: 'c1', campaignName: 'Tết 2027', spend: 150000, costPerConversation: 50000 })]);
  });

  it('keeps the names under a page filter (spend without a page lives on `_`)', async () => {
    const r = (await buildReport('ads', shop, reportQuerySchema.parse({ from: '2026-11-16', to: '2026-11-17', pageId: FB }), { now: NOW })) as AdsReport;
    expect(r.rows.find((x) => x.adId === AD1)).toMatchObject({ adName: 'Áo khoác – video 15s', campaignName: 'Tết 2027', spend: 0 });
    expect(r.rows.map((x) => x.adId)).not.toContain(AD3); // nothing of AD3 on this page: no all-zero row
  });

  it('a rebuild gives the same rows, names included', async () => {
    const before = (await buildReport('ads', shop, q, { now: NOW })) as AdsReport;
    await rebuildRollups({ shopId: SHOP, from: '2026-11-16', to: '2026-11-17' }, NOW);
    const after = (await buildReport('ads', shop, q, { now: NOW })) as AdsReport;
    expect(after.rows).toEqual(before.rows);
    expect(after.campaigns).toEqual(before.campaigns);
  });
});
