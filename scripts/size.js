#!/usr/bin/env node
// npm run size: what a browser user downloads for each way of using rxnova. Each case is bundled from the
// 'rxnova' entry (src/index.ts) with esbuild (rxjs external, as the app has it anyway), minified and gzipped;
// the table is printed, and the run fails when a case is above its budget. A budget is today's size with a little
// room: it stops growth. The target is where the size should get to (issue 9: 10 KB for connect(), 2 KB for
// reconnect() with exponentialBackoff()); it is printed, not enforced, until it is met.
//
// `node scripts/size.js --ledger` also prints what each part of a plain connect() costs: the gzipped bundle minus
// the same bundle minified and gzipped without that part's code (so the parts do not add up exactly to the whole).
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

function bundle(code, minify = true) {
  const result = esbuild.buildSync({
    stdin: { contents: code, resolveDir: root, loader: 'ts', sourcefile: 'app.ts' },
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    minify,
    treeShaking: true,
    external: ['rxjs', 'rxjs/*'],
    alias: { rxnova: path.join(root, 'src/index.ts') },
    logLevel: 'silent',
  });
  const bytes = result.outputFiles[0].contents;
  return { min: bytes.length, gzip: zlib.gzipSync(bytes, { level: 9 }).length, text: Buffer.from(bytes).toString('utf8') };
}

const kb = (n) => `${(n / KB).toFixed(1)} KB`;

/** The parts of a plain connect(), by the source files esbuild names in an unminified bundle. */
const PARTS = [
  ['transport (the WHATWG WebSocket, its handshake timeout and close handshake)', /^src\/transport\//],
  ['session, attempt, link state, socket facade, inbound, telemetry', /^src\/client\/(session|attempt|link-state|socket|core|telemetry|inbound)\.ts$/],
  ['outbox and write path (limits, overflow, expiry, hand-back, receipts)', /^src\/client\/(outbox|write-queue|sent-log|receipt|timers|rate-limit)\.ts$/],
  ['reconnect(), its backoff and the close policy', /^src\/(operators\/reconnect|close-codes|backoff\/.*)\.ts$/],
  ['typed errors, frame checks, URL redaction, option checks', /^src\/(errors|frame|redact|invalid|time|describe)\.ts$/],
  ['connect() options and the codec', /^src\/client\/(connect|connect-options|define-protocol|codec)\.ts$/],
  ['heartbeat (shared timers, sleep watch, slow-link liveness)', /^src\/(operators\/(create-heartbeat|heartbeat-wheel)|client\/liveness)\.ts$/],
];

function ledger(code) {
  const gzipOf = (text) => zlib.gzipSync(esbuild.transformSync(text, { minify: true, format: 'esm', target: 'es2020' }).code, { level: 9 }).length;
  // esbuild marks where each file's code starts with a `// src/...` line when it does not minify.
  const segments = [];
  let current = { file: '', lines: [] };
  for (const line of bundle(code, false).text.split('\n')) {
    const marker = /^\/\/ (src\/\S+|app\.ts)$/.exec(line);
    if (marker) segments.push((current = { file: marker[1], lines: [] }));
    else current.lines.push(line);
  }
  const whole = gzipOf(segments.map((s) => s.lines.join('\n')).join('\n'));
  const rows = ['| part of a plain connect() | gzip |', '| --- | ---: |'];
  for (const [name, files] of PARTS) {
    const without = segments.filter((s) => !files.test(s.file)).map((s) => s.lines.join('\n')).join('\n');
    rows.push(`| ${name} | ${kb(whole - gzipOf(without))} |`);
  }
  rows.push(`| the whole bundle | ${kb(whole)} |`);
  return rows.join('\n');
}
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
if (process.argv.includes('--ledger')) console.log('\n' + ledger(CASES[0][1]));
if (failed) {
  console.error('size: over budget');
  process.exit(1);
}
