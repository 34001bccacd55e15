import type { CanonicalEvent, ConversationEvent, EventOf, OrderEvent, ResolvedEvent, StoredEvent } from '#lib/events/schema.ts';
import { CONVERSATION_KINDS, isConversationEvent, isOrderEvent } from '#lib/events/schema.ts';
import { config } from '#lib/config.ts';
import { diffCells, itemId, mergeCells, PERIODS, periodsOf, type Cells } from '#lib/rollups/cells.ts';
import { adNamesByAd, adNamesOf } from '#lib/ingest/ad-names.ts';
import { localDate } from '#lib/time/zone.ts';
import { rulesOf, NO_PAGE, type ShopRules } from '#lib/ingest/context.ts';
import { applyConversationEvents, deriveCustomer, openWait, pruneCustomer, type CustomerState } from '#lib/ingest/customer.ts';
import { applyOrderEvent, deriveOrder, noteVersionOf, orderLinkOf, orderVersionOf, relinkOrder, type OrderLinkage, type OrderState } from '#lib/ingest/order.ts';
import { applySpendEvent, deriveSpend, type SpendState } from '#lib/ingest/spend.ts';
import { applyPageEvent, type PageState } from '#lib/ingest/page.ts';
import { joinCommentReplies } from '#lib/ingest/comment-join.ts';
import { joinPhones, needsPhoneLink } from '#lib/ingest/phone-join.ts';
import { getShop } from '#lib/store/shops.ts';
import { keys } from '#lib/store/keys.ts';
import {
  customerFromItem,
  customerToItem,
  orderFromItem,
  orderToItem,
  pageFromItem,
  pageToItem,
  spendFromItem,
  spendToItem,
} from '#lib/store/state-items.ts';
import { batchGet, keyId } from '#lib/store/batch.ts';
import { precedes, type PhoneHolder } from '#lib/ingest/phone.ts';
import type { PhoneLink } from '#lib/queue/queue.ts';
import { recordRejectedEvents, type RejectedReason } from '#lib/store/rejected-events.ts';
import { scheduleWaitTimers } from '#lib/alerts/timers.ts';
import { commitUnits, MAX_TRANSACT_ITEMS, transactionItemCount, type Unit } from '#lib/store/ingest-store.ts';

/**
 * The ingest use case: applies a batch of canonical events of one shop
 * exactly once. First the joins between events are made, in state, through
 * an item both sides write (a comment reply and its comment:
 * comment-join.ts; an order and the phone its customer gave: phone-join.ts),
 * so that they hold whatever arrives first. Then events are grouped by the
 * state items they change; every group's new state, rollup deltas and raw
 * events are committed atomically with a version condition on the state,
 * and a group that lost a race is re-read and recomputed. Redelivering any
 * event, in any order, any number of times, moves no figure twice.
 */

export type Dropped = { id: string; reason: 'unknown_shop' | 'unknown_page' | 'too_late' | 'in_future' };
/** `parked`: comment replies waiting for their comment (applied when it arrives). */
export type BatchOutcome = { applied: number; duplicates: number; parked: number; dropped: Dropped[] };

const MAX_ATTEMPTS = 10;
/** Clock skew tolerated between producers and us; later events are dropped. */
export const FUTURE_TOLERANCE_MS = 24 * 3_600_000;

