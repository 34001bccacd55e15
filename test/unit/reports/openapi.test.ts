import { describe, expect, it } from 'vitest';
import { openApiDocument } from '#lib/reports/openapi.ts';

const KINDS = [
  'message.received', 'comment.received', 'reply.sent', 'order.created', 'order.cancelled', 'order.delivered',
  'order.returned', 'ad.spend', 'referral.joined', 'referral.shared', 'page.connected', 'page.disconnected',
];

describe('openApiDocument', () => {
  const doc = openApiDocument('https://api.example.vn');

  it('is OpenAPI 3.1 with every route of SPEC §1.4, §4.1 and §4.2', () => {
    expect(doc.openapi).toBe('3.1.0');
    const routes = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`));
    for (const r of [
      'POST /v1/events',
      'GET /v1/shops/{shopId}/reports/{report}',
      'PUT /v1/admin/shops/{shopId}',
      'GET /v1/admin/shops/{shopId}',
      'PATCH /v1/admin/shops/{shopId}',
      'GET /v1/admin/shops',
      'DELETE /v1/admin/shops/{shopId}',
      'POST /v1/admin/shops/{shopId}/erasure',
      'GET /v1/admin/jobs/{jobId}',
      'POST /v1/admin/shops/{shopId}/api-keys',
      'POST /v1/admin/rebuild',
      'POST /v1/admin/digests/run',
      'GET /v1/shops/{shopId}/orders/{orderId}',
      'GET /v1/shops/{shopId}/rejected-events',
      'PUT /v1/admin/shops/{shopId}/order-webhooks/{platform}',
      'PUT /v1/admin/shops/{shopId}/product-costs',
      'POST /webhooks/orders/{platform}/{shopId}',
      'GET /healthz',
      'GET /v1/openapi.json',
      'GET /v1/metrics',
      'GET /v1/shops/{shopId}/waiting',
      'POST /v1/shops/{shopId}/waiting-links',
      'GET /v1/admin/shops/{shopId}/alerts',
    ]) expect(routes).toContain(r);
  });

  it("documents the per-shop limits (429 with Retry-After) and the revocation of a shop's report links", () => {
    for (const [p, m] of [['/v1/events', 'post'], ['/v1/shops/{shopId}/reports/{report}', 'get'], ['/v1/shops/{shopId}/exports/conversations', 'get'], ['/v1/shops/{shopId}/orders/{orderId}', 'get'], ['/v1/shops/{shopId}/report-links', 'post'], ['/v1/report-pages/{shopId}/{report}', 'get']] as const) {
      const r429 = (doc.paths as any)[p][m].responses['429'];
      expect(r429?.headers?.['Retry-After']?.schema, `${m} ${p}`).toEqual({ type: 'integer', minimum: 1 });
    }
    const revoke = (doc.paths as any)['/v1/admin/shops/{shopId}/report-links/revoke'].post;
    expect(revoke.security).toEqual([{ adminToken: [] }]);
    expect(Object.keys(revoke.responses['200'].content['application/json'].schema.properties)).toEqual(['shopId', 'linkGeneration', 'revokedAt']);
  });

  it('documents the order id scheme where integrators look for it', () => {
    expect(doc.info.description).toContain('`<platform>:<platform order id>`');
    expect(doc.paths['/v1/shops/{shopId}/orders/{orderId}'].get.description).toContain('haravan:1001234567');
    expect(JSON.stringify(doc.components.schemas.ProductCosts)).toContain('"variantId"');
  });

  it('has both bearer schemes and uses them per route', () => {
    expect(doc.components.securitySchemes).toMatchObject({ shopKey: { type: 'http', scheme: 'bearer' }, adminToken: { type: 'http', scheme: 'bearer' } });
    expect(doc.paths['/v1/events'].post.security).toEqual([{ shopKey: [] }]);
    expect(doc.paths['/v1/shops/{shopId}/reports/{report}'].get.security).toEqual([{ shopKey: [] }]);
    expect(doc.paths['/v1/admin/shops/{shopId}'].put.security).toEqual([{ adminToken: [] }]);
  });

  it('describes every canonical event kind, the shop input, the report query and the error shape', () => {
    const batch = JSON.stringify(doc.components.schemas.EventBatch);
    for (const k of KINDS) expect(batch).toContain(`"const":"${k}"`);
    expect(JSON.stringify(doc.components.schemas.ShopInput)).toContain('"responseSlaMinutes"');
    expect(JSON.stringify(doc.components.schemas.ShopInput)).toContain('"warnBeforeMinutes"');
    expect(JSON.stringify(doc.components.schemas.Alerts)).toContain('"webhook"');
    // answers never carry the webhook secret: the shop's alerts are AlertsView there
    const shop = JSON.stringify(doc.components.schemas.Shop);
    expect(shop).toContain('"#/components/schemas/AlertsView"');
    expect(shop).not.toContain('"secret"');
    const view = doc.components.schemas.AlertsView.properties.channels.items.oneOf[1] as { required: string[]; properties: Record<string, unknown> };
    expect(view.required).toEqual(['type', 'url', 'secretSet', 'secretLast4']);
    expect(view.properties.secret).toBeUndefined();
    expect(doc.components.schemas.AlertWebhookBody.description).toContain('X-Chatpulse-Signature: t=<unix seconds>,v1=');
    const params = doc.paths['/v1/shops/{shopId}/reports/{report}'].get.parameters as Array<{ name: string; required: boolean; schema: Record<string, unknown> }>;
    expect(params.map((p) => p.name)).toEqual(['shopId', 'report', 'from', 'to', 'pageId', 'channel', 'granularity', 'format', 'lang']);
    expect(params.find((p) => p.name === 'format')?.schema.enum).toEqual(['json', 'csv', 'xlsx', 'html']);
    expect(params.find((p) => p.name === 'lang')).toMatchObject({ required: false, schema: { enum: ['vi', 'en'] } });
    expect(Object.keys(doc.paths['/v1/shops/{shopId}/reports/{report}'].get.responses['200'].content)).toContain('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(params.find((p) => p.name === 'from')).toMatchObject({ required: true, schema: { type: 'string', format: 'date' } });
    expect(params.find((p) => p.name === 'pageId')).toMatchObject({ required: false, schema: { type: 'array' }, explode: true });
    expect(params.find((p) => p.name === 'channel')?.schema.enum).toEqual(['facebook', 'instagram', 'zalo']);
    expect(doc.components.schemas.Error).toMatchObject({ required: ['error'], properties: { error: { required: ['code', 'message'] } } });
  });
});
