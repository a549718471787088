#!/usr/bin/env node
// npm run size: what a browser user downloads for each way of using rxnova. Each case is bundled from the
// 'rxnova' entry (src/index.ts) with esbuild (rxjs external, as the app has it anyway), minified and gzipped;
// the table is printed, and the run fails when a case is above its budget. A budget is today's size with a little
// room: it stops growth. The target is where the size should get to (issue 9: 10 KB for connect(), 2 KB for
// reconnect() with exponentialBackoff()); it is printed, not enforced, until it is met.
'use strict';
const path = require('node:path');
const zlib = require('node:zlib');
const esbuild = require('esbuild');

const root = path.resolve(__dirname, '..');
const KB = 1000;

/** [name, the app's code, budget and target in gzipped bytes (or null)] */
const CASES = [
  ['connect() (json codec, no protocol)', `import { connect } from 'rxnova'; export const s = connect('wss://x');`, 18.5 * KB, 10 * KB],
  ['reconnect() + exponentialBackoff()', `import { reconnect, exponentialBackoff } from 'rxnova'; export const op = reconnect({ backoff: exponentialBackoff() });`, 3.3 * KB, 2 * KB],
  ['connect() + jsonRpc()', `import { connect, jsonRpc } from 'rxnova'; export const s = connect('wss://x', { protocol: jsonRpc() });`, 22.5 * KB, null],
  ['connect() + logTo() + metrics()', `import { connect, logTo, metrics } from 'rxnova'; const s = connect('wss://x'); logTo(console)(s); export const m = metrics(s);`, 20 * KB, null],
  ['everything in rxnova', `export * from 'rxnova';`, 27.5 * KB, null],
];

function bundle(code) {
  const result = esbuild.buildSync({
    stdin: { contents: code, resolveDir: root, loader: 'ts', sourcefile: 'app.ts' },
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    minify: true,
    treeShaking: true,
    external: ['rxjs', 'rxjs/*'],
    alias: { rxnova: path.join(root, 'src/index.ts') },
    logLevel: 'silent',
  });
  const bytes = result.outputFiles[0].contents;
  return { min: bytes.length, gzip: zlib.gzipSync(bytes, { level: 9 }).length, text: Buffer.from(bytes).toString('utf8') };
}

const kb = (n) => `${(n / KB).toFixed(1)} KB`;
let failed = false;
const rows = ['| case | minified | gzip | budget (gzip) | target (gzip) |', '| --- | ---: | ---: | ---: | ---: |'];
for (const [name, code, budget, target] of CASES) {
  const { min, gzip, text } = bundle(code);
  // An import of ws in the bundle (not the words in an error message that tells users to import it).
  if (/import[^"'`;]*from\s*"ws"|require\("ws"\)/.test(text)) {
    console.error(`size: "${name}" pulls in ws`);
    failed = true;
  }
  const over = gzip > budget;
  if (over) failed = true;
  const toGo = target !== null && gzip > target ? ` (${kb(gzip - target)} to go)` : '';
  rows.push(`| ${name} | ${kb(min)} | ${kb(gzip)} | ${kb(budget)}${over ? ' **over**' : ''} | ${target === null ? '-' : `${kb(target)}${toGo}`} |`);
}
console.log(rows.join('\n'));
console.log('\nesbuild, minified, gzip -9, rxjs external (KB = 1000 bytes).');
if (failed) {
  console.error('size: over budget');
  process.exit(1);
}
