import { bundleFunction } from './bundle-function.ts';
import { mkdtempSync, statSync } from 'node:fs';
for (const fn of process.argv.slice(2)) { const r = await bundleFunction(fn, mkdtempSync('/tmp/bund-')); console.log(fn, statSync(r.outfile).size);
const ins = Object.values(r.metafile.outputs).flatMap((o) => Object.entries(o.inputs));
console.log(ins.filter(([f]) => !f.includes('node_modules')).sort((a, b) => b[1].bytesInOutput - a[1].bytesInOutput).slice(0, 25).map(([f, v]) => `${v.bytesInOutput}\t${f}`).join('\n')); }
