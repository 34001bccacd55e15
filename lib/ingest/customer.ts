import type { ConversationEvent } from '#lib/events/schema.ts';
import { addCell, F, hourField, markCell, missedShiftField, parseItemId, slaMetShiftField, slaWaitsShiftField, PERIODS, periodsOf, rtBucket, rtField, type Cells, type ItemRef } from '#lib/rollups/cells.ts';
import { addWorkingSeconds, shiftAt, workingSecondsBetween } from '#lib/time/business.ts';
import { AUTOMATED, UNKNOWN_STAFF, type ShopRules } from '#lib/ingest/context.ts';
import { isoWeek, monthOf } from '#lib/time/zone.ts';

/**
 * One customer's conversation with one page: the state item every message,
 * comment, reply and referral of that pair updates. Its timeline holds each
 * event once (keyed by the producer's id), sorted by `at`, so the figures
 * derived from it do not depend on arrival order or duplicates.
 */

/**
 * Timeline entry kinds: message, comment, reply via message, reply via
 * comment, joined, shared, and ad referral without a message (`a`:
 * attribution only, SPEC §1.1; not inbound, so it opens no wait and reaches
 * no one).
 */
export type EntryKind = 'm' | 'c' | 'R' | 'C' | 'j' | 's' | 'a';

export type Entry = {
  t: number;
  k: EntryKind;
  /** replies: staff id, '@auto' or '' (unknown); joined: 'r' when referred by someone */
  st: string;
  /** messages and ad referrals: the ad that referred them */
  ad: string;
  id: string;
};

/** An order of this customer: creation time, sales staff, not cancelled, delivered, total (minor units), the ad it names. */
export type OrderLink = { t: number; st?: string; live: boolean; dl: boolean; total?: number; ad?: string };

export type CustomerState = {
  shopId: string;
  pageId: string;
  customerId: string;
  /** optimistic-lock version; 0 when the item does not exist yet */
  v: number;
  entries: Entry[];
  /** earliest inbound message or comment ever (ms) */
  first?: number;
  orders: Record<string, OrderLink>;
  /** what pruned timeline entries still contribute (see `pruneCustomer`) */
  carry?: Carry;
};

/**
 * Left behind by entries pruned from the timeline: the distinct-customer
 * marks they set in weeks and months that are not over yet, whether the
 * customer joined the referral programme, and the last ad referral.
 */
/** What pruned entries leave behind: distinct marks still live, referral and ad state, and who replied last among them (a label, never a figure). */
export type Carry = { marks: string[]; joined?: boolean; ad?: { ad: string; t: number }; lastReplyBy?: string };

export const AUTO_MARK = '@auto';

export function encodeEntry(e: Entry): string {
  return `${e.t.toString(36)}|${e.k}|${e.st}|${e.ad}|${e.id}`;
}

export function decodeEntry(s: string): Entry {
  const i1 = s.indexOf('|');
  const i2 = s.indexOf('|', i1 + 1);
  const i3 = s.indexOf('|', i2 + 1);
  const i4 = s.indexOf('|', i3 + 1);
  return {
    t: parseInt(s.slice(0, i1), 36),
    k: s.slice(i1 + 1, i2) as EntryKind,
    st: s.slice(i2 + 1, i3),
    ad: s.slice(i3 + 1, i4),
    id: s.slice(i4 + 1),
  };
}

const byTime = (a: Entry, b: Entry) => a.t - b.t || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export function emptyCustomer(shopId: string, pageId: string, customerId: string): CustomerState {
  return { shopId, pageId, customerId, v: 0, entries: [], orders: {} };
}

export function hasEvent(state: CustomerState, id: string): boolean {
  return state.entries.some((e) => e.id === id);
}

/** Turns a conversation event into its timeline entry. */
export function entryOf(e: ConversationEvent): Entry {
  const t = Date.parse(e.at);
  switch (e.kind) {
    case 'message.received':
      return { t, k: e.attributionOnly ? 'a' : 'm', st: '', ad: e.adId ?? '', id: e.id };
    case 'comment.received':
      return { t, k: 'c', st: '', ad: '', id: e.id };
    case 'reply.sent':
      return { t, k: e.via === 'comment' ? 'C' : 'R', st: e.automated ? AUTO_MARK : (e.staffId ?? ''), ad: '', id: e.id };
    case 'referral.joined':
      return { t, k: 'j', st: e.referredBy ? 'r' : '', ad: '', id: e.id };
    case 'referral.shared':
      return { t, k: 's', st: '', ad: '', id: e.id };
  }
}

