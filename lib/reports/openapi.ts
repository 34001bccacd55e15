import * as z from 'zod';
import { eventBatchSchema, EVENT_KINDS } from '#lib/events/schema.ts';
import { shopInputSchema } from '#lib/shops/schema.ts';
import { REPORT_NAMES } from '#lib/reports/types.ts';
import { reportQuerySchema } from '#lib/reports/query.ts';
import { rebuildSchema } from '#lib/admin/rebuild.ts';
import { runDigestSchema } from '#lib/digests/dispatch.ts';
import { orderWebhookSecretSchema, productCostsSchema } from '#lib/admin/order-settings.ts';

/** How orders are named (SPEC §1.3), shared by the document description and the order routes. */
export const ORDER_ID_SCHEME =
  'Orders from webhooks are named `<platform>:<platform order id>` (e.g. `haravan:1001234567`, `shopify:5678901234567`, `sapo:14900465`), the platform id kept as its exact digits; canonical `order.*` events about the same order must use the same orderId.';

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

const json = (schema: unknown) => ({ content: { 'application/json': { schema } } });
const errors = (...codes: number[]) => Object.fromEntries(codes.map((c) => [String(c), { description: 'Error', ...json({ $ref: '#/components/schemas/Error' }) }]));
const jsonSchema = (s: z.ZodType) => {
  const { $schema: _, ...rest } = z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
};

type JsonSchema = { type?: string; items?: JsonSchema; anyOf?: JsonSchema[]; description?: string; [k: string]: unknown };

/**
 * Query parameters from the report query zod schema: a property that is
 * "one value or a list" (`pageId`) becomes a repeatable (`form`, exploded)
 * array parameter.
 */
function reportQueryParameters() {
  const s = jsonSchema(reportQuerySchema) as { properties: Record<string, JsonSchema>; required?: string[] };
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
          summary: 'A report as JSON or CSV',
          security: [{ shopKey: [] }],
          parameters: [
            { name: 'shopId', in: 'path', required: true, schema: { type: 'string' } },
            { name: 'report', in: 'path', required: true, schema: { type: 'string', enum: [...REPORT_NAMES] } },
            ...reportQueryParameters(),
          ],
          responses: { '200': { description: 'The report', content: { 'application/json': {}, 'text/csv': {} } }, ...errors(400, 401, 403, 404, 429) },
        },
      },
      '/v1/admin/shops/{shopId}': {
        put: {
          summary: 'Create or replace a shop',
          security: [{ adminToken: [] }],
          parameters: [{ name: 'shopId', in: 'path', required: true, schema: { type: 'string' } }],
          requestBody: { required: true, ...json({ $ref: '#/components/schemas/ShopInput' }) },
          responses: { '200': { description: 'The stored shop' }, ...errors(400, 401, 409) },
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
          responses: { '200': { description: 'The order', ...json({ $ref: '#/components/schemas/Order' }) }, ...errors(401, 403, 404) },
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
        post: { summary: 'Issue an API key (shown once)', security: [{ adminToken: [] }], parameters: [{ name: 'shopId', in: 'path', required: true, schema: { type: 'string' } }], responses: { '201': { description: 'Created', ...json({ type: 'object', properties: { apiKey: { type: 'string' } } }) }, ...errors(401, 404) } },
      },
      '/v1/admin/rebuild': {
        post: { summary: 'Rebuild rollups from raw events', security: [{ adminToken: [] }], requestBody: { required: true, ...json({ $ref: '#/components/schemas/Rebuild' }) }, responses: { '200': { description: 'Rebuilt' }, ...errors(400, 401, 404) } },
      },
      '/v1/admin/digests/run': {
        post: { summary: 'Run a digest now (still once per recipient and period)', security: [{ adminToken: [] }], requestBody: { required: true, ...json({ $ref: '#/components/schemas/DigestRun' }) }, responses: { '202': { description: 'Queued' }, ...errors(400, 401, 404) } },
      },
      '/webhooks/meta': {
        get: { summary: 'Meta subscription check', responses: { '200': { description: 'The challenge' }, '403': { description: 'Wrong verify token' } } },
        post: { summary: 'Meta webhooks (X-Hub-Signature-256)', responses: { '200': { description: 'Accepted' }, ...errors(400, 401, 413) } },
      },
      '/webhooks/zalo': { post: { summary: 'Zalo OA webhooks (X-ZEvent-Signature)', responses: { '200': { description: 'Accepted' }, ...errors(400, 401, 413) } } },
      '/webhooks/orders/{platform}/{shopId}': {
        post: {
          summary: 'Order webhooks of haravan, sapo, shopify for one shop',
          description: `Signed with the shop's own secret for the platform (base64 HMAC-SHA256 of the raw body in X-Haravan-Hmacsha256, X-Sapo-Hmac-Sha256 or X-Shopify-Hmac-Sha256; topic in X-*-Topic). A topic that is not an order topic is acknowledged with 200 {ignored}. ${ORDER_ID_SCHEME}`,
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
