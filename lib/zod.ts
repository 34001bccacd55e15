import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

/**
 * The one zod import of lib/ and functions/: `zod/mini`, zod 4's functional
 * API (`z.optional(s)`, `s.check(z.minLength(1))`, `z.pipe(a, z.transform(f))`),
 * which keeps ~15 KB of zod in a Lambda bundle where the classic API's
 * methods keep ~95 KB. zod/mini loads no locale, and its issue messages reach
 * callers (400 details) and logs (drop reasons): English is set here, once,
 * before any schema module that imports `z` from this one runs.
 */
config(en());

export * from 'zod/mini';