/** Returns a new state with the events applied; events already in the timeline are skipped. */
export function applyConversationEvents(state: CustomerState, events: ConversationEvent[]): { state: CustomerState; applied: ConversationEvent[] } {
  const seen = new Set(state.entries.map((e) => e.id));
  const entries = [...state.entries];
  const applied: ConversationEvent[] = [];
  let first = state.first;
  for (const ev of events) {
    if (seen.has(ev.id)) continue;
    seen.add(ev.id);
    const entry = entryOf(ev);
    entries.push(entry);
    applied.push(ev);
    if ((entry.k === 'm' || entry.k === 'c') && (first === undefined || entry.t < first)) first = entry.t;
  }
  entries.sort(byTime);
  return { state: { ...state, entries, ...(first !== undefined ? { first } : {}) }, applied };
}

const isInbound = (k: EntryKind) => k === 'm' || k === 'c';
/** An entry that credits the conversation to an ad: a message from an ad, or an ad referral alone. */
export const adOfEntry = (e: Entry): string | undefined => ((e.k === 'm' || e.k === 'a') && e.ad ? e.ad : undefined);
const isReply = (k: EntryKind) => k === 'R' || k === 'C';
const staffEntity = (st: string) => (st === AUTO_MARK ? AUTOMATED : st === '' ? UNKNOWN_STAFF : st);

/** A wait: opened by an inbound with none open, closed by the next reply. */
export type Wait = { openedAt: number; closedAt?: number; by?: string };

export function waitsOf(entries: Entry[]): Wait[] {
  const waits: Wait[] = [];
  let open: Wait | undefined;
  for (const e of entries) {
    if (isInbound(e.k) && !open) {
      open = { openedAt: e.t };
      waits.push(open);
    } else if (isReply(e.k) && open) {
      open.closedAt = e.t;
      open.by = staffEntity(e.st);
      open = undefined;
    }
  }
  return waits;
}

/** The last ad referral at or before `t` within the attribution window, if any. */
export function attributedAd(state: Pick<CustomerState, 'entries' | 'carry'>, t: number, windowMs: number): string | undefined {
  const carried = state.carry?.ad;
  let ad: string | undefined = carried && carried.t <= t && t - carried.t <= windowMs ? carried.ad : undefined;
  for (const e of state.entries) {
    if (e.t > t) break;
    const referred = adOfEntry(e);
    if (referred) ad = t - e.t <= windowMs ? referred : undefined;
  }
  return ad;
}

/**
 * Every rollup cell this conversation contributes to. Distinct counters are
 * marked (value 1) per period; counts are added.
 */