export async function recordBatch(shopId: string, events: CanonicalEvent[], opts: { now?: number; phones?: PhoneLink[] } = {}): Promise<BatchOutcome> {
  const now = opts.now ?? Date.now();
  const shop = await getShop(shopId);
  if (!shop) return { applied: 0, duplicates: 0, parked: 0, dropped: events.map((e) => ({ id: e.id, reason: 'unknown_shop' })) };
  const rules = rulesOf(shop);
  const dropped: Dropped[] = [];
  const seen = new Set<string>();
  let duplicates = 0;
  const lateLimit = now - config().LATE_EVENT_DAYS * 86_400_000;
  const timeRefusal = (t: number): Dropped['reason'] | undefined => (t < lateLimit ? 'too_late' : t > now + FUTURE_TOLERANCE_MS ? 'in_future' : undefined);
  const refusal = (e: CanonicalEvent): Dropped['reason'] | undefined => {
    const late = timeRefusal(Date.parse(e.at));
    if (late) return late;
    if (((CONVERSATION_KINDS as readonly string[]).includes(e.kind) || e.kind.startsWith('page.')) && !rules.pageChannels.has((e as { pageId: string }).pageId))
      return 'unknown_page';
    return undefined;
  };
  const accepted: CanonicalEvent[] = [];
  // another copy of an order event already in this batch (an edited order sent twice, or a transition seen by two
  // bodies) is applied in a round of its own after this one, as if it came in a later delivery: state keeps the
  // newer version (lib/ingest/order.ts), so the result does not depend on which copy came first
  const copies: CanonicalEvent[] = [];
  const firstCopy = new Map<string, string>();
  for (const e of events) {
    if (seen.has(e.id)) {
      const text = JSON.stringify(e);
      if (isOrderEvent(e) && firstCopy.get(e.id) !== text && !copies.some((c) => c.id === e.id && JSON.stringify(c) === text)) copies.push(e);
      else duplicates++;
      continue;
    }
    if (isOrderEvent(e)) firstCopy.set(e.id, JSON.stringify(e));
    seen.add(e.id);
    const reason = refusal(e);
    if (reason) dropped.push({ id: e.id, reason });
    else accepted.push(e);
  }
  // listed for the shop's managers (SPEC §4.1 rejected-events) before anything is committed; a redelivery lists them again, once per id
  const refused = new Map(events.map((e) => [e.id, e]));
  await recordRejectedEvents(
    shopId,
    dropped.map((d) => ({ eventId: d.id, reason: d.reason as RejectedReason, source: sourceOfId(d.id), at: refused.get(d.id)!.at })),
    now,
  );
  const admit = (e: CanonicalEvent) => !seen.has(e.id) && refusal(e) === undefined;
  const { events: resolved, parked } = await joinCommentReplies(shopId, accepted, admit);
  // phones submitted without an event (Zalo forms) follow the events' rules; one queued without its time counts as given now
  const forms = (opts.phones ?? [])
    .map((p) => ({ pageId: p.pageId, customerId: p.customerId, phone: p.phone, givenAt: p.at ? Date.parse(p.at) : now }))
    .filter((p) => rules.pageChannels.has(p.pageId) && Number.isFinite(p.givenAt) && timeRefusal(p.givenAt) === undefined);
  const joined = await joinPhones(rules, resolved, forms, admit, lateLimit, config().PERSONAL_DATA_DAYS);
  let remaining: ResolvedEvent[] = joined.events;
  const total = remaining.length;
  let applied = 0;
  let conflicts = 0;
  while (remaining.length > 0) {
    if (conflicts >= MAX_ATTEMPTS) throw new Error(`ingest: ${remaining.length} events still conflicting after ${MAX_ATTEMPTS} attempts`);
    const { units, deferred } = await fittingUnits(rules, remaining, now, joined.holders);
    // alert timers before the commit (lib/alerts/timers.ts): one for a wait that then did not open finds it closed and sends nothing
    await scheduleWaitTimers(shop, units.flatMap((u) => u.waitsOpened ?? []), now);
    const outcome = await commitUnits(shopId, units, config().RAW_EVENT_TTL_DAYS, config().PERSONAL_DATA_DAYS);
    for (const u of outcome.committed) applied += u.eventIds.length;
    const retry = new Set(outcome.conflicted.flatMap((u) => u.eventIds));
    remaining = [...remaining.filter((e) => retry.has(e.id)), ...deferred];
    if (outcome.conflicted.length > 0) {
      conflicts++;
      await new Promise((r) => setTimeout(r, Math.min(1000, 2 ** conflicts * 10) * Math.random()));
    }
  }
  const outcome: BatchOutcome = { applied, duplicates: duplicates + (total - applied), parked, dropped };
  if (copies.length === 0) return outcome;
  const later = await recordBatch(shopId, copies, { now });
  return { applied: applied + later.applied, duplicates: outcome.duplicates + later.duplicates, parked: parked + later.parked, dropped: [...dropped, ...later.dropped] };
}

/** The producer an event id names (adapters prefix theirs); anything else came through `POST /v1/events`. */
const sourceOfId = (id: string) => /^(meta|zalo|haravan|sapo|shopify):/.exec(id)?.[1] ?? 'api';

/**
 * The units of these events, each small enough for one transaction: when a
 * unit is too large (a conversation with many orders in one delivery, a phone
 * given late that takes over many orders), the later half of its events is
 * deferred to the next round, until every unit fits. State is derived, so
 * applying a group's events over several transactions changes no figure.
 */
