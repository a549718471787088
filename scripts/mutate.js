#!/usr/bin/env node
// `npm run mutate [-- <stryker run options>]`: mutation testing with Stryker (config: stryker.config.mjs).
// Examples: `npm run mutate`, `npm run mutate -- --mutate "src/backoff/**/*.ts"`. Reruns are incremental (the
// previous results live in reports/stryker-incremental.json), so after a small change only the touched mutants run.
//
// Two things this script does before it starts Stryker:
//
// 1. Node 22. Stryker 10 refuses to start on Node < 22, while the project supports Node >= 20.19. Instead of raising
//    the engine, this script runs Stryker on a Node 22 from the npm package `node` (the registry is the only download
//    that works on the project's machines), installed once into a prefix outside the repository, the same one
//    scripts/ci/node22.sh uses (NODE22_PREFIX, default $TMPDIR/rxnova-node22). It is not a devDependency on purpose:
//    its bin is called `node` and would shadow the machine's Node 20 in every npm script, `npm test` included.
//
// 2. A patch for @stryker-mutator/mocha-runner 10.0.0 with mocha 12. Mocha 12 became an ES module package and renamed
//    the cli internals the runner requires (lib/cli/run-helpers, options, collect-files) to `.cjs`; the runner's
//    extensionless `require()` calls no longer resolve and it fails to load ("Cannot find module .../run-helpers").
//    Upstream: stryker-mutator/stryker-js pull request #6205 ("load Mocha cli internals regardless of file
//    extension", open when this was written). Until a release has it, this rewrites those paths in
//    node_modules/@stryker-mutator/mocha-runner/dist/src/lib-wrapper.js to the `.cjs` files, but only for a file
//    that mocha ships as `.cjs` and not as `.js`. It is idempotent (a patched path no longer matches) and does
//    nothing once the runner or mocha no longer needs it. Delete this part when the runner is upgraded.
'use strict';

const { spawnSync, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');

function patchMochaRunner() {
  let wrapper;
  let mochaCli;
  try {
    const runnerPackage = require.resolve('@stryker-mutator/mocha-runner/package.json', { paths: [root] });
    wrapper = path.join(path.dirname(runnerPackage), 'dist', 'src', 'lib-wrapper.js');
    mochaCli = path.join(path.dirname(require.resolve('mocha/package.json', { paths: [root] })), 'lib', 'cli');
  } catch {
    console.error('mutate: @stryker-mutator/mocha-runner or mocha is not installed; run `npm ci` first');
    process.exit(1);
  }
  if (!fs.existsSync(wrapper)) return;
  const source = fs.readFileSync(wrapper, 'utf8');
  let patched = source;
  for (const name of ['run-helpers', 'options', 'collect-files']) {
    const needsCjs = !fs.existsSync(path.join(mochaCli, `${name}.js`)) && fs.existsSync(path.join(mochaCli, `${name}.cjs`));
    if (needsCjs) patched = patched.split('${mochaRoot}/lib/cli/' + name + '`').join('${mochaRoot}/lib/cli/' + name + '.cjs`');
  }
  if (patched !== source) {
    fs.writeFileSync(wrapper, patched);
    console.log(`mutate: patched ${path.relative(root, wrapper)} to load mocha 12's lib/cli/*.cjs (stryker-js #6205)`);
  }
}

function node22() {
  if (Number(process.versions.node.split('.')[0]) >= 22) return { node: process.execPath, bin: path.dirname(process.execPath) };
  const prefix = process.env.NODE22_PREFIX || path.join(process.env.TMPDIR || os.tmpdir(), 'rxnova-node22');
  const bin = path.join(prefix, 'node_modules', '.bin');
  const node = path.join(bin, 'node');
  const version = () => {
    try {
      return execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
    } catch {
      return '';
    }
  };
  if (!version().startsWith('v22.')) {
    console.log(`mutate: Stryker needs Node 22; installing the npm package node@22 into ${prefix}`);
    fs.mkdirSync(prefix, { recursive: true });
    const npm = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--no-save', '--prefix', prefix, 'node@22'], {
      stdio: 'inherit',
    });
    if (npm.status !== 0 || !version().startsWith('v22.')) {
      console.error('mutate: could not install Node 22 from the npm package `node`');
      process.exit(1);
    }
  }
  return { node, bin };
}

patchMochaRunner();
const { node, bin } = node22();
const strykerPackage = require.resolve('@stryker-mutator/core/package.json', { paths: [root] });
const stryker = path.join(path.dirname(strykerPackage), 'bin', 'stryker.js');
const env = { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH}` };
const run = spawnSync(node, [stryker, 'run', ...process.argv.slice(2)], { cwd: root, stdio: 'inherit', env });
process.exit(run.status ?? 1);
