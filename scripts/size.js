#!/usr/bin/env node
// npm run size: what a browser user downloads for each way of using rxnova. Each case is bundled from the
// 'rxnova' entry (src/index.ts) with esbuild (rxjs external, as the app has it anyway), minified and gzipped;
// the table is printed, and the run fails when a case with a budget is above it.
'use strict';
const path = require('node:path');
const zlib = require('node:zlib');
const esbuild = require('esbuild');

const root = path.resolve(__dirname, '..');
const KB = 1000;

/** [name, the app's code, budget in gzipped bytes or null] */
const CASES = [
  ['connect() (json codec, no protocol)', `import { connect } from 'rxnova'; export const s = connect('wss://x');`, 10 * KB],
  ['reconnect() + exponentialBackoff()', `import { reconnect, exponentialBackoff } from 'rxnova'; export const op = reconnect({ backoff: exponentialBackoff() });`, 2 * KB],
  ['connect() + jsonRpc()', `import { connect, jsonRpc } from 'rxnova'; export const s = connect('wss://x', { protocol: jsonRpc() });`, null],
  ['connect() + logTo() + metrics()', `import { connect, logTo, metrics } from 'rxnova'; const s = connect('wss://x'); logTo(console)(s); export const m = metrics(s);`, null],
  ['everything in rxnova', `export * from 'rxnova';`, null],
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
const rows = ['| case | minified | gzip | budget (gzip) |', '| --- | ---: | ---: | ---: |'];
for (const [name, code, budget] of CASES) {
  const { min, gzip, text } = bundle(code);
  // An import of ws in the bundle (not the words in an error message that tells users to import it).
  if (/import[^"'`;]*from\s*"ws"|require\("ws"\)/.test(text)) {
    console.error(`size: "${name}" pulls in ws`);
    failed = true;
  }
  const over = budget !== null && gzip > budget;
  if (over) failed = true;
  rows.push(`| ${name} | ${kb(min)} | ${kb(gzip)} | ${budget === null ? '-' : `${kb(budget)}${over ? ' **over**' : ''}`} |`);
}
console.log(rows.join('\n'));
console.log('\nesbuild, minified, gzip -9, rxjs external (KB = 1000 bytes).');
if (failed) {
  console.error('size: over budget');
  process.exit(1);
}
