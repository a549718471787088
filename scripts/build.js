#!/usr/bin/env node
// Builds dist/ with one type-checked compile and one transpile:
// - dist/cjs: CommonJS, and dist/types: its declarations (tsc -p tsconfig.build.json, which strips @internal names);
// - dist/esm: ES modules transpiled file by file with tsconfig.esm.json's options (src is isolatedModules-safe),
//   and a copy of the declarations beside them, so that `import` resolves ESM types ("type": "module" there).
// Every relative specifier in dist/esm gets an explicit '.js' so Node's ESM loader and bundlers resolve it as-is.
// No source maps are shipped: the sources are not in the package, and dist/cjs reads like src.
// The command line (src/cli, package.json `bin`) is CommonJS only and has no public types: it is left out of
// dist/esm and dist/types, and its entry dist/cjs/cli/main.js (which keeps its #! line) is made executable.
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const ts = require('typescript');

const root = path.resolve(__dirname, '..');
const dist = path.join(root, 'dist');
const src = path.join(root, 'src');
const cjs = path.join(dist, 'cjs');
const types = path.join(dist, 'types');
const esm = path.join(dist, 'esm');
const cli = path.join(src, 'cli');

function walk(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? walk(full) : [full];
  });
}

function esmOptions() {
  const configPath = path.join(root, 'tsconfig.esm.json');
  const parsed = ts.getParsedCommandLineOfConfigFile(configPath, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => fail(d) });
  if (parsed.errors.length > 0) fail(parsed.errors[0]);
  return parsed.options;
}

function fail(diagnostic) {
  throw new Error(`build: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`);
}

/** Rewrites `from './x'`, `import('./x')` and `import './x'` to name the .js file (or the folder's index.js). */
const specifier = /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])(\.{1,2}\/[^'"]*)\2/g;
function withExtensions(file, source) {
  return source.replace(specifier, (match, lead, quote, spec) => {
    if (/\.(m?js|json)$/.test(spec)) return match;
    const target = path.resolve(path.dirname(file), spec);
    const resolved = fs.existsSync(`${target}.js`) ? `${spec}.js` : fs.existsSync(path.join(target, 'index.js')) ? `${spec}/index.js` : null;
    if (resolved === null) throw new Error(`build: cannot resolve ${spec} from ${path.relative(root, file)}`);
    return `${lead}${quote}${resolved}${quote}`;
  });
}

fs.rmSync(dist, { recursive: true, force: true });

// 1. CommonJS and declarations, type-checked.
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.build.json')], { stdio: 'inherit', cwd: root });
fs.rmSync(path.join(types, 'cli'), { recursive: true, force: true });
fs.chmodSync(path.join(cjs, 'cli', 'main.js'), 0o755);

// 2. ES modules, transpiled with the ESM project's options.
const options = esmOptions();
const sources = walk(src).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.startsWith(cli + path.sep));
for (const file of sources) {
  const out = path.join(esm, path.relative(src, file)).replace(/\.ts$/, '.js');
  const { outputText, diagnostics } = ts.transpileModule(fs.readFileSync(file, 'utf8'), { compilerOptions: options, fileName: file, reportDiagnostics: true });
  if (diagnostics && diagnostics.length > 0) fail(diagnostics[0]);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, outputText);
}
for (const file of walk(esm)) fs.writeFileSync(file, withExtensions(file, fs.readFileSync(file, 'utf8')));

// 3. The declarations again, beside the ES modules, with ESM specifiers.
for (const file of walk(types).filter((f) => f.endsWith('.d.ts'))) {
  const out = path.join(esm, path.relative(types, file));
  fs.writeFileSync(out, withExtensions(out, fs.readFileSync(file, 'utf8')));
}

fs.writeFileSync(path.join(esm, 'package.json'), JSON.stringify({ type: 'module', sideEffects: ['./node-browser.js'] }, null, 2) + '\n');
fs.writeFileSync(path.join(cjs, 'package.json'), JSON.stringify({ type: 'commonjs' }, null, 2) + '\n');
console.log('build: dist/cjs, dist/types and dist/esm (with its declarations) written');
