import * as z from 'zod';
import { channelSchema } from '#lib/events/schema.ts';
import { isValidDate } from '#lib/time/zone.ts';

/** A shop's configuration as the admin API stores it (SPEC §4.2). */

const hhmm = z.string().regex(/^([01]\d|2[0-4]):[0-5]\d$/, 'expected HH:MM');

export const DAY_NAMES = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

export const workingHoursSchema = z
  .array(
    z
      .object({
        days: z.array(z.enum(DAY_NAMES)).min(1),
        start: hhmm,
        end: hhmm,
      })
      .refine((w) => w.start !== w.end, { path: ['end'], message: 'end must differ from start (an end before the start runs overnight)' }),
  )
  .min(1)
  .max(50)
  .describe(
    'Periods the shop answers chat in, in the shop zone: several windows per weekday for split shifts; a window whose end is before its start runs overnight into the next day (days names the day it starts)',
  );

export const closedDatesSchema = z
  .array(z.string().refine(isValidDate, 'expected a date YYYY-MM-DD'))
  .max(400)
  .describe('Local dates the shop is closed all day (Tết, holidays): no working time, so waits do not run and nothing is missed on them');

export const shiftSchema = z.object({
  name: z.string().min(1).max(40).regex(/^[\p{L}\p{N} _-]+$/u, 'letters, digits, space, _ or -'),
  start: hhmm,
  end: hhmm,
});

const timezoneSchema = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'not an IANA time zone');

const currencySchema = z.string().refine((c) => {
  if (!/^[A-Z]{3}$/.test(c)) return false;
  try {
    new Intl.NumberFormat('en', { style: 'currency', currency: c });
    return true;
  } catch {
    return false;
  }
}, 'expected an ISO-4217 currency code such as VND');

export const localeSchema = z.enum(['vi-VN', 'en']);
export type Locale = z.infer<typeof localeSchema>;

export const DEFAULT_WORKING_HOURS: z.infer<typeof workingHoursSchema> = [{ days: [...DAY_NAMES], start: '08:00', end: '22:00' }];
export const DEFAULT_SHIFTS: z.infer<typeof shiftSchema>[] = [
  { name: 'morning', start: '08:00', end: '12:00' },
  { name: 'afternoon', start: '12:00', end: '18:00' },
  { name: 'evening', start: '18:00', end: '22:00' },
];

export const shopInputSchema = z.object({
  name: z.string().min(1).max(200),
  timezone: timezoneSchema.default('Asia/Ho_Chi_Minh'),
  currency: currencySchema.default('VND'),
  locale: localeSchema.default('vi-VN'),
  workingHours: workingHoursSchema.default(DEFAULT_WORKING_HOURS),
  closedDates: closedDatesSchema.default([]),
  shifts: z.array(shiftSchema).min(1).max(12).default(DEFAULT_SHIFTS),
  responseSlaMinutes: z.number().int().min(1).max(24 * 60).default(15),
  attributionWindowDays: z.number().int().min(1).max(90).default(7),
  digestHour: z.number().int().min(0).max(23).default(8),
  automationAppIds: z.array(z.string().min(1)).max(50).default([]),
  pages: z
    .array(z.object({ pageId: z.string().min(1).max(128), channel: channelSchema, name: z.string().min(1).max(200) }))
    .max(200)
    .default([]),
  staff: z
    .array(
      z.object({
        staffId: z.string().min(1).max(128),
        name: z.string().min(1).max(200),
        accounts: z.array(z.object({ channel: channelSchema, id: z.string().min(1).max(128) })).default([]),
      }),
    )
    .max(1000)
    .default([]),
  recipients: z
    .array(
      z.object({
        email: z.email(),
        locale: localeSchema.optional(),
        daily: z.boolean().default(true),
        weekly: z.boolean().default(true),
      }),
    )
    .max(100)
    .default([]),
});

export type ShopInput = z.input<typeof shopInputSchema>;
export type ShopSettings = z.infer<typeof shopInputSchema>;
export type Shop = ShopSettings & { shopId: string; updatedAt: string };
export type ShopPage = Shop['pages'][number];
export type ShopStaff = Shop['staff'][number];
export type Recipient = Shop['recipients'][number];

export const shopIdSchema = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'lowercase letters, digits, - and _, at most 63');
