import { createHash } from 'node:crypto';
import * as z from '#lib/zod.ts';
import { NotFoundError, ValidationError, type FieldIssue } from '#lib/errors.ts';
import { channelSchema } from '#lib/events/channel.ts';
import { fromMinor } from '#lib/money.ts';
import { AUTO_MARK, adOfEntry, attributedAd, entryOf, waitsOf, type CustomerState, type Entry } from '#lib/ingest/customer.ts';
import { AUTOMATED, UNKNOWN_STAFF } from '#lib/ingest/context.ts';
import { getShop } from '#lib/store/shops.ts';
import type { Locale, Shop } from '#lib/shops/schema.ts';
import { addWorkingSeconds, workingSecondsBetween } from '#lib/time/business.ts';
import { addDays, daysBetween, isValidDate, isoInZone, zonedToUtc } from '#lib/time/zone.ts';
import { selectPages } from '#lib/reports/build.ts';
import { tableCsv } from '#lib/reports/csv.ts';
import { EXPORT_TABLE_COLUMNS, LANGS, exportTable } from '#lib/reports/table.ts';
import { toXlsx } from '#lib/reports/xlsx.ts';
import { MAX_RANGE_DAYS } from '#lib/reports/query.ts';
import { activeConversations, conversationKey, conversationStates, newReadCost, type ReadCost } from '#lib/reports/conversation-reading.ts';

/**
 * `GET /v1/shops/{shopId}/exports/conversations` (SPEC §4.1): one row per
 * conversation (a customer with a page) active in the range — a message,
 * comment or reply in it. JSON pages of `limit` rows ordered by page and
 * customer with an opaque `nextCursor`; CSV carries every row.
 */

export const EXPORT_COLUMNS = EXPORT_TABLE_COLUMNS.map((c) => c.key);

export type ConversationExportRow = {
  pageId: string;
  /** the page's name in the shop's settings */
  pageName: string;
  channel: string;
  customerId: string;
  /** first and last inbound message or comment in the range (ISO-8601 on the shop's wall clock with its offset, `2026-11-20T09:00:00+07:00`), null when the range has only replies */
  firstInboundAt: string | null;
  lastInboundAt: string | null;
  messages: number;
  comments: number;
  /** working seconds from the first wait opened in the range to the reply that closed it; null if unanswered in the range */
  firstResponseSeconds: number | null;
  replies: number;
  /** who replied in the range: staff ids, `automated`, `unknown` */
  staff: string[];
  /** their names, in the same order (`Tự động`/`Automated`, `Không xác định`/`Unknown` in the shop's language) */
  staffNames: string[];
  adId: string | null;
  ordersCreated: number;
  /** value of those orders (every status), major units of the shop currency */
  ordersValue: number;
  /** `missed`: a wait of the range ran past `responseSlaMinutes`; `open`: a wait still open within its SLA; else `answered` */
  status: 'answered' | 'missed' | 'open';
};

const date = z.string().check(z.refine(isValidDate, 'expected a date YYYY-MM-DD'), z.meta({ format: 'date', description: 'A local date in the shop time zone, inclusive' }));
const pageIdSchema = z.string().check(z.minLength(1), z.maxLength(256));
export const exportQuerySchema = z
  .object({
    from: date,
    to: date,
    pageId: z._default(z.array(pageIdSchema), []).check(z.meta({ description: 'Only these pages (repeatable); default every page of the shop' })),
    channel: z.optional(channelSchema).check(z.meta({ description: 'Only the pages of this channel' })),
    format: z._default(z.enum(['json', 'csv', 'xlsx']), 'json').check(z.meta({ description: 'json (pages with a cursor), csv (every row, for machines) or xlsx (every row, typed cells, for people)' })),
    lang: z.optional(z.enum(['vi', 'en'])).check(z.meta({ description: "Language of the headers (xlsx: default the shop's locale; CSV: the JSON keys unless given)" })),
    cursor: z.optional(z.string().check(z.maxLength(2000))).check(z.meta({ description: 'nextCursor of the previous JSON page, unchanged' })),
    limit: z._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(1000)), 500).check(z.meta({ description: 'Rows per JSON page (default 500)' })),
  })
  .check(
    z.superRefine((q, ctx) => {
      if (!isValidDate(q.from) || !isValidDate(q.to)) return;
      if (q.from > q.to) ctx.addIssue({ code: 'custom', path: ['from'], message: 'from must not be after to' });
      else if (daysBetween(q.from, q.to) + 1 > MAX_RANGE_DAYS) ctx.addIssue({ code: 'custom', path: ['to'], message: `a range is at most ${MAX_RANGE_DAYS} days` });
    }),
  );
export type ExportQuery = z.infer<typeof exportQuerySchema>;

const KNOWN = ['from', 'to', 'pageId', 'channel', 'format', 'lang', 'cursor', 'limit'];

