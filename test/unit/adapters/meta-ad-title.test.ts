import { describe, expect, it } from 'vitest';
import { normalizeMeta } from '#lib/adapters/meta.ts';
import type { ShopContext } from '#lib/adapters/types.ts';
import { PAGE, makeMetaMessage } from '#test/support/fixtures/platforms.ts';

/**
 * The ad's title from a click-to-Messenger referral (Meta's documented
 * `referral.ads_context_data.ad_title`, messaging_referrals / messages
 * webhook reference) travels with the message as `adTitle`, so reports can
 * show a name where the ads account gave none.
 */
const shops = new Map<string, ShopContext>([[PAGE, { shopId: 'hoa-mai', automationAppIds: [] }]]);
const only = (payload: unknown) => {
  const r = normalizeMeta(payload, shops);
  expect(r.events).toHaveLength(1);
  return r.events[0]!.event;
};
const ad = {
  source: 'ADS',
  type: 'OPEN_THREAD',
  ad_id: '23850000000000001',
  ads_context_data: { ad_title: '  Áo khoác mùa đông – giảm 30%  ', photo_url: 'https://scontent.example/p.jpg', post_id: '123_456' },
};

describe('normalizeMeta: the ad title of a referral', () => {
  it('keeps ads_context_data.ad_title (trimmed) beside the ad id of a message', () => {
    expect(only(makeMetaMessage({ referral: ad }))).toMatchObject({ kind: 'message.received', adId: '23850000000000001', adTitle: 'Áo khoác mùa đông – giảm 30%' });
    expect(only(makeMetaMessage({ itemReferral: ad }))).toMatchObject({ adId: '23850000000000001', adTitle: 'Áo khoác mùa đông – giảm 30%' });
  });

  it('has no title without one, and never one without an ad', () => {
    const { ads_context_data: _none, ...bare } = ad;
    expect(only(makeMetaMessage({ referral: bare }))).not.toHaveProperty('adTitle');
    expect(only(makeMetaMessage({ referral: { ...ad, ads_context_data: { ad_title: '   ' } } }))).not.toHaveProperty('adTitle');
    expect(only(makeMetaMessage({ referral: { ...ad, source: 'SHORTLINK' } }))).not.toHaveProperty('adTitle');
  });

  it('cuts a title longer than the event schema allows', () => {
    const long = 'Đ'.repeat(300);
    expect((only(makeMetaMessage({ referral: { ...ad, ads_context_data: { ad_title: long } } })) as { adTitle?: string }).adTitle).toHaveLength(200);
  });
});