export function deriveCustomer(state: CustomerState, rules: ShopRules): Cells {
  const cells: Cells = new Map();
  const pageId = state.pageId;
  const ref = (scope: ItemRef['scope'], period: ItemRef['period'], periodKey: string, entity?: string): ItemRef => ({
    pageId,
    scope,
    period,
    periodKey,
    ...(entity !== undefined ? { entity } : {}),
  });
  const joined = state.carry?.joined === true || state.entries.some((e) => e.k === 'j');
  const firstOfDay = new Set<string>();
  let lastAd: { ad: string; t: number } | undefined = state.carry?.ad;

  for (const e of state.entries) {
    const p = periodsOf(e.t, rules.tz);
    const referred = adOfEntry(e);
    if (referred) lastAd = { ad: referred, t: e.t };
    const adNow = lastAd && e.t - lastAd.t <= rules.attributionWindowMs ? lastAd.ad : undefined;
    for (const period of PERIODS) {
      const key = p[period];
      const page = ref('P', period, key);
      switch (e.k) {
        case 'm':
          addCell(cells, page, F.messagesReceived, 1);
          markCell(cells, page, F.customersReached);
          markCell(cells, page, F.messageConversations);
          if (e.ad) addCell(cells, ref('A', period, key, e.ad), F.conversationsStarted, 1);
          if (adNow) markCell(cells, ref('A', period, key, adNow), F.customersReached);
          break;
        case 'a':
          // the conversation started from the ad; the customer is reached when they write
          if (e.ad) addCell(cells, ref('A', period, key, e.ad), F.conversationsStarted, 1);
          break;
        case 'c':
          addCell(cells, page, F.commentsReceived, 1);
          markCell(cells, page, F.customersReached);
          if (adNow) markCell(cells, ref('A', period, key, adNow), F.customersReached);
          break;
        case 'R':
        case 'C': {
          const staff = ref('S', period, key, staffEntity(e.st));
          markCell(cells, page, F.customersCared);
          addCell(cells, staff, e.k === 'R' ? F.messageReplies : F.commentReplies, 1);
          markCell(cells, staff, F.conversationsAnswered);
          break;
        }
        case 'j':
          markCell(cells, page, F.referralParticipants);
          if (e.st === 'r') markCell(cells, page, F.referralReferred);
          break;
        case 's':
          if (joined) markCell(cells, page, F.referralSharers);
          break;
      }
    }
    if (isInbound(e.k)) {
      // hour profiles are additive over days, so weeks and months carry them too
      const first = !firstOfDay.has(p.D);
      firstOfDay.add(p.D);
      for (const period of PERIODS) {
        const item = ref('P', period, p[period]);
        addCell(cells, item, hourField(e.k as 'm' | 'c', p.hour), 1);
        if (first) addCell(cells, item, hourField('r', p.hour), 1);
      }
    }
  }

  if (state.first !== undefined) {
    const p = periodsOf(state.first, rules.tz);
    for (const period of PERIODS) markCell(cells, ref('P', period, p[period]), F.newCustomers);
  }

  for (const w of waitsOf(state.entries)) {
    if (w.closedAt === undefined || w.by === undefined) continue;
    const secs = workingSecondsBetween(w.openedAt, w.closedAt, rules.workingHours, rules.tz, rules.closedDates);
    const p = periodsOf(w.closedAt, rules.tz);
    const expiry = addWorkingSeconds(w.openedAt, rules.slaSeconds, rules.workingHours, rules.tz, rules.closedDates);
    const missed = w.closedAt > expiry;
    // SLA per shift: the shift in which the wait's working time began (its first working instant; the reply's
    // instant when it came before any working time)
    const began = Math.min(addWorkingSeconds(w.openedAt, 0, rules.workingHours, rules.tz, rules.closedDates), w.closedAt);
    const shiftOfWait = shiftAt(periodsOf(began, rules.tz).minuteOfDay, rules.shifts);
    // booked on the last working second before the SLA ran out, so an expiry at closing time stays in the closing shift
    const pe = missed ? periodsOf(expiry - 1000, rules.tz) : undefined;
    for (const period of PERIODS) {
      const staff = ref('S', period, p[period], w.by);
      addCell(cells, staff, F.rtSum, secs);
      addCell(cells, staff, F.rtCount, 1);
      addCell(cells, staff, rtField(rtBucket(secs)), 1);
      addCell(cells, staff, slaWaitsShiftField(shiftOfWait), 1);
      if (!missed) {
        addCell(cells, staff, F.slaMet, 1);
        addCell(cells, staff, slaMetShiftField(shiftOfWait), 1);
      }
      if (pe) {
        const at = ref('S', period, pe[period], w.by);
        addCell(cells, at, F.missed, 1);
        addCell(cells, at, missedShiftField(shiftAt(pe.minuteOfDay, rules.shifts)), 1);
      }
    }
  }

  for (const mark of state.carry?.marks ?? []) {
    const cut = mark.lastIndexOf('|');
    markCell(cells, mark.slice(0, cut), mark.slice(cut + 1));
  }

  for (const o of Object.values(state.orders)) {
    const p = periodsOf(o.t, rules.tz);
    // the ad the order names, else the conversation's last ad referral within the window before it
    const ad = o.ad ?? attributedAd(state, o.t, rules.attributionWindowMs);
    for (const period of PERIODS) {
      if (ad) {
        const adItem = ref('A', period, p[period], ad);
        addCell(cells, adItem, F.ordersCreated, 1);
        addCell(cells, adItem, F.ordersCancelled, o.live ? 0 : 1);
        addCell(cells, adItem, F.revenueMinor, o.live ? (o.total ?? 0) : 0);
      }
      if (!o.live) continue;
      const page = ref('P', period, p[period]);
      markCell(cells, page, F.funnelOrdered);
      if (o.dl) markCell(cells, page, F.funnelDelivered);
      if (o.st) markCell(cells, ref('S', period, p[period], o.st), F.customersOrdered);
    }
  }
  markCohort(cells);
  return cells;
}