export function parseExportQuery(params: URLSearchParams): ExportQuery {
  const issues: FieldIssue[] = [...new Set(params.keys())].filter((k) => !KNOWN.includes(k)).map((k) => ({ path: k, message: 'unknown parameter' }));
  const input: Record<string, unknown> = { pageId: params.getAll('pageId').flatMap((p) => p.split(',')).map((p) => p.trim()).filter(Boolean) };
  for (const k of KNOWN) {
    if (k === 'pageId') continue;
    const v = params.getAll(k);
    if (v.length > 1) issues.push({ path: k, message: 'must be given once' });
    if (v.length > 0) input[k] = v[0];
  }
  const r = exportQuerySchema.safeParse(input);
  if (!r.success) issues.push(...r.error.issues.map((i) => ({ path: i.path.map(String).join('.') || 'query', message: i.code === 'invalid_type' && i.input === undefined ? 'required' : i.message })));
  if (issues.length > 0 || !r.success) throw new ValidationError('Invalid export query', issues);
  return r.data;
}

/**
 * Cursors: base64url of `{v, q, after}` and a SHA-256 check over them and the
 * query they belong to. A cursor from another query or shop, an edited one
 * or garbage answers 400. No secret is needed: a cursor only positions a
 * read of the caller's own shop, which its key already allows.
 */
function queryFingerprint(shopId: string, q: ExportQuery, pages: string[]): string {
  return createHash('sha256').update(JSON.stringify([shopId, q.from, q.to, pages, q.channel ?? ''])).digest('base64url').slice(0, 16);
}
const check = (body: string, fp: string) => createHash('sha256').update(`chatpulse-cursor\n${fp}\n${body}`).digest('base64url').slice(0, 22);

export function encodeCursor(fp: string, after: [string, string]): string {
  const body = Buffer.from(JSON.stringify({ v: 1, after })).toString('base64url');
  return `${body}.${check(body, fp)}`;
}

export function decodeCursor(cursor: string, fp: string): [string, string] {
  const bad = () => new ValidationError('Invalid cursor', [{ path: 'cursor', message: 'not a nextCursor of this query (altered, expired or from another query)' }]);
  const [body, sig, extra] = cursor.split('.');
  if (!body || !sig || extra !== undefined || sig !== check(body, fp)) throw bad();
  try {
    const v = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as { v?: number; after?: unknown };
    if (v.v === 1 && Array.isArray(v.after) && v.after.length === 2 && v.after.every((x) => typeof x === 'string')) return v.after as [string, string];
  } catch {
    /* falls through */
  }
  throw bad();
}

const staffOf = (st: string) => (st === AUTO_MARK ? AUTOMATED : st === '' ? UNKNOWN_STAFF : st);
const STAFF_WORDS: Record<string, Record<Locale, string>> = { [AUTOMATED]: { 'vi-VN': 'Tự động', en: 'Automated' }, [UNKNOWN_STAFF]: { 'vi-VN': 'Không xác định', en: 'Unknown' } };
const staffNameOf = (shop: Shop, id: string) => STAFF_WORDS[id]?.[shop.locale] ?? shop.staff.find((s) => s.staffId === id)?.name ?? id;

/** One row from the conversation's entries (state timeline and raw events merged) and its linked orders. */
export function conversationRow(shop: Shop, pageId: string, customerId: string, entries: Entry[], orders: Record<string, { t: number; total?: number }>, carry: CustomerState['carry'], startMs: number, endMs: number, now: number): ConversationExportRow | undefined {
  const inRange = entries.filter((e) => e.t >= startMs && e.t < endMs);
  const inbound = inRange.filter((e) => e.k === 'm' || e.k === 'c');
  const replies = inRange.filter((e) => e.k === 'R' || e.k === 'C');
  if (inbound.length === 0 && replies.length === 0) return undefined;
  const wh = shop.workingHours;
  const closed = shop.closedDates ?? [];
  const sla = shop.responseSlaMinutes * 60;
  const waits = waitsOf(inRange);
  const cutoff = Math.min(now, endMs);
  let missed = false;
  let open = false;
  for (const w of waits) {
    const expiry = addWorkingSeconds(w.openedAt, sla, wh, shop.timezone, closed);
    if (w.closedAt !== undefined ? w.closedAt > expiry : expiry <= cutoff) missed = true;
    else if (w.closedAt === undefined) open = true;
  }
  const first = waits[0];
  let ordersCreated = 0;
  let valueMinor = 0;
  for (const o of Object.values(orders)) {
    if (o.t < startMs || o.t >= endMs) continue;
    ordersCreated++;
    valueMinor += o.total ?? 0;
  }
  const lastActive = inRange[inRange.length - 1]!.t;
  const adInRange = [...inRange].reverse().map(adOfEntry).find(Boolean);
  const iso = (t: number) => isoInZone(t, shop.timezone);
  const page = shop.pages.find((p) => p.pageId === pageId);
  const staff = [...new Set(replies.map((e) => staffOf(e.st)))].sort();
  return {
    pageId,
    pageName: page?.name ?? pageId,
    channel: page?.channel ?? '',
    customerId,
    firstInboundAt: inbound[0] ? iso(inbound[0].t) : null,
    lastInboundAt: inbound.length ? iso(inbound[inbound.length - 1]!.t) : null,
    messages: inbound.filter((e) => e.k === 'm').length,
    comments: inbound.filter((e) => e.k === 'c').length,
    firstResponseSeconds: first?.closedAt !== undefined ? workingSecondsBetween(first.openedAt, first.closedAt, wh, shop.timezone, closed) : null,
    replies: replies.length,
    staff,
    staffNames: staff.map((id) => staffNameOf(shop, id)),
    adId: adInRange ?? attributedAd({ entries, carry }, lastActive, shop.attributionWindowDays * 86_400_000) ?? null,
    ordersCreated,
    ordersValue: fromMinor(valueMinor, shop.currency),
    status: missed ? 'missed' : open ? 'open' : 'answered',
  };
}

