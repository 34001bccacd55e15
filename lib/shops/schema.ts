import * as z from '#lib/zod.ts';
import { channelSchema } from '#lib/events/channel.ts';
import { isValidDate } from '#lib/time/zone.ts';
import { isLoopbackHost } from '#lib/http/loopback.ts';

/** A shop's configuration as the admin API stores it (SPEC §4.2). */

/** A time of day 00:00–23:59, or 24:00 for the end of the day (never 24:30 or 24:59). */
const hhmm = z.string().check(z.regex(/^(([01]\d|2[0-3]):[0-5]\d|24:00)$/, 'expected HH:MM from 00:00 to 24:00'));
/** A string of `min`..`max` characters. */
const text = (min: number, max: number) => z.string().check(z.minLength(min), z.maxLength(max));
/** An integer within `min`..`max`. */
const int = (min: number, max: number) => z.number().check(z.int(), z.minimum(min), z.maximum(max));

export const DAY_NAMES = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

export const workingHoursSchema = z.array(
  z
    .object({
      days: z.array(z.enum(DAY_NAMES)).check(z.minLength(1)),
      start: hhmm,
      end: hhmm,
    })
    .check(z.refine((w) => w.start !== w.end, { path: ['end'], message: 'end must differ from start (an end before the start runs overnight)' })),
).check(
  z.minLength(1),
  z.maxLength(50),
  z.describe(
    'Periods the shop answers chat in, in the shop zone: several windows per weekday for split shifts; a window whose end is before its start runs overnight into the next day (days names the day it starts)',
  ),
);

export const closedDatesSchema = z
  .array(z.string().check(z.refine(isValidDate, 'expected a date YYYY-MM-DD')))
  .check(z.maxLength(400), z.describe('Local dates the shop is closed all day (Tết, holidays): no working time, so waits do not run and nothing is missed on them'));

export const shiftSchema = z.object({
  name: text(1, 40).check(z.regex(/^[\p{L}\p{N} _-]+$/u, 'letters, digits, space, _ or -')),
  start: hhmm,
  end: hhmm,
});

const timezoneSchema = z.string().check(
  z.refine((tz) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  }, 'not an IANA time zone'),
);

const currencySchema = z.string().check(
  z.refine((c) => {
    if (!/^[A-Z]{3}$/.test(c)) return false;
    try {
      new Intl.NumberFormat('en', { style: 'currency', currency: c });
      return true;
    } catch {
      return false;
    }
  }, 'expected an ISO-4217 currency code such as VND'),
);

export const localeSchema = z.enum(['vi-VN', 'en']);
export type Locale = z.infer<typeof localeSchema>;

export const DEFAULT_WORKING_HOURS: z.infer<typeof workingHoursSchema> = [{ days: [...DAY_NAMES], start: '08:00', end: '22:00' }];
export const DEFAULT_SHIFTS: z.infer<typeof shiftSchema>[] = [
  { name: 'morning', start: '08:00', end: '12:00' },
  { name: 'afternoon', start: '12:00', end: '18:00' },
  { name: 'evening', start: '18:00', end: '22:00' },
];

/** A webhook URL alerts may be posted to: https, or plain http only on a loopback host (local receivers). */
export function isAllowedWebhookUrl(raw: string): boolean {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return false;
  }
  if (u.username || u.password) return false;
  return u.protocol === 'https:' || (u.protocol === 'http:' && isLoopbackHost(u.host));
}

/** Where a shop's SLA alerts go (SPEC §4.4). */
export const alertChannelSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('email'), to: z.email() }),
  z.object({
    type: z.literal('webhook'),
    url: z.string().check(z.maxLength(2000), z.refine(isAllowedWebhookUrl, 'expected an https URL (http only on 127.0.0.1, localhost or [::1])')),
    secret: text(16, 256),
  }),
]);
export type AlertChannel = z.infer<typeof alertChannelSchema>;

export const alertsSchema = z.object({
  /** minutes before responseSlaMinutes the warning goes out; absent: no warning, only the breach alert */
  warnBeforeMinutes: z.optional(int(1, 24 * 60 - 1)),
  channels: z.array(alertChannelSchema).check(z.maxLength(10)),
});
export type AlertSettings = z.infer<typeof alertsSchema>;

export const shopInputSchema = z.object({
  name: text(1, 200),
  timezone: z._default(timezoneSchema, 'Asia/Ho_Chi_Minh'),
  currency: z._default(currencySchema, 'VND'),
  locale: z._default(localeSchema, 'vi-VN'),
  workingHours: z._default(workingHoursSchema, DEFAULT_WORKING_HOURS),
  closedDates: z._default(closedDatesSchema, []),
  shifts: z._default(z.array(shiftSchema).check(z.minLength(1), z.maxLength(12)), DEFAULT_SHIFTS),
  responseSlaMinutes: z._default(int(1, 24 * 60), 15),
  attributionWindowDays: z._default(int(1, 90), 7),
  digestHour: z._default(int(0, 23), 8),
  automationAppIds: z._default(z.array(z.string().check(z.minLength(1))).check(z.maxLength(50)), []),
  pages: z._default(z.array(z.object({ pageId: text(1, 128), channel: channelSchema, name: text(1, 200) })).check(z.maxLength(200)), []),
  staff: z._default(
    z
      .array(
        z.object({
          staffId: text(1, 128),
          name: text(1, 200),
          accounts: z._default(z.array(z.object({ channel: channelSchema, id: text(1, 128) })), []),
        }),
      )
      .check(z.maxLength(1000)),
    [],
  ),
  alerts: z.optional(alertsSchema),
  recipients: z._default(
    z
      .array(
        z.object({
          email: z.email(),
          locale: z.optional(localeSchema),
          daily: z._default(z.boolean(), true),
          weekly: z._default(z.boolean(), true),
        }),
      )
      .check(z.maxLength(100)),
    [],
  ),
}).check(
  z.refine((s) => s.alerts?.warnBeforeMinutes === undefined || s.alerts.warnBeforeMinutes < s.responseSlaMinutes, {
    path: ['alerts', 'warnBeforeMinutes'],
    message: 'must be less than responseSlaMinutes',
  }),
);

export type ShopInput = z.input<typeof shopInputSchema>;
export type ShopSettings = z.infer<typeof shopInputSchema>;
export type Shop = ShopSettings & { shopId: string; updatedAt: string };
export type ShopPage = Shop['pages'][number];
export type ShopStaff = Shop['staff'][number];
export type Recipient = Shop['recipients'][number];

export const shopIdSchema = z.string().check(z.regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'lowercase letters, digits, - and _, at most 63'));
