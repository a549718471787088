#!/usr/bin/env node
// Builds dist/: CommonJS (dist/cjs), ES modules (dist/esm) and type declarations (dist/types).
// The ES build gets explicit '.js' specifiers so Node's ESM loader and bundlers resolve it as-is.
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const dist = path.join(root, 'dist');
const tsc = require.resolve('typescript/bin/tsc');

fs.rmSync(dist, { recursive: true, force: true });
for (const project of ['tsconfig.build.json', 'tsconfig.esm.json']) {
  execFileSync(process.execPath, [tsc, '-p', path.join(root, project)], { stdio: 'inherit', cwd: root });
}

function walk(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? walk(full) : [full];
  });
}

const esm = path.join(dist, 'esm');
const specifier = /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])(\.{1,2}\/[^'"]*)\2/g;
for (const file of walk(esm).filter((f) => f.endsWith('.js'))) {
  const source = fs.readFileSync(file, 'utf8');
  const rewritten = source.replace(specifier, (match, lead, quote, spec) => {
    if (/\.(m?js|json)$/.test(spec)) return match;
    const target = path.resolve(path.dirname(file), spec);
    const resolved = fs.existsSync(`${target}.js`) ? `${spec}.js` : fs.existsSync(path.join(target, 'index.js')) ? `${spec}/index.js` : null;
    if (resolved === null) throw new Error(`build: cannot resolve ${spec} from ${path.relative(root, file)}`);
    return `${lead}${quote}${resolved}${quote}`;
  });
  if (rewritten !== source) fs.writeFileSync(file, rewritten);
}
fs.writeFileSync(path.join(esm, 'package.json'), JSON.stringify({ type: 'module', sideEffects: false }, null, 2) + '\n');
fs.writeFileSync(path.join(dist, 'cjs', 'package.json'), JSON.stringify({ type: 'commonjs' }, null, 2) + '\n');
console.log('build: dist/cjs, dist/esm and dist/types written');