async function fittingUnits(rules: ShopRules, events: ResolvedEvent[], now: number, holders: Map<string, PhoneHolder>): Promise<{ units: Unit[]; deferred: ResolvedEvent[] }> {
  let current = events;
  const deferred: ResolvedEvent[] = [];
  for (;;) {
    const units = await buildUnits(rules, current, now, holders);
    const later = new Set(units.filter((u) => transactionItemCount(u) > MAX_TRANSACT_ITEMS).flatMap((u) => u.eventIds.slice(Math.ceil(u.eventIds.length / 2))));
    if (later.size === 0) {
      if (units.some((u) => transactionItemCount(u) > MAX_TRANSACT_ITEMS)) throw new Error('ingest: one event changes more items than a transaction holds');
      return { units, deferred };
    }
    deferred.push(...current.filter((e) => later.has(e.id)));
    current = current.filter((e) => !later.has(e.id));
  }
}

type Link = { pageId: string; customerId: string };
const custKey = (l: Link) => `${l.pageId}\u0000${l.customerId}`;
/**
 * A created order moving to the conversation that holds its phone now, and the order.created to store again with
 * that link; or (`note`) to the conversation a newer body names in its note attributes (that body links it).
 */
type Relink = { from?: Link; to: PhoneHolder; created: EventOf<'order.created'>; note?: true };

/** The order.created names a conversation of the shop in its note attributes. */
const namesConversation = (e: EventOf<'order.created'>, rules: ShopRules) => Boolean(e.pageId && e.customerId && rules.pageChannels.has(e.pageId));
/** The body is newer than the one that named the order's conversation (or none did). */
const newerNote = (e: EventOf<'order.created'>, o: OrderState) => {
  const noted = noteVersionOf(o);
  return noted === undefined || orderVersionOf(e) > noted;
};

/**
 * Reads the state items the events touch and computes each unit's writes.
 * `holders`: per order id, the conversation holding the order's phone
 * (lib/ingest/phone-join.ts); an order that names no conversation links to
 * it when created, and a created one linked by phone moves to it when it
 * gave the phone earlier than the conversation the order is linked to.
 */