/**
 * The cohort funnel of SPEC §3, read off this customer's own page-scope
 * marks of each period (so marks carried over pruned entries count alike):
 * reached and cared in the period → `cohortCared`; and ordered (a
 * non-cancelled order created in it) → `cohortOrdered`; and one of those
 * orders delivered → `cohortDelivered`. Each stage implies the one before,
 * so summed over customers no stage exceeds the one before.
 */
function markCohort(cells: Cells): void {
  for (const [id, fields] of cells) {
    if (fields.get(F.customersReached) !== 1 || fields.get(F.customersCared) !== 1 || parseItemId(id).scope !== 'P') continue;
    fields.set(F.cohortCared, 1);
    if (fields.get(F.funnelOrdered) !== 1) continue;
    fields.set(F.cohortOrdered, 1);
    if (fields.get(F.funnelDelivered) === 1) fields.set(F.cohortDelivered, 1);
  }
}

/** The open wait at the end of the timeline, if any (kept in the sparse GSI). */
/** Who sent the conversation's latest reply (staff id, `automated` or `unknown`), pruned entries included; undefined before any reply. */
export function lastReplyBy(state: CustomerState): string | undefined {
  for (let i = state.entries.length - 1; i >= 0; i--) {
    const e = state.entries[i]!;
    if (isReply(e.k)) return staffEntity(e.st);
  }
  return state.carry?.lastReplyBy;
}

export function openWait(state: CustomerState): number | undefined {
  const waits = waitsOf(state.entries);
  const last = waits[waits.length - 1];
  return last && last.closedAt === undefined ? last.openedAt : undefined;
}

/** Distinct-customer fields: marks (0/1 per period), not counts. */
const MARK_FIELDS = new Set<string>([
  F.customersReached,
  F.messageConversations,
  F.customersCared,
  F.conversationsAnswered,
  F.referralParticipants,
  F.referralReferred,
  F.referralSharers,
]);

/** Timelines shorter than this are never pruned. */
export const PRUNE_MIN_ENTRIES = 64;

/**
 * Keeps a chatty customer's item small: drops timeline entries older than
 * `horizonDay` (a local date no accepted event can fall on or before, since
 * late events are refused) as long as no wait is open at the cut. The marks
 * those entries set in weeks and months that reach past the horizon are kept
 * in `carry`, so derive() gives the same cells for every period an accepted
 * event can still touch; cells of older periods are final and no longer derived.
 */
export function pruneCustomer(state: CustomerState, horizonDay: string, rules: ShopRules): CustomerState {
  if (state.entries.length < PRUNE_MIN_ENTRIES) return state;
  let cut = 0;
  let open = false;
  for (let i = 0; i < state.entries.length; i++) {
    const e = state.entries[i]!;
    if (periodsOf(e.t, rules.tz).D >= horizonDay) break;
    if (isInbound(e.k)) open = true;
    else if (isReply(e.k)) open = false;
    if (!open) cut = i + 1;
  }
  if (cut === 0) return state;
  const pruned = state.entries.slice(0, cut);
  const [liveWeek, liveMonth] = [isoWeek(horizonDay), monthOf(horizonDay)];
  const marks = new Set(state.carry?.marks ?? []);
  const prunedOnly: CustomerState = { shopId: state.shopId, pageId: state.pageId, customerId: state.customerId, v: state.v, entries: pruned, orders: {}, carry: { marks: [], ...(state.carry?.ad ? { ad: state.carry.ad } : {}) } };
  for (const [id, fields] of deriveCustomer(prunedOnly, rules)) {
    const ref = parseItemId(id);
    const live = (ref.period === 'W' && ref.periodKey >= liveWeek) || (ref.period === 'M' && ref.periodKey >= liveMonth);
    if (!live) continue;
    for (const f of fields.keys()) if (MARK_FIELDS.has(f)) marks.add(`${id}|${f}`);
  }
  let ad = state.carry?.ad;
  for (const e of pruned) {
    const referred = adOfEntry(e);
    if (referred) ad = { ad: referred, t: e.t };
  }
  const joined = state.carry?.joined === true || pruned.some((e) => e.k === 'j');
  const lastBy = lastReplyBy({ ...state, entries: pruned });
  const carry: Carry = { marks: [...marks].sort(), ...(joined ? { joined } : {}), ...(ad ? { ad } : {}), ...(lastBy ? { lastReplyBy: lastBy } : {}) };
  return { ...state, entries: state.entries.slice(cut), carry };
}
