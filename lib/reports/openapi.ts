import * as z from '#lib/zod.ts';
import { eventBatchSchema, EVENT_KINDS } from '#lib/events/schema.ts';
import { shopInputSchema } from '#lib/shops/schema.ts';
import { REPORT_NAMES } from '#lib/reports/types.ts';
import { reportQuerySchema } from '#lib/reports/query.ts';
import { rebuildSchema } from '#lib/admin/rebuild.ts';
import { erasureRequestSchema } from '#lib/lifecycle/schema.ts';
import { apiKeyRequestSchema } from '#lib/admin/api-keys.ts';
import { runDigestSchema } from '#lib/digests/dispatch.ts';
import { orderWebhookSecretSchema, productCostsSchema } from '#lib/admin/order-settings.ts';

/** How orders are named (SPEC §1.3), shared by the document description and the order routes. */
export const ORDER_ID_SCHEME =
  'Orders from webhooks are named `<platform>:<platform order id>` (e.g. `haravan:1001234567`, `shopify:5678901234567`, `sapo:14900465`), the platform id kept as its exact digits; canonical `order.*` events about the same order must use the same orderId.';
import { EXPORT_COLUMNS, exportQuerySchema } from '#lib/reports/export-conversations.ts';
import { rejectedQuerySchema } from '#lib/reports/rejected-events.ts';
import { REJECTED_REASONS } from '#lib/store/rejected-events.ts';
import { reportLinkSchema } from '#lib/reports/link-signing.ts';
import { insightsQuerySchema } from '#lib/insights/query.ts';
import { FIGURE_KEYS } from '#lib/insights/figures.ts';
import { METRICS, metricDescription, metricsOf, type MetricGroup, type MetricUnit } from '#lib/reports/metrics.ts';
import { waitingLinkSchema } from '#lib/live/link.ts';
import { alertsSchema } from '#lib/shops/schema.ts';

const PLACE_SCHEMA = { type: ['object', 'null'], properties: { dimension: { type: 'string', enum: ['page', 'channel', 'shift', 'staff', 'ad'] }, id: { type: 'string' }, name: { type: 'string' }, value: { type: ['number', 'null'] }, usual: { type: ['number', 'null'] }, share: { type: 'number', description: 'share of the change this slice explains' } } };

/** SPEC §4.4 alerts, as the shop settings document them. */
export const ALERTS_DESCRIPTION =
  'SLA alerts: when a wait reaches responseSlaMinutes − warnBeforeMinutes working minutes (warning, only when warnBeforeMinutes is set) and again at responseSlaMinutes (breach), each channel gets one message per threshold and minute listing the waits that reached it, at most once per wait and threshold, never for a wait already answered. Webhook URLs must be https (http only on 127.0.0.1, localhost or [::1]); webhook bodies are AlertWebhookBody; emails are short, in the shop locale. A webhook secret is write-only: answers show AlertsView (secretSet and the last four characters), and a PUT or PATCH may leave secret out of a webhook channel whose url the shop already has (the stored secret stays; a new url needs one).';

/** The shop settings as the admin API answers them: alerts as AlertsView (no webhook secret). */
function shopSettingsView() {
  const input = jsonSchema(shopInputSchema) as { properties: Record<string, unknown> };
  return { ...input, properties: { ...input.properties, alerts: { $ref: '#/components/schemas/AlertsView' } } };
}

const errorSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string' },
        message: { type: 'string' },
        details: { type: 'array', items: { type: 'object', properties: { index: { type: 'integer' }, path: { type: 'string' }, message: { type: 'string' } } } },
      },
    },
  },
};

const PLACE = PLACE_SCHEMA;
const json = (schema: unknown) => ({ content: { 'application/json': { schema } } });
/** A 429 is a shop past its per-second limit (lib/limits/shop-limits.ts) and says when to send again. */
const RETRY_AFTER = { 'Retry-After': { description: 'Seconds until this shop may send again (its per-second limit: README "Per-shop limits")', schema: { type: 'integer', minimum: 1 } } };
const errors = (...codes: number[]) =>
  Object.fromEntries(
    codes.map((c) => [String(c), c === 429 ? { description: "Over this shop's per-second limit", headers: RETRY_AFTER, ...json({ $ref: '#/components/schemas/Error' }) } : { description: 'Error', ...json({ $ref: '#/components/schemas/Error' }) }]),
  );
const jsonSchema = (s: z.core.$ZodType) => {
  const { $schema: _, ...rest } = z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
};

const UNIT_SCHEMA: Record<MetricUnit, Record<string, unknown>> = {
  count: { type: 'integer', minimum: 0 },
  money: { type: 'number' },
  moneyOrNull: { type: ['number', 'null'] },
  rate: { type: ['number', 'null'] },
  seconds: { type: ['number', 'null'] },
  hours24: { type: 'array', items: { type: 'integer', minimum: 0 }, minItems: 24, maxItems: 24 },
  map: { type: 'object', additionalProperties: { type: 'integer', minimum: 0 } },
  rateMap: { type: 'object', additionalProperties: { type: ['number', 'null'] } },
};

/** An object schema whose properties are the metrics of `group`, described from lib/reports/metrics.ts. */
function metricsSchema(group: MetricGroup, extra: Record<string, unknown> = {}) {
  const props = Object.fromEntries(metricsOf(group).map((m) => [m.key, { ...UNIT_SCHEMA[m.unit], description: metricDescription(m) }]));
  return { type: 'object', properties: { ...extra, ...props } };
}