export async function buildUnits(rules: ShopRules, events: ResolvedEvent[], now = Date.now(), holders: Map<string, PhoneHolder> = new Map()): Promise<Unit[]> {
  const shopId = rules.shopId;
  // no accepted event can fall on this local day or before (late events are refused)
  const pruneHorizon = localDate(now - (config().LATE_EVENT_DAYS + 2) * 86_400_000, rules.tz);
  const conv = new Map<string, ConversationEvent[]>();
  const orders = new Map<string, OrderEvent[]>();
  const spends = new Map<string, EventOf<'ad.spend'>[]>();
  const pages = new Map<string, EventOf<'page.connected' | 'page.disconnected'>[]>();
  const push = <T>(m: Map<string, T[]>, k: string, v: T) => {
    const list = m.get(k);
    if (list) list.push(v);
    else m.set(k, [v]);
  };
  for (const e of events) {
    if (isConversationEvent(e)) push(conv, custKey(e), e);
    else if (isOrderEvent(e)) push(orders, e.orderId, e);
    else if (e.kind === 'ad.spend') push(spends, `${e.adId}\u0000${localDate(Date.parse(e.at), rules.tz)}`, e);
    else push(pages, e.pageId, e);
  }

  // Orders first: a new order links to a conversation by note attributes or by phone; a created
  // order linked by phone (or not at all) moves to the conversation that gave its phone first.
  const orderItems = await batchGet([...orders.keys()].map((id) => keys.order(shopId, id)));
  const orderStates = new Map<string, OrderState>();
  for (const id of orders.keys()) orderStates.set(id, orderFromItem(shopId, id, orderItems.get(keyId(keys.order(shopId, id)))));
  const orderLinks = new Map<string, (Link & { phoneGivenAt?: number }) | undefined>();
  const relinks = new Map<string, Relink>();
  for (const [id, evs] of orders) {
    const state = orderStates.get(id)!;
    const current: Link | undefined = state.pageId && state.customerId ? { pageId: state.pageId, customerId: state.customerId } : undefined;
    let link: (Link & { phoneGivenAt?: number }) | undefined = current;
    const created = evs.find((e): e is EventOf<'order.created'> => e.kind === 'order.created');
    const holder = holders.get(id);
    if (created && state.createdAt === undefined) {
      if (created.pageId && created.customerId && rules.pageChannels.has(created.pageId)) link = { pageId: created.pageId, customerId: created.customerId };
      else if (holder) link = { pageId: holder.pageId, customerId: holder.customerId, phoneGivenAt: holder.givenAt };
    } else if (created && state.createdAt !== undefined && namesConversation(created, rules) && newerNote(created, state)) {
      // the newest body that names a conversation in its note attributes decides where the order belongs (an edit moved it)
      const named = { pageId: created.pageId!, customerId: created.customerId! };
      if (!current || custKey(current) !== custKey(named)) {
        link = named;
        relinks.set(id, { ...(current ? { from: current } : {}), to: { ...named, givenAt: 0 }, created, note: true });
      }
    } else if (created && holder && state.createdAt !== undefined && state.linkedBy !== 'note_attributes' && needsPhoneLink(created, rules)) {
      // orders linked before the reason was recorded, or by a phone item of before this rule, count as given at 0: they stay
      const moves = !current || (custKey(current) !== custKey(holder) && precedes(holder, { ...current, givenAt: state.phoneGivenAt ?? 0 }));
      if (moves) {
        link = { pageId: holder.pageId, customerId: holder.customerId };
        relinks.set(id, { ...(current ? { from: current } : {}), to: holder, created });
      }
    }
    orderLinks.set(id, link);
  }

  // Conversations an order moves between change in one transaction: one unit per connected group.
  const customerKeys = new Map<string, Link>();
  for (const evs of conv.values()) customerKeys.set(custKey(evs[0]!), { pageId: evs[0]!.pageId, customerId: evs[0]!.customerId });
  for (const l of orderLinks.values()) if (l) customerKeys.set(custKey(l), { pageId: l.pageId, customerId: l.customerId });
  for (const r of relinks.values()) if (r.from) customerKeys.set(custKey(r.from), r.from);
  const custItems = await batchGet([...customerKeys.values()].map((l) => keys.customer(shopId, l.pageId, l.customerId)));
  const parent = new Map<string, string>();
  const root = (k: string): string => {
    const p = parent.get(k);
    if (p === undefined || p === k) return k;
    const r = root(p);
    parent.set(k, r);
    return r;
  };
  for (const r of relinks.values()) if (r.from && root(custKey(r.from)) !== root(custKey(r.to))) parent.set(root(custKey(r.from)), root(custKey(r.to)));
  const groups = new Map<string, string[]>();
  for (const ck of customerKeys.keys()) push(groups, root(ck), ck);

  const units: Unit[] = [];
  const ordersByCustomer = new Map<string, string[]>();
  for (const [id, l] of orderLinks) if (l) push(ordersByCustomer, custKey(l), id);
  const ordersLeaving = new Map<string, string[]>();
  for (const [id, r] of relinks) if (r.from) push(ordersLeaving, custKey(r.from), id);

  const newUnit = (): Unit => ({ owners: [], cells: new Map(), attrs: new Map(), raw: [], eventIds: [] });
  const addRaw = (u: Unit, pageId: string, e: StoredEvent) => {
    const day = localDate(Date.parse(e.at), rules.tz);
    let g = u.raw.find((r) => r.pageId === pageId && r.day === day);
    if (!g) u.raw.push((g = { pageId, day, events: [] }));
    g.events.push(e);
    u.eventIds.push(e.id);
  };

  /** Applies an order's events; returns its delta and the applied events (with the resolved link recorded). */
  const runOrder = (u: Unit, id: string) => {
    const before = orderStates.get(id)!;
    let after = before;
    const link = orderLinks.get(id);
    const relink = relinks.get(id);
    if (relink && !relink.note) {
      // stored again with its new link: rebuild replays the copy linked to the earliest giver
      after = relinkOrder(after, relink.to);
      addRaw(u, relink.to.pageId, { ...relink.created, pageId: relink.to.pageId, customerId: relink.to.customerId, phoneGivenAt: relink.to.givenAt });
    }
    for (const e of orders.get(id)!) {
      let linkage: OrderLinkage = {};
      let stored: StoredEvent = e;
      if (e.kind === 'order.created') {
        // the conversation (page, customer) is resolved here and stored with the raw event (with when its phone was
        // given, or that the body named it); the ad is not: the conversation derives it, whenever its referral arrives
        const same = link !== undefined && after.pageId === link.pageId && after.customerId === link.customerId;
        const givenAt = link?.phoneGivenAt ?? (same && after.linkedBy === 'phone' ? after.phoneGivenAt : undefined);
        linkage = {
          ...(link ? { pageId: link.pageId, customerId: link.customerId } : e.pageId && rules.pageChannels.has(e.pageId) ? { pageId: e.pageId } : {}),
          ...(givenAt !== undefined ? { phoneGivenAt: givenAt } : {}),
          ...(e.adId ? { adId: e.adId } : {}),
        };
        const named = link !== undefined && e.pageId === link.pageId && e.customerId === link.customerId;
        stored = { ...e, ...linkage, ...(named ? { noteLink: true as const } : {}) };
      }
      const next = applyOrderEvent(after, e, rules, linkage);
      // seen before, an older version, or a transition already known as early: a duplicate
      if (next === after) continue;
      after = next;
      addRaw(u, after.pageId ?? NO_PAGE, stored);
    }
    if (after === before) return undefined;
    mergeCells(u.cells, diffCells(deriveOrder(after, rules), deriveOrder(before, rules)));
    u.owners.push({ item: orderToItem(after), readVersion: before.v });
    return after;
  };

  for (const members of groups.values()) {
    const u = newUnit();
    for (const ck of members) {
      const link = customerKeys.get(ck)!;
      const before = customerFromItem(shopId, link.pageId, link.customerId, custItems.get(keyId(keys.customer(shopId, link.pageId, link.customerId))));
      const { state: withConv, applied } = applyConversationEvents(before, conv.get(ck) ?? []);
      for (const e of applied) addRaw(u, link.pageId, e);
      // the ad's title from a referral labels the ad's items of that message's periods (a label, not a figure)
      for (const e of applied) {
        const named = adNamesOf(e);
        if (!named) continue;
        const p = periodsOf(Date.parse(e.at), rules.tz);
        for (const period of PERIODS) {
          const ref = itemId({ pageId: link.pageId, scope: 'A', period, periodKey: p[period], entity: named.adId });
          u.attrs.set(ref, { ...u.attrs.get(ref), ...named.names });
        }
      }
      let after: CustomerState = withConv;
      let changed = applied.length > 0;
      for (const orderId of ordersLeaving.get(ck) ?? []) {
        const rest = { ...after.orders };
        delete rest[orderId];
        after = { ...after, orders: rest };
        changed = true;
      }
      for (const orderId of ordersByCustomer.get(ck) ?? []) {
        const o = runOrder(u, orderId);
        if (!o) continue;
        changed = true;
        const ol = orderLinkOf(o);
        if (ol) after = { ...after, orders: { ...after.orders, [orderId]: ol } };
      }
      if (!changed) continue;
      mergeCells(u.cells, diffCells(deriveCustomer(after, rules), deriveCustomer(before, rules)));
      const kept = pruneCustomer(after, pruneHorizon, rules);
      const opened = openWait(kept);
      if (opened !== undefined && opened !== openWait(before)) (u.waitsOpened ??= []).push({ pageId: link.pageId, customerId: link.customerId, openedAt: opened });
      u.owners.push({ item: customerToItem(kept, rules.pageChannels.get(link.pageId) ?? 'unknown'), readVersion: before.v });
    }
    if (u.owners.length > 0) units.push(u);
  }
  for (const [id, l] of orderLinks) {
    if (l) continue;
    const u = newUnit();
    runOrder(u, id);
    if (u.eventIds.length > 0) units.push(u);
  }

  const spendItems = await batchGet(
    [...spends.entries()].map(([, evs]) => keys.spend(shopId, evs[0]!.adId, localDate(Date.parse(evs[0]!.at), rules.tz))),
  );
  for (const evs of spends.values()) {
    const first = evs[0]!;
    const day = localDate(Date.parse(first.at), rules.tz);
    const before: SpendState = spendFromItem(shopId, first.adId, day, Date.parse(first.at), spendItems.get(keyId(keys.spend(shopId, first.adId, day))));
    let after = before;
    const u = newUnit();
    for (const e of evs) {
      if (after.amounts[e.id]) continue;
      after = applySpendEvent(after, e, rules);
      addRaw(u, e.pageId ?? NO_PAGE, e);
    }
    if (u.eventIds.length === 0) continue;
    const delta: Cells = diffCells(deriveSpend(after, rules), deriveSpend(before, rules));
    mergeCells(u.cells, delta);
    const names = adNamesByAd(evs).get(first.adId);
    const attrs = { ...(after.campaignId ? { campaignId: after.campaignId } : {}), ...names };
    if (Object.keys(attrs).length > 0) for (const ref of delta.keys()) u.attrs.set(ref, attrs);
    u.owners.push({ item: spendToItem(after), readVersion: before.v });
    units.push(u);
  }

  const pageItems = await batchGet([...pages.keys()].map((p) => keys.pageState(shopId, p)));
  for (const [pageId, evs] of pages) {
    const before: PageState = pageFromItem(shopId, pageId, pageItems.get(keyId(keys.pageState(shopId, pageId))));
    let after = before;
    const u = newUnit();
    for (const e of evs) {
      if (after.ids.includes(e.id)) continue;
      after = applyPageEvent(after, e);
      addRaw(u, pageId, e);
    }
    if (u.eventIds.length === 0) continue;
    u.owners.push({ item: pageToItem(after), readVersion: before.v });
    units.push(u);
  }
  return units;
}

