import { gunzipSync, gzipSync } from 'node:zlib';
import { keys, mapPersonKeyParts } from '#lib/store/keys.ts';
import { normalizePhone } from '#lib/ingest/phone.ts';

/**
 * One person's identifiers and the random stand-ins that replace them.
 * Erasure replaces rather than removes: every item keeps its figures (a
 * conversation still counts once, an order still belongs to a conversation),
 * so reports and a rebuild from raw events give what they gave before, while
 * the stand-in is random and its link to the person is kept nowhere once the
 * job is done.
 */
export type Subjects = {
  /** original → stand-in, for customer ids and (normalised) phones */
  ids: Map<string, string>;
  /** which keys of `ids` are phones: a `phone` field matches them after normalising */
  phones: Set<string>;
};

/** Stand-ins start with this and hold letters only: never a phone, never taken for an identifier to erase. */
export const STAND_IN_PREFIX = 'erased-';
export const isStandIn = (s: string) => s.startsWith(STAND_IN_PREFIX);

/** What walking an item found: identifiers of the same person not yet in `Subjects`. */
export type Found = { customerIds: Set<string>; phones: Set<string> };

type Walk = { s: Subjects; found: Found; changed: boolean };

const GZIP_MAGIC = [0x1f, 0x8b];

function walk(v: unknown, w: Walk, field?: string): unknown {
  if (typeof v === 'string') return walkString(v, w, field);
  if (Array.isArray(v)) return v.map((x) => walk(x, w));
  if (v instanceof Set) return new Set([...v].map((x) => walk(x, w)));
  if (v instanceof Uint8Array) {
    if (v[0] !== GZIP_MAGIC[0] || v[1] !== GZIP_MAGIC[1]) return v;
    let parsed: unknown;
    try {
      parsed = JSON.parse(gunzipSync(v).toString('utf8'));
    } catch {
      return v;
    }
    const inner: Walk = { s: w.s, found: w.found, changed: false };
    const out = walk(parsed, inner);
    if (!inner.changed) return v;
    w.changed = true;
    return new Uint8Array(gzipSync(JSON.stringify(out)));
  }
  if (typeof v === 'object' && v !== null) {
    const obj = v as Record<string, unknown>;
    discover(obj, w);
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(obj)) {
      const name = w.s.ids.get(k);
      if (name !== undefined) w.changed = true;
      out[name ?? k] = walk(x, w, k);
    }
    return out;
  }
  return v;
}

function walkString(v: string, w: Walk, field?: string): string {
  const direct = w.s.ids.get(v);
  if (direct !== undefined) {
    w.changed = true;
    return direct;
  }
  if (field === 'phone' && !isStandIn(v)) {
    const n = normalizePhone(v);
    if (n !== undefined && w.s.phones.has(n)) {
      w.changed = true;
      return w.s.ids.get(n)!;
    }
  }
  // JSON kept as a string (orders parked on a phone, replies parked on a comment)
  if ((v.startsWith('{') && v.endsWith('}')) || (v.startsWith('[') && v.endsWith(']'))) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(v);
    } catch {
      return v;
    }
    const inner: Walk = { s: w.s, found: w.found, changed: false };
    const out = walk(parsed, inner);
    if (inner.changed) {
      w.changed = true;
      return JSON.stringify(out);
    }
  }
  return v;
}

/** A record naming the person's customer id with a phone, or the person's phone with a customer id: both are theirs. */
function discover(obj: Record<string, unknown>, w: Walk): void {
  const cust = typeof obj.customerId === 'string' && !isStandIn(obj.customerId) ? obj.customerId : undefined;
  const phone = typeof obj.phone === 'string' && !isStandIn(obj.phone) ? normalizePhone(obj.phone) : undefined;
  if (cust !== undefined && phone !== undefined) {
    if (w.s.ids.has(cust) && !w.s.ids.has(phone)) w.found.phones.add(phone);
    if (w.s.phones.has(phone) && !w.s.ids.has(cust)) w.found.customerIds.add(cust);
  }
}

/**
 * The item with the person's identifiers replaced by their stand-ins: in every
 * attribute (nested maps and lists, JSON kept in strings, gzipped raw event
 * chunks) and in its keys (each `#`-separated part), and the person's other
 * identifiers it reveals (a phone their conversation gave, a conversation that
 * gave their phone).
 */
export function pseudonymizeItem(shopId: string, item: Record<string, unknown>, s: Subjects): { item: Record<string, unknown>; changed: boolean; found: Found } {
  const w: Walk = { s, found: { customerIds: new Set(), phones: new Set() }, changed: false };
  // a phone link: the key names the phone, the attributes the conversation holding it
  const linkedPhone = keys.phoneOfKey(shopId, String(item.PK));
  const holder = typeof item.customerId === 'string' && !isStandIn(item.customerId) ? item.customerId : undefined;
  if (linkedPhone !== undefined && holder !== undefined) {
    if (s.ids.has(holder) && !s.ids.has(linkedPhone)) w.found.phones.add(linkedPhone);
    if (s.phones.has(linkedPhone) && !s.ids.has(holder)) w.found.customerIds.add(holder);
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(item)) {
    if (k === 'PK' || k === 'SK' || k === 'GSI1PK' || k === 'GSI1SK' || k === 'WAITPK' || k === 'WAITSK') {
      const mapped = mapPersonKeyParts(k, String(v), (id) => s.ids.get(id) ?? id);
      if (mapped !== v) w.changed = true;
      out[k] = mapped;
    } else out[k] = walk(v, w, k);
  }
  return { item: out, changed: w.changed, found: w.found };
}
