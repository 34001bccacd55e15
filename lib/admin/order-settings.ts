import * as z from '#lib/zod.ts';
import { NotFoundError, ValidationError } from '#lib/errors.ts';
import { parseWith } from '#lib/http/http.ts';
import { ORDER_PLATFORMS, parseDecimal } from '#lib/adapters/orders.ts';
import { getShop } from '#lib/store/shops.ts';
import { putOrderWebhookSecret } from '#lib/store/order-secrets.ts';
import { replaceProductCosts, type CostEntry } from '#lib/store/product-costs.ts';

/** Per-shop order settings of the admin API (SPEC §4.2): order webhook secrets and the product cost table. */

export const orderWebhookSecretSchema = z.object({
  secret: z.string().check(z.minLength(16, 'at least 16 characters (paste the secret the platform shows)'), z.maxLength(512)),
});

/** The largest cost table one PUT replaces. */
export const MAX_COST_ITEMS = 10_000;

const costRef = z.string().check(z.trim(), z.minLength(1), z.maxLength(128));
export const productCostsSchema = z.object({
  items: z
    .array(
      z
        .object({
          sku: z.optional(costRef),
          variantId: z.optional(
            z.union([costRef, z.pipe(z.number().check(z.refine((n) => Number.isSafeInteger(n) && n >= 0, 'send variant ids above 2^53 as strings')), z.transform(String))]),
          ),
          cost: z.union([z.string(), z.number()]).check(z.refine((v) => parseDecimal(v) !== undefined, 'expected a decimal >= 0 such as "85000" or "12.50"')),
        })
        .check(z.refine((i) => i.sku !== undefined || i.variantId !== undefined, { message: 'give sku or variantId', path: ['sku'] })),
    )
    .check(z.maxLength(MAX_COST_ITEMS)),
});

async function requireShop(shopId: string): Promise<void> {
  if (!(await getShop(shopId, { fresh: true }))) throw new NotFoundError(`Unknown shop ${shopId}`);
}

/** `PUT /v1/admin/shops/{shopId}/order-webhooks/{platform}`: sets the shop's signing secret; never echoed back. */
export async function setOrderWebhookSecret(shopId: string, platform: string, body: unknown): Promise<void> {
  if (!(ORDER_PLATFORMS as readonly string[]).includes(platform)) throw new NotFoundError(`Unknown order platform ${platform}; expected one of ${ORDER_PLATFORMS.join(', ')}`);
  const { secret } = parseWith(orderWebhookSecretSchema, body, 'order webhook secret');
  await requireShop(shopId);
  await putOrderWebhookSecret(shopId, platform, secret);
}

/**
 * `PUT /v1/admin/shops/{shopId}/product-costs`: replaces the cost table used
 * when an order line carries no cost (variant id first, then SKU).
 */
export async function setProductCosts(shopId: string, body: unknown): Promise<{ items: number; deleted: number }> {
  const { items } = parseWith(productCostsSchema, body, 'product costs');
  const entries: CostEntry[] = [];
  const seen = new Map<string, number>();
  const issues: Array<{ index: number; path: string; message: string }> = [];
  items.forEach((item, index) => {
    const d = parseDecimal(item.cost)!;
    const cost = d.scale === 0 ? d.units.toString() : `${d.units / 10n ** BigInt(d.scale)}.${(d.units % 10n ** BigInt(d.scale)).toString().padStart(d.scale, '0')}`;
    for (const [by, ref] of [['sku', item.sku], ['variant', item.variantId]] as const) {
      if (ref === undefined) continue;
      const k = `${by}:${ref}`;
      if (seen.has(k)) issues.push({ index, path: by === 'sku' ? 'sku' : 'variantId', message: `${ref} is already listed at index ${seen.get(k)}` });
      seen.set(k, index);
      entries.push({ by, ref, cost });
    }
  });
  if (issues.length > 0) throw new ValidationError('Invalid product costs', issues);
  await requireShop(shopId);
  const { deleted } = await replaceProductCosts(shopId, entries);
  return { items: items.length, deleted };
}