export type ConversationExportPage = { shopId: string; from: string; to: string; timezone: string; currency: string; generatedAt: string; rows: ConversationExportRow[]; nextCursor: string | null };

/** Every row of the export in (pageId, customerId) order, and what reading them cost. */
async function allRows(shop: Shop, q: ExportQuery, pages: string[], now: number, cost: ReadCost): Promise<ConversationExportRow[]> {
  const startMs = zonedToUtc(q.from, 0, shop.timezone);
  const endMs = zonedToUtc(addDays(q.to, 1), 0, shop.timezone);
  const active = await activeConversations(shop.shopId, pages, q.from, q.to, cost);
  const list = [...active.values()].sort((a, b) => (a.pageId < b.pageId ? -1 : a.pageId > b.pageId ? 1 : a.customerId < b.customerId ? -1 : a.customerId > b.customerId ? 1 : 0));
  const states = await conversationStates(shop.shopId, list, cost);
  const rows: ConversationExportRow[] = [];
  for (const c of list) {
    const state = states.get(conversationKey(c.pageId, c.customerId));
    // the state's timeline may be pruned for old days; raw events fill them in (same entry ids)
    const byId = new Map<string, Entry>();
    for (const e of state?.entries ?? []) byId.set(e.id, e);
    for (const ev of c.events) if (!byId.has(ev.id)) byId.set(ev.id, entryOf(ev));
    const entries = [...byId.values()].sort((a, b) => a.t - b.t || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const row = conversationRow(shop, c.pageId, c.customerId, entries, state?.orders ?? {}, state?.carry, startMs, endMs, now);
    if (row) rows.push(row);
  }
  return rows;
}

/** The export as a JSON page, or every row as CSV or an xlsx workbook (columns: lib/reports/table.ts `EXPORT_TABLE_COLUMNS`). */
export async function exportConversations(shopId: string, params: URLSearchParams, now = Date.now(), cost = newReadCost()): Promise<{ format: 'json'; body: ConversationExportPage } | { format: 'csv'; body: string; filename: string } | { format: 'xlsx'; body: Buffer; filename: string }> {
  const q = parseExportQuery(params);
  const shop = await getShop(shopId);
  if (!shop) throw new NotFoundError(`Unknown shop ${shopId}`);
  const pages = selectPages(shop, { pageId: q.pageId, channel: q.channel }).filter((p) => shop.pages.some((sp) => sp.pageId === p));
  const fp = queryFingerprint(shopId, q, pages);
  const after = q.cursor ? decodeCursor(q.cursor, fp) : undefined;
  if (q.format !== 'json' && q.cursor) throw new ValidationError('Invalid export query', [{ path: 'cursor', message: `${q.format.toUpperCase()} carries every row: no cursor` }]);
  const rows = await allRows(shop, q, pages, now, cost);
  const file = `${shopId}-conversations-${q.from}-${q.to}`;
  const lang = q.lang ? LANGS[q.lang] : undefined;
  if (q.format === 'csv') return { format: 'csv', body: tableCsv(exportTable(rows, shop.currency, shop.timezone).tables[0]!, lang), filename: `${file}.csv` };
  if (q.format === 'xlsx') return { format: 'xlsx', body: await toXlsx(exportTable(rows, shop.currency, shop.timezone), lang ?? shop.locale), filename: `${file}.xlsx` };
  const start = after ? rows.findIndex((r) => r.pageId > after[0] || (r.pageId === after[0] && r.customerId > after[1])) : 0;
  const pageRows = start < 0 ? [] : rows.slice(start, start + q.limit);
  const last = pageRows[pageRows.length - 1];
  const more = start >= 0 && start + q.limit < rows.length;
  return {
    format: 'json',
    body: {
      shopId,
      from: q.from,
      to: q.to,
      timezone: shop.timezone,
      currency: shop.currency,
      generatedAt: new Date(now).toISOString(),
      rows: pageRows,
      nextCursor: more && last ? encodeCursor(fp, [last.pageId, last.customerId]) : null,
    },
  };
}
