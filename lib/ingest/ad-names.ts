import type { CanonicalEvent, StoredEvent } from '#lib/events/schema.ts';

/**
 * Names a person recognises an ad by (SPEC §3 Ads: "a person never sees a
 * bare 17-digit ad id where a name is known"). They are labels, not
 * figures: kept as string attributes of the ad's rollup items, set by
 * ingest (lib/ingest/record-batch.ts) and by rebuild from the same events,
 * never counted. `adName` and `campaignName` come from `ad.spend` (the names
 * in the shop's ads account); `adTitle` from an ad referral's
 * `ads_context_data.ad_title` (the ad's headline), used when no `adName` is
 * known. When events disagree, the last one applied wins.
 */
export type AdNames = { adName?: string; campaignName?: string; adTitle?: string };

/** The ad an event names, with the names it carries (none for other events). */
export function adNamesOf(e: CanonicalEvent | StoredEvent): { adId: string; names: AdNames } | undefined {
  if (e.kind === 'ad.spend') {
    const names: AdNames = { ...(e.adName ? { adName: e.adName } : {}), ...(e.campaignName ? { campaignName: e.campaignName } : {}) };
    return Object.keys(names).length > 0 ? { adId: e.adId, names } : undefined;
  }
  if (e.kind === 'message.received' && e.adId && e.adTitle) return { adId: e.adId, names: { adTitle: e.adTitle } };
  return undefined;
}

/** Per ad id, the names of all these events (in event-time order, the later one winning). */
export function adNamesByAd(events: Array<CanonicalEvent | StoredEvent>): Map<string, AdNames> {
  const out = new Map<string, AdNames>();
  const sorted = [...events].sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (const e of sorted) {
    const n = adNamesOf(e);
    if (n) out.set(n.adId, { ...out.get(n.adId), ...n.names });
  }
  return out;
}