const metricDefinitionSchema = {
  type: 'object',
  required: ['key', 'group', 'unit', 'label', 'definition', 'timeBasis'],
  properties: {
    key: { type: 'string' },
    group: { type: 'string', enum: [...new Set(METRICS.map((m) => m.group))] },
    unit: { type: 'string', enum: Object.keys(UNIT_SCHEMA) },
    label: { $ref: '#/components/schemas/LocalizedText' },
    definition: { $ref: '#/components/schemas/LocalizedText' },
    timeBasis: { $ref: '#/components/schemas/LocalizedText' },
  },
};

type JsonSchema = { type?: string; items?: JsonSchema; anyOf?: JsonSchema[]; description?: string; [k: string]: unknown };

/**
 * Query parameters from the report query zod schema: a property that is
 * "one value or a list" (`pageId`) becomes a repeatable (`form`, exploded)
 * array parameter.
 */
function reportQueryParameters() {
  return queryParameters(reportQuerySchema);
}

function queryParameters(schema: z.core.$ZodType) {
  const s = jsonSchema(schema) as { properties: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(s.properties).map(([name, prop]) => {
    const list = prop.anyOf?.find((a) => a.type === 'array');
    const { description, ...schema } = list ? { ...list, description: prop.description } : prop;
    return {
      name,
      in: 'query',
      required: s.required?.includes(name) ?? false,
      ...(description ? { description } : {}),
      schema,
      ...(list ? { style: 'form', explode: true } : {}),
    };
  });
}

/**
 * The OpenAPI 3.1 document of the service (`GET /v1/openapi.json`): request
 * bodies and report query parameters generated from the same zod schemas the
 * handlers validate with (`z.toJSONSchema`, input side), the error shape
 * `{error: {code, message, details?}}`, and the two bearer schemes (shop API
 * key, admin token).
 */
export function openApiDocument(serverUrl?: string) {
  return {
    openapi: '3.1.0',
    info: { title: 'chatpulse', version: '1.0.0', description: `Reporting backend for chat commerce. Event kinds: ${EVENT_KINDS.join(', ')}. ${ORDER_ID_SCHEME}` },
    ...(serverUrl ? { servers: [{ url: serverUrl }] } : {}),
    components: {
      securitySchemes: {
        shopKey: { type: 'http', scheme: 'bearer', description: 'A shop API key from POST /v1/admin/shops/{shopId}/api-keys' },
        adminToken: { type: 'http', scheme: 'bearer', description: 'ADMIN_TOKEN' },
      },
      schemas: {
        Error: errorSchema,
        EventBatch: jsonSchema(eventBatchSchema),
        ShopInput: jsonSchema(shopInputSchema),
        ErasureRequest: jsonSchema(erasureRequestSchema),
        LifecycleJob: {
          type: 'object',
          required: ['jobId', 'kind', 'shopId', 'status', 'startedAt', 'updatedAt'],
          properties: {
            jobId: { type: 'string' },
            kind: { type: 'string', enum: ['shop-deletion', 'erasure'] },
            shopId: { type: 'string' },
            status: { type: 'string', enum: ['counting', 'deleting', 'erasing', 'done'] },
            itemsFound: { type: ['integer', 'null'], description: 'deletion: items of the shop the counting pass found' },
            itemsDeleted: { type: 'integer', description: 'deletion' },
            itemsLeft: { type: ['integer', 'null'], description: 'deletion: items still to delete (null while counting)' },
            itemsScanned: { type: 'integer', description: 'table items read so far' },
            itemsChanged: { type: 'integer', description: 'erasure: items rewritten' },
            pass: { type: 'integer', description: 'erasure: passes over the shop (another one runs when a pass finds more of the person’s identifiers)' },
            startedAt: { type: 'string', format: 'date-time' },
            updatedAt: { type: 'string', format: 'date-time' },
            finishedAt: { type: 'string', format: 'date-time' },
          },
        },
        Shop: {
          allOf: [shopSettingsView(), { type: 'object', required: ['shopId', 'updatedAt'], properties: { shopId: { type: 'string' }, updatedAt: { type: 'string', format: 'date-time' } } }],
        },
        Rebuild: jsonSchema(rebuildSchema),
        DigestRun: jsonSchema(runDigestSchema),
        OrderWebhookSecret: jsonSchema(orderWebhookSecretSchema),
        ProductCosts: jsonSchema(productCostsSchema),
        Order: {
          type: 'object',
          description: `An order's derived state and what it is credited to, with the reason. ${ORDER_ID_SCHEME}`,
          properties: {
            shopId: { type: 'string' },
            orderId: { type: 'string' },
            currency: { type: 'string' },
            status: { type: 'string', enum: ['pending', 'created', 'delivered', 'returned', 'cancelled'], description: '`pending`: only later states have arrived so far' },
            total: { type: ['number', 'null'] },
            cost: { type: ['number', 'null'], description: 'Cost of goods (line costs, else the product cost table); null when unknown' },
            createdAt: { type: ['string', 'null'], format: 'date-time' },
            cancelledAt: { type: ['string', 'null'], format: 'date-time' },
            deliveredAt: { type: ['string', 'null'], format: 'date-time' },
            returnedAt: { type: ['string', 'null'], format: 'date-time' },
            pageId: { type: ['string', 'null'], description: 'The page the order counts on; null: shop totals only' },
            conversation: {
              type: ['object', 'null'],
              properties: { pageId: { type: 'string' }, customerId: { type: 'string' }, linkedBy: { type: ['string', 'null'], enum: ['note_attributes', 'phone', null], description: 'null: recorded before the reason was kept' } },
            },
            staff: { type: 'object', properties: { staffId: { type: 'string', description: '`unknown` when no note attribute names a staff member of the shop' }, reason: { type: 'string', enum: ['note_attributes', 'none'] } } },
            ad: { type: ['object', 'null'], properties: { adId: { type: 'string' }, reason: { type: 'string', enum: ['note_attributes', 'referral'] } } },
            referralCode: { type: ['string', 'null'] },
          },
        },
        ApiKeyRequest: jsonSchema(apiKeyRequestSchema),
        LocalizedText: { type: 'object', required: ['vi-VN', 'en'], properties: { 'vi-VN': { type: 'string' }, en: { type: 'string' } } },
        MetricDefinition: metricDefinitionSchema,
        ReportLink: jsonSchema(reportLinkSchema),
        WaitingLink: jsonSchema(waitingLinkSchema),
        Alerts: { ...jsonSchema(alertsSchema), description: ALERTS_DESCRIPTION },
        AlertsView: {
          type: 'object',
          description: 'Alerts as the admin API shows them: a webhook channel carries secretSet and the secret’s last four characters, never the secret.',
          required: ['channels'],
          properties: {
            warnBeforeMinutes: { type: 'integer', minimum: 1, maximum: 1439 },
            channels: {
              type: 'array',
              items: {
                oneOf: [
                  { type: 'object', required: ['type', 'to'], properties: { type: { const: 'email' }, to: { type: 'string', format: 'email' } } },
                  {
                    type: 'object',
                    required: ['type', 'url', 'secretSet', 'secretLast4'],
                    properties: { type: { const: 'webhook' }, url: { type: 'string' }, secretSet: { const: true }, secretLast4: { type: 'string', minLength: 4, maxLength: 4 } },
                    not: { required: ['secret'] },
                  },
                ],
              },
            },
          },
        },
        WaitingList: {
          type: 'object',
          required: ['shopId', 'generatedAt', 'timezone', 'responseSlaMinutes', 'count', 'waits'],
          properties: {
            shopId: { type: 'string' },
            generatedAt: { type: 'string', format: 'date-time' },
            timezone: { type: 'string' },
            responseSlaMinutes: { type: 'integer' },
            count: { type: 'integer', minimum: 0 },
            waits: { type: 'array', description: 'Every open wait, oldest first', items: { $ref: '#/components/schemas/WaitingRow' } },
          },
        },
        WaitingRow: {
          type: 'object',
          required: ['pageId', 'channel', 'customerId', 'waitingSince', 'workingMinutesWaited', 'minutesLeft', 'lastRepliedBy'],
          properties: {
            pageId: { type: 'string' },
            pageName: { type: 'string' },
            channel: { type: 'string' },
            customerId: { type: 'string' },
            waitingSince: { type: 'string', format: 'date-time', description: 'When the wait opened (the first unanswered inbound message or comment)' },
            workingMinutesWaited: { type: 'integer', minimum: 0, description: 'Whole minutes of the shop working hours since waitingSince' },
            minutesLeft: { type: 'integer', description: 'responseSlaMinutes minus the working time waited, rounded up; 0 or negative once the SLA is missed' },
            lastRepliedBy: { type: ['string', 'null'], description: 'Staff id of the last reply in this conversation, `automated`, `unknown`, or null when it has none' },
            lastRepliedByName: { type: 'string' },
          },
        },
        AlertWebhookBody: {
          type: 'object',
          description:
            'What a webhook channel receives (POST, JSON), signed `X-Chatpulse-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" with the channel secret>`; `X-Chatpulse-Delivery` is the same on every retry of one delivery (use it to drop repeats). One body per shop, threshold and minute lists every wait that reached the threshold in that minute.',
          properties: {
            type: { const: 'chatpulse.sla_alert' },
            id: { type: 'string' },
            shopId: { type: 'string' },
            shopName: { type: 'string' },
            threshold: { type: 'string', enum: ['warning', 'breach'] },
            responseSlaMinutes: { type: 'integer' },
            warnBeforeMinutes: { type: 'integer' },
            timezone: { type: 'string' },
            window: { type: 'string', format: 'date-time', description: 'The minute the waits reached the threshold in' },
            sentAt: { type: 'string', format: 'date-time' },
            waits: { type: 'array', items: { $ref: '#/components/schemas/WaitingRow' } },
          },
        },
        Totals: metricsSchema('overview'),
        Funnel: metricsSchema('funnel'),
        HourProfiles: metricsSchema('profile'),
        ChatStaffRow: metricsSchema('staff-chat', { staffId: { type: 'string' }, name: { type: 'string' } }),
        SalesStaffRow: metricsSchema('staff-sales', { staffId: { type: 'string' }, name: { type: 'string' } }),
        AdRow: metricsSchema('ads', {
          adId: { type: 'string', description: 'The platform ad id, a string of digits (never a number: 17 digits do not fit a double)' },
          adName: { type: ['string', 'null'], description: 'The ad’s name from `ad.spend` (`adName`), else the title its referrals carried (`adTitle`); null when unknown. Show it instead of the id.' },
          campaignId: { type: ['string', 'null'] },
          campaignName: { type: ['string', 'null'], description: 'The campaign’s name from `ad.spend`; null when unknown' },
        }),
        ReferralRow: metricsSchema('referrals'),
      },
    },
    paths: {
      '/v1/events': {
        post: {
          summary: 'Send canonical events (up to 500)',
          security: [{ shopKey: [] }],
          requestBody: { required: true, ...json({ $ref: '#/components/schemas/EventBatch' }) },
          responses: { '202': { description: 'Accepted', ...json({ type: 'object', properties: { accepted: { type: 'integer' }, duplicates: { type: 'integer' } } }) }, ...errors(400, 401, 413, 429) },
        },
      },
      '/v1/shops/{shopId}/reports/{report}': {
        get: {
          summary: 'A report as JSON, CSV (for machines), xlsx (a typed spreadsheet for people) or an HTML page',
          security: [{ shopKey: [] }],
          parameters: [
            { name: 'shopId', in: 'path', required: true, schema: { type: 'string' } },
            { name: 'report', in: 'path', required: true, schema: { type: 'string', enum: [...REPORT_NAMES] } },
            ...reportQueryParameters(),
          ],
          responses: { '200': {
              description:
                'The report. overview: totals, previous and series entries are Totals, funnel is Funnel, reachByHour/interactionsByHour are HourProfiles; staff-chat rows are ChatStaffRow, staff-sales SalesStaffRow, ads AdRow, referrals ReferralRow. GET /v1/metrics defines every key.',
              content: {
                'application/json': {
                  schema: {
                    oneOf: [
                      {
                        type: 'object',
                        required: ['totals'],
                        properties: {
                          totals: { $ref: '#/components/schemas/Totals' },
                          previous: { $ref: '#/components/schemas/Totals' },
                          previousRange: {
                            type: 'object',
                            description: 'The dates `previous` covers: the previous calendar month for a calendar month, the previous ISO week for an ISO week, the day before for a day, otherwise the range of equal length just before `from`',
                            properties: { from: { type: 'string', format: 'date' }, to: { type: 'string', format: 'date' } },
                          },
                          funnel: { $ref: '#/components/schemas/Funnel' },
                        },
                      },
                      ...['ChatStaffRow', 'SalesStaffRow', 'AdRow', 'ReferralRow'].map((n) => ({ type: 'object', required: ['rows'], properties: { rows: { type: 'array', items: { $ref: `#/components/schemas/${n}` } } } })),
                    ],
                  },
                },
                'text/csv': { schema: { type: 'string', description: "The overview's series or the report's rows; headers are the JSON keys, or the labels of `lang`" } },
                'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': {
                  schema: { type: 'string', format: 'binary', description: "One sheet per table, headers in `lang` (default the shop's locale), header row frozen; numbers, money (currency format), rates (percent), dates and durations as typed cells, ids as text" },
                },
                'text/html': { schema: { type: 'string', description: 'format=html: the report as a page' } },
              },
            }, ...errors(400, 401, 403, 404, 429) },
        },
      },
      '/v1/shops/{shopId}/exports/conversations': {
        get: {
          summary: 'One row per conversation active in the range: JSON pages with nextCursor, or every row as CSV or xlsx',
          security: [{ shopKey: [] }],
          parameters: [{ name: 'shopId', in: 'path', required: true, schema: { type: 'string' } }, ...queryParameters(exportQuerySchema)],
          responses: {
            '200': {
              description: `Rows with ${EXPORT_COLUMNS.join(', ')} (times on the shop's clock with its offset); CSV and xlsx have the same columns (CSV: staff ids space-separated, names comma-separated; headers the keys, or the labels of \`lang\`; xlsx headers in \`lang\`, default the shop's locale). A cursor that was altered or belongs to another query answers 400.`,
              content: {
                'application/json': { schema: { type: 'object', properties: { rows: { type: 'array', items: { type: 'object' } }, nextCursor: { type: ['string', 'null'] } } } },
                'text/csv': { schema: { type: 'string' } },
                'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { schema: { type: 'string', format: 'binary' } },
              },
            },
            ...errors(400, 401, 403, 404, 429),
          },
        },
      },
      '/v1/shops/{shopId}/rejected-events': {
        get: {
          summary: 'Events of the last 30 days acknowledged but not counted, and why (newest first)',
          description:
            'One row per event id (a redelivery is listed once): `reason` is `too_late` (older than LATE_EVENT_DAYS), `in_future` (more than 24 h ahead), `invalid` (did not fit the event model; `detail` names the field and rule), `currency_mismatch` (an order in another currency than the shop\'s; never converted), `unknown_page` (an order whose note_attributes name a page that is not the shop\'s: the order counts without it; id `<orderId>:page`) or `test_order` (Shopify `test: true`); `at` is the event\'s own time when it had one, `rejectedAt` when it was refused, `source` meta, zalo, haravan, sapo, shopify or api. No personal data.',
          security: [{ shopKey: [] }],
          parameters: [{ name: 'shopId', in: 'path', required: true, schema: { type: 'string' } }, ...queryParameters(rejectedQuerySchema)],
          responses: {
            '200': {
              description: 'A page of rows; pass nextCursor back as cursor for the next one (null at the end). A cursor of another shop or an altered one answers 400.',
              ...json({
                type: 'object',
                required: ['shopId', 'from', 'to', 'timezone', 'generatedAt', 'rows', 'nextCursor'],
                properties: {
                  shopId: { type: 'string' },
                  from: { type: 'string', format: 'date' },
                  to: { type: 'string', format: 'date' },
                  timezone: { type: 'string' },
                  generatedAt: { type: 'string', format: 'date-time' },
                  rows: {
                    type: 'array',
                    items: {
                      type: 'object',
                      required: ['eventId', 'reason', 'source', 'rejectedAt'],
                      properties: {
                        eventId: { type: 'string' },
                        reason: { type: 'string', enum: [...REJECTED_REASONS] },
                        source: { type: 'string' },
                        at: { type: 'string', format: 'date-time' },
                        detail: { type: 'string' },
                        rejectedAt: { type: 'string', format: 'date-time' },
                      },
                    },
                  },
                  nextCursor: { type: ['string', 'null'] },
                },
              }),
            },
            ...errors(400, 401, 403, 404, 429),
          },
        },
      },
      '/v1/shops/{shopId}/insights': {
        get: {
          summary: 'What changed and why: at most three figures outside their usual range (daily: the same weekday of the four weeks before; weekly: the four weeks before), where they moved, one sentence each',
          security: [{ shopKey: [] }],
          parameters: [{ name: 'shopId', in: 'path', required: true, schema: { type: 'string' } }, ...queryParameters(insightsQuerySchema)],
          responses: {
            '200': {
              description: 'Insights strongest first (by effect on revenue plus customers left waiting); an empty list on an ordinary day. Read from rollups, plus the waits still open whose SLA ran out (missed conversations, counted as the staff-chat report counts them); figures rounded and sentences formatted as the digest shows them.',
              ...json({
                type: 'object',
                properties: {
                  shopId: { type: 'string' },
                  period: { type: 'string', enum: ['daily', 'weekly'] },
                  from: { type: 'string', format: 'date' },
                  to: { type: 'string', format: 'date' },
                  comparedWith: { type: 'array', items: { type: 'object', properties: { from: { type: 'string', format: 'date' }, to: { type: 'string', format: 'date' } } } },
                  timezone: { type: 'string' },
                  currency: { type: 'string' },
                  generatedAt: { type: 'string', format: 'date-time' },
                  lang: { type: 'string', enum: ['vi-VN', 'en'] },
                  insights: {
                    type: 'array',
                    maxItems: 3,
                    items: {
                      type: 'object',
                      required: ['figure', 'direction', 'value', 'usual', 'low', 'high', 'place', 'sentence'],
                      properties: {
                        figure: { type: 'string', enum: [...FIGURE_KEYS] },
                        unit: { type: 'string', enum: ['count', 'money', 'rate', 'seconds', 'moneyPer', 'multiple'] },
                        direction: { type: 'string', enum: ['up', 'down'] },
                        worse: { type: 'boolean', description: 'the move is bad news' },
                        value: { type: 'number', description: 'money in major units, rates as fractions, times in seconds' },
                        usual: { type: 'number', description: 'median of the comparison periods' },
                        low: { type: 'number' },
                        high: { type: 'number', description: 'the usual range: median ± 3 robust spreads for the SLA rate; for positive figures the gamma range of the same median and spread, median × (1 − c²/9 ± c)³ with c = spread / median' },
                        place: { ...PLACE, description: 'the slice that explains most of the change; null when none explains half' },
                        also: { ...PLACE, description: 'inside place: the page (or a page\'s shift) that explains most of it' },
                        ad: { type: 'object', properties: { adId: { type: 'string' }, name: { type: 'string' }, spend: { type: 'number' }, revenue: { type: 'number' } } },
                        effect: { type: 'object', properties: { revenue: { type: 'number' }, customers: { type: 'integer' } } },
                        score: { type: 'number' },
                        sentence: { type: 'string' },
                      },
                    },
                  },
                },
              }),
            },
            ...errors(400, 401, 403, 404, 429),
          },
        },
      },
      '/v1/shops/{shopId}/report-links': {
        post: {
          summary: "A signed URL opening a report as an HTML page without a key (default 7 days; POST /v1/admin/shops/{shopId}/report-links/revoke revokes the shop's links, rotating REPORT_LINK_KEY revokes all)",
          security: [{ shopKey: [] }],
          parameters: [{ name: 'shopId', in: 'path', required: true, schema: { type: 'string' } }],
          requestBody: { required: true, ...json({ $ref: '#/components/schemas/ReportLink' }) },
          responses: { '201': { description: 'The link', ...json({ type: 'object', properties: { url: { type: 'string' }, expiresAt: { type: 'string', format: 'date-time' } } }) }, ...errors(400, 401, 403, 404, 429) },
        },
      },
      '/v1/shops/{shopId}/waiting': {
        get: {
          summary: 'Who is waiting for a reply now: every open wait, oldest first, with working minutes waited and minutes left before the SLA',
          description: 'Read from the open-waits index (one Query per shard, never a scan). format=html returns the page a signed link opens (POST /v1/shops/{shopId}/waiting-links).',
          security: [{ shopKey: [] }],
          parameters: [
            { name: 'shopId', in: 'path', required: true, schema: { type: 'string' } },
            { name: 'pageId', in: 'query', required: false, description: 'Only these pages (repeatable or comma-separated)', schema: { type: 'array', items: { type: 'string' } }, style: 'form', explode: true },
            { name: 'channel', in: 'query', required: false, schema: { type: 'string', enum: ['facebook', 'instagram', 'zalo'] } },
            { name: 'format', in: 'query', required: false, schema: { type: 'string', enum: ['json', 'html'], default: 'json' } },
          ],
          responses: { '200': { description: 'The waiting list', content: { 'application/json': { schema: { $ref: '#/components/schemas/WaitingList' } }, 'text/html': {} } }, ...errors(400, 401, 403, 404, 429) },
        },
      },
      '/v1/shops/{shopId}/waiting-links': {
        post: {
          summary: 'A signed URL opening the waiting list as a page without a key (for a phone; default 7 days)',
          security: [{ shopKey: [] }],
          parameters: [{ name: 'shopId', in: 'path', required: true, schema: { type: 'string' } }],
          requestBody: { required: false, ...json({ $ref: '#/components/schemas/WaitingLink' }) },
          responses: { '201': { description: 'The link (to /v1/report-pages/{shopId}/waiting)', ...json({ type: 'object', properties: { url: { type: 'string' }, expiresAt: { type: 'string', format: 'date-time' } } }) }, ...errors(400, 401, 403, 429) },
        },
      },
      '/v1/admin/shops/{shopId}/alerts': {
        get: {
          summary: "The shop's SLA alert groups since `since` (default 24 h; kept 7 days) with each channel's delivery status",
          security: [{ adminToken: [] }],
          parameters: [
            { name: 'shopId', in: 'path', required: true, schema: { type: 'string' } },
            { name: 'since', in: 'query', required: false, schema: { type: 'string', format: 'date-time' } },
          ],
          responses: {
            '200': {
              description: 'groups: [{window, threshold, part, waits, sentAt, oldestWaitSince, deliveries: [{channel, type, target, status (pending, delivered, retrying, dead_lettered, dropped, suppressed), attempts, at, lastError?}]}]',
              ...json({ type: 'object', properties: { shopId: { type: 'string' }, since: { type: 'string', format: 'date-time' }, groups: { type: 'array', items: { type: 'object' } } } }),
            },
            ...errors(400, 401, 404),
          },
        },
      },
      '/v1/report-pages/{shopId}/{report}': {
        get: {
          summary: "A signed report link: the HTML page (no key; the query carries exp, gen and sig; 403 once the shop's links were revoked)",
          parameters: [
            { name: 'shopId', in: 'path', required: true, schema: { type: 'string' } },
            { name: 'report', in: 'path', required: true, schema: { type: 'string', enum: [...REPORT_NAMES, 'waiting'] } },
          ],
          responses: {
            '200': { description: 'text/html, no script', content: { 'text/html': { schema: { type: 'string' } } } },
            '403': { description: "The link expired, was altered or revoked: a short HTML page saying so in the link's language (its lang, else the shop's locale)", content: { 'text/html': { schema: { type: 'string' } } } },
            '404': { description: 'The shop is gone: a short HTML page', content: { 'text/html': { schema: { type: 'string' } } } },
            ...errors(429),
          },
        },
      },
      '/v1/glossary': {
        get: {
          summary: 'What the figures mean: every metric definition as an HTML page for people (no key); report pages link their labels to its anchors (#<group>-<key>)',
          parameters: [{ name: 'lang', in: 'query', required: false, schema: { type: 'string', enum: ['vi', 'en'], default: 'vi' } }],
          responses: { '200': { description: 'text/html, no script', content: { 'text/html': { schema: { type: 'string' } } } } },
        },
      },
      '/v1/metrics': {
        get: {
          summary: 'Every metric key with its definition and time basis (vi-VN and en)',
          responses: {
            '200': {
              description: 'The definitions the README table and these schemas (Totals, ChatStaffRow, …) are generated from',
              ...json({ type: 'object', properties: { locales: { type: 'array', items: { type: 'string' } }, metrics: { type: 'array', items: { $ref: '#/components/schemas/MetricDefinition' } } } }),
            },
          },
        },
      },
      '/v1/admin/shops/{shopId}': {
        put: {
          summary: 'Create or replace a shop',
          security: [{ adminToken: [] }],
          parameters: [{ name: 'shopId', in: 'path', required: true, schema: { type: 'string' } }],
          requestBody: { required: true, ...json({ $ref: '#/components/schemas/ShopInput' }) },
          responses: { '200': { description: 'The stored shop', ...json({ $ref: '#/components/schemas/Shop' }) }, ...errors(400, 401, 409) },
        },
        get: {
          summary: 'The stored settings of a shop (never secrets or keys)',
          security: [{ adminToken: [] }],
          parameters: [{ name: 'shopId', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { '200': { description: 'The stored shop', ...json({ $ref: '#/components/schemas/Shop' }) }, ...errors(400, 401, 404) },
        },
        patch: {
          summary: 'Change only the fields named (JSON merge patch, RFC 7396)',
          description:
            'Members the patch names replace the stored ones (objects merge, arrays replace whole), `null` puts a field back to its default; the result is validated as a whole shop. Concurrent writes never lose each other; at most 98 pages added or removed per call.',
          security: [{ adminToken: [] }],
          parameters: [{ name: 'shopId', in: 'path', required: true, schema: { type: 'string' } }],
          requestBody: { required: true, content: { 'application/merge-patch+json': { schema: { type: 'object' } }, 'application/json': { schema: { type: 'object' } } } },
          responses: { '200': { description: 'The stored shop', ...json({ $ref: '#/components/schemas/Shop' }) }, ...errors(400, 401, 404, 409) },
        },
        delete: {
          summary: 'Delete every item of the shop, as a job',
          description:
            'The shop goes off the air at once (API keys, page claims, settings); its other items (state, rollups, raw events, ledgers, links, secrets, costs) are counted, then deleted, in steps. 200 when done within the request, else 202 and GET /v1/admin/jobs/{jobId} continues it. The job id is delete-{shopId}; a repeated DELETE returns it.',
          security: [{ adminToken: [] }],
          parameters: [{ name: 'shopId', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { '200': { description: 'Done', ...json({ $ref: '#/components/schemas/LifecycleJob' }) }, '202': { description: 'Running', ...json({ $ref: '#/components/schemas/LifecycleJob' }) }, ...errors(400, 401, 404) },
        },
      },
      '/v1/admin/shops/{shopId}/erasure': {
        post: {
          summary: "Erase one person's personal data; the shop's figures stay as they were",
          description:
            'Replaces the customer id (or the phone, and the conversations that gave it) with random stand-ins in conversation state, raw events, orders, phone and comment links; rollups hold no customer ids and are untouched, so every report reads the same. Runs as a job: 200 when done within the request, else 202 and GET /v1/admin/jobs/{jobId} continues it.',
          security: [{ adminToken: [] }],
          parameters: [{ name: 'shopId', in: 'path', required: true, schema: { type: 'string' } }],
          requestBody: { required: true, ...json({ $ref: '#/components/schemas/ErasureRequest' }) },
          responses: { '200': { description: 'Done', ...json({ $ref: '#/components/schemas/LifecycleJob' }) }, '202': { description: 'Running', ...json({ $ref: '#/components/schemas/LifecycleJob' }) }, ...errors(400, 401, 404) },
        },
      },
      '/v1/admin/jobs/{jobId}': {
        get: {
          summary: 'A deletion or erasure job: runs its next steps (for the request’s time budget), then shows its status',
          security: [{ adminToken: [] }],
          parameters: [{ name: 'jobId', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { '200': { description: 'Done', ...json({ $ref: '#/components/schemas/LifecycleJob' }) }, '202': { description: 'Still running: read it again', ...json({ $ref: '#/components/schemas/LifecycleJob' }) }, ...errors(400, 401, 404) },
        },
      },
      '/v1/admin/shops': {
        get: {
          summary: 'List shops in id order',
          security: [{ adminToken: [] }],
          parameters: [
            { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 100, default: 50 } },
            { name: 'cursor', in: 'query', required: false, description: 'nextCursor of the previous page', schema: { type: 'string' } },
          ],
          responses: {
            '200': {
              description: 'One page of shops',
              ...json({ type: 'object', required: ['shops'], properties: { shops: { type: 'array', items: { $ref: '#/components/schemas/Shop' } }, nextCursor: { type: 'string' } } }),
            },
            ...errors(400, 401),
          },
        },
      },
      '/v1/shops/{shopId}/orders/{orderId}': {
        get: {
          summary: 'An order’s state and attribution (why it is credited to its conversation, staff and ad)',
          description: ORDER_ID_SCHEME,
          security: [{ shopKey: [] }],
          parameters: [
            { name: 'shopId', in: 'path', required: true, schema: { type: 'string' } },
            { name: 'orderId', in: 'path', required: true, description: '`<platform>:<platform order id>`, e.g. `haravan:1001234567` (`:` may be sent as `%3A`)', schema: { type: 'string' } },
          ],
          responses: { '200': { description: 'The order', ...json({ $ref: '#/components/schemas/Order' }) }, ...errors(400, 401, 403, 404, 429) },
        },
      },
      '/v1/admin/shops/{shopId}/order-webhooks/{platform}': {
        put: {
          summary: 'Set the shop’s signing secret for an order platform (never returned)',
          security: [{ adminToken: [] }],
          parameters: [
            { name: 'shopId', in: 'path', required: true, schema: { type: 'string' } },
            { name: 'platform', in: 'path', required: true, schema: { type: 'string', enum: ['haravan', 'sapo', 'shopify'] } },
          ],
          requestBody: { required: true, ...json({ $ref: '#/components/schemas/OrderWebhookSecret' }) },
          responses: { '204': { description: 'Stored' }, ...errors(400, 401, 404) },
        },
      },
      '/v1/admin/shops/{shopId}/product-costs': {
        put: {
          summary: 'Replace the product cost table (used when an order line carries no cost; variant id first, then SKU)',
          security: [{ adminToken: [] }],
          parameters: [{ name: 'shopId', in: 'path', required: true, schema: { type: 'string' } }],
          requestBody: { required: true, ...json({ $ref: '#/components/schemas/ProductCosts' }) },
          responses: { '200': { description: 'Stored', ...json({ type: 'object', properties: { items: { type: 'integer' }, deleted: { type: 'integer' } } }) }, ...errors(400, 401, 404, 413) },
        },
      },
      '/v1/admin/shops/{shopId}/api-keys': {
        post: { summary: 'Issue an API key (shown once; only its hash is stored)', security: [{ adminToken: [] }], parameters: [{ name: 'shopId', in: 'path', required: true, schema: { type: 'string' } }], requestBody: { required: false, ...json({ $ref: '#/components/schemas/ApiKeyRequest' }) }, responses: { '201': { description: 'Created', ...json({ type: 'object', properties: { keyId: { type: 'string' }, apiKey: { type: 'string' } } }) }, ...errors(400, 401, 404) } },
        get: { summary: "List a shop's API keys (never the key)", security: [{ adminToken: [] }], parameters: [{ name: 'shopId', in: 'path', required: true, schema: { type: 'string' } }], responses: { '200': { description: 'keys: [{keyId, name, createdAt, lastUsedAt, expiresAt}]' }, ...errors(401, 404) } },
      },
      '/v1/admin/shops/{shopId}/api-keys/{keyId}': {
        delete: { summary: 'Revoke an API key (stops working within the authorizer cache time)', security: [{ adminToken: [] }], parameters: [{ name: 'shopId', in: 'path', required: true, schema: { type: 'string' } }, { name: 'keyId', in: 'path', required: true, schema: { type: 'string' } }], responses: { '204': { description: 'Revoked' }, ...errors(401, 404) } },
      },
      '/v1/admin/shops/{shopId}/report-links/revoke': {
        post: {
          summary: "Revoke every report link of this shop signed so far (digests' links too); links signed afterwards and other shops' links keep working",
          security: [{ adminToken: [] }],
          parameters: [{ name: 'shopId', in: 'path', required: true, schema: { type: 'string' } }],
          responses: {
            '200': { description: 'Revoked', ...json({ type: 'object', properties: { shopId: { type: 'string' }, linkGeneration: { type: 'integer' }, revokedAt: { type: 'string', format: 'date-time' } } }) },
            ...errors(400, 401, 404),
          },
        },
      },
      '/v1/admin/rebuild': {
        post: { summary: 'Rebuild rollups from raw events', security: [{ adminToken: [] }], requestBody: { required: true, ...json({ $ref: '#/components/schemas/Rebuild' }) }, responses: { '200': { description: 'Rebuilt' }, ...errors(400, 401, 404) } },
      },
      '/v1/admin/digests/run': {
        post: { summary: 'Run a digest now (still once per recipient and period)', security: [{ adminToken: [] }], requestBody: { required: true, ...json({ $ref: '#/components/schemas/DigestRun' }) }, responses: { '202': { description: 'Queued' }, ...errors(400, 401, 404) } },
      },
      '/v1/admin/shops/{shopId}/digests': {
        get: {
          summary: "Each recipient's digest status for one period",
          description:
            'Per recipient of the shop: not_queued, queued, sending, sent, released (a passing failure, retried), failed (refused by SES), bounced or complained (SES feedback), with queuedAt/sentAt/feedbackAt, the reason (detail) and the suppression when digests to that address are stopped.',
          security: [{ adminToken: [] }],
          parameters: [
            { name: 'shopId', in: 'path', required: true, schema: { type: 'string' } },
            { name: 'period', in: 'query', required: true, schema: { type: 'string', enum: ['daily', 'weekly'] } },
            { name: 'date', in: 'query', required: true, description: 'The day (daily) or any day of the ISO week (weekly), YYYY-MM-DD', schema: { type: 'string', format: 'date' } },
          ],
          responses: {
            '200': {
              description: 'Statuses',
              ...json({
                type: 'object',
                properties: {
                  shopId: { type: 'string' },
                  period: { type: 'string', enum: ['daily', 'weekly'] },
                  periodKey: { type: 'string', description: 'YYYY-MM-DD or YYYY-Www' },
                  recipients: {
                    type: 'array',
                    items: {
                      type: 'object',
                      required: ['email', 'subscribed', 'status'],
                      properties: {
                        email: { type: 'string' },
                        subscribed: { type: 'boolean' },
                        status: { type: 'string', enum: ['not_queued', 'queued', 'sending', 'sent', 'released', 'failed', 'bounced', 'complained'] },
                        queuedAt: { type: 'string', format: 'date-time' },
                        sentAt: { type: 'string', format: 'date-time' },
                        feedbackAt: { type: 'string', format: 'date-time' },
                        detail: { type: 'string' },
                        suppressed: { type: 'object', properties: { reason: { type: 'string', enum: ['bounce', 'complaint'] }, at: { type: 'string', format: 'date-time' } } },
                      },
                    },
                  },
                },
              }),
            },
            ...errors(400, 401, 404),
          },
        },
      },
      '/v1/admin/shops/{shopId}/suppressions': {
        get: {
          summary: 'Addresses no digest of this shop goes to (SES reported a permanent bounce or a complaint)',
          security: [{ adminToken: [] }],
          parameters: [{ name: 'shopId', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { '200': { description: 'suppressions: [{email, reason: bounce|complaint, at, detail?}]' }, ...errors(401) },
        },
      },
      '/v1/admin/shops/{shopId}/suppressions/{email}': {
        delete: {
          summary: 'Lift a suppression: digests go to the address again',
          security: [{ adminToken: [] }],
          parameters: [
            { name: 'shopId', in: 'path', required: true, schema: { type: 'string' } },
            { name: 'email', in: 'path', required: true, schema: { type: 'string' } },
          ],
          responses: { '204': { description: 'Lifted' }, ...errors(401, 404) },
        },
      },
      '/webhooks/meta': {
        get: { summary: 'Meta subscription check', responses: { '200': { description: 'The challenge' }, '403': { description: 'Wrong verify token' } } },
        post: { summary: 'Meta webhooks (X-Hub-Signature-256)', responses: { '200': { description: 'Accepted' }, ...errors(400, 401, 413) } },
      },
      '/webhooks/zalo': { post: { summary: 'Zalo OA webhooks (X-ZEvent-Signature)', responses: { '200': { description: 'Accepted' }, ...errors(400, 401, 413) } } },
      '/webhooks/orders/{platform}/{shopId}': {
        post: {
          summary: 'Order webhooks of haravan, sapo, shopify for one shop',
          description: `Signed with the shop's own secret for the platform (base64 HMAC-SHA256 of the raw body in X-Haravan-Hmacsha256, X-Sapo-Hmac-Sha256 or X-Shopify-Hmac-Sha256; topic in X-*-Topic). A topic that is not an order topic is acknowledged with 200 {ignored}. The topic header is not signed: whether the body is an order or one fulfillment, and its state (cancelled, delivered, returned), come from the body alone. A test order (\`test: true\`) answers 200 {ignored: "test"} and a body in another currency than the shop's 200 {ignored: "currency_mismatch"}: neither is counted, both are listed by GET /v1/shops/{shopId}/rejected-events. ${ORDER_ID_SCHEME}`,
          parameters: [
            { name: 'platform', in: 'path', required: true, schema: { type: 'string', enum: ['haravan', 'sapo', 'shopify'] } },
            { name: 'shopId', in: 'path', required: true, schema: { type: 'string' } },
          ],
          responses: { '200': { description: 'Accepted, or {ignored: topic}' }, ...errors(400, 401, 404, 413) },
        },
      },
      '/v1/openapi.json': { get: { summary: 'This document', responses: { '200': { description: 'OpenAPI 3.1', ...json({ type: 'object' }) } } } },
      '/healthz': { get: { summary: 'Health', responses: { '200': { description: 'ok', ...json({ type: 'object', properties: { ok: { type: 'boolean' } } }) } } } },
    },
  };
}
