/**
 * The xlsx writer (`write-excel-file`, with fflate: ~79 KB minified), loaded
 * only when a report or export is asked for as xlsx (lib/reports/xlsx.ts).
 * Imported as `#xlsx-writer`: this file here (package.json `imports`), and
 * beside a deployed function that needs it its own module `xlsx-writer.mjs`
 * (scripts/bundle-function.ts), so the report function's bundle stays within
 * its 400 KB budget and only an xlsx request pays for loading it.
 */
export { default } from 'write-excel-file/node';
