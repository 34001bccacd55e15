/**
 * `npm run migrate:open-waits`: after deploying the open-waits index, moves
 * the open waits written before it from GSI1 (lib/migrations/open-waits.ts).
 * Reads TABLE_NAME (and DYNAMODB_ENDPOINT locally) like the functions do.
 */
import { migrateOpenWaits } from '#lib/migrations/open-waits.ts';

const out = await migrateOpenWaits();
console.log(`open waits: ${out.moved} moved to the open-waits index, ${out.skipped} already rewritten by ingest, over ${out.shops} shops`);
