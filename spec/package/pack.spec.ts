/**
 * What `npm pack` would publish: the built files and the docs, nothing from
 * the repository's sources or specs, a file behind every target package.json
 * names, no source map that points at sources the package does not carry,
 * and declarations without the names marked `@internal`.
 */
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { buildOnce, root, runNode } from './built';

interface PackedFile {
  readonly path: string;
  readonly size: number;
  readonly mode: number;
}

/** Every string target in an `exports` (or `typesVersions`) value, however deeply nested in conditions. */
function targetsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(targetsOf);
  if (typeof value === 'object' && value !== null) return Object.values(value).flatMap(targetsOf);
  return [];
}

const normalise = (target: string): string => path.posix.normalize(target.replace(/^\.\//, ''));

describe('the packed package (npm pack --dry-run)', function () {
  this.timeout(120_000);
  let files: PackedFile[];
  let names: Set<string>;
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as Record<string, unknown>;

  before(() => {
    buildOnce();
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const out = execFileSync(npm, ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const [report] = JSON.parse(out) as Array<{ files: PackedFile[] }>;
    files = report!.files;
    names = new Set(files.map((f) => f.path));
  });

  it('should hold only dist/, package.json and the docs', () => {
    const outside = [...names].filter((name) => !name.startsWith('dist/') && !['package.json', 'README.md', 'CHANGELOG.md', 'LICENSE'].includes(name));
    expect(outside).to.deep.equal([]);
    for (const folder of ['src/', 'spec/', 'marbles/', 'bench/', 'examples/', 'scripts/', 'node_modules/']) {
      expect([...names].filter((name) => name.includes(folder)), folder).to.deep.equal([]);
    }
    expect([...names].filter((name) => /\.ts$/.test(name) && !/\.d\.ts$/.test(name)), 'TypeScript sources').to.deep.equal([]);
  });

  it('should hold a file for every target of main, module, types, bin, exports and typesVersions', () => {
    const targets = [pkg['main'], pkg['module'], pkg['types'], pkg['bin'], pkg['exports'], pkg['typesVersions']].flatMap(targetsOf).map(normalise);
    expect(targets.length).to.be.greaterThan(20);
    expect(targets.filter((target) => !names.has(target))).to.deep.equal([]);
  });

  it('should ship the rxnova command: its built entry executable with a #! line, CommonJS only, without declarations', () => {
    expect(pkg['bin']).to.deep.equal({ rxnova: 'dist/cjs/cli/main.js' });
    const main = files.find((f) => f.path === 'dist/cjs/cli/main.js');
    expect(main, 'dist/cjs/cli/main.js').not.to.equal(undefined);
    expect(main!.mode & 0o111, 'executable').to.not.equal(0);
    expect(fs.readFileSync(path.join(root, main!.path), 'utf8')).to.match(/^#!\/usr\/bin\/env node\n/);
    const cli = [...names].filter((name) => /\/cli\//.test(name)).sort();
    expect(cli).to.deep.equal(['args', 'connect', 'echo-server', 'format', 'main', 'run'].map((name) => `dist/cjs/cli/${name}.js`));
    expect(runNode([main!.path, '--version'])).to.equal(`${String(pkg['version'])}\n`);
  });

  it('should ship no source map that points at sources it does not carry', () => {
    for (const name of [...names].filter((n) => n.endsWith('.map'))) {
      const map = JSON.parse(fs.readFileSync(path.join(root, name), 'utf8')) as { sources: string[]; sourcesContent?: Array<string | null> };
      const missing = map.sources.filter((source, i) => typeof map.sourcesContent?.[i] !== 'string' && !names.has(path.posix.join(path.posix.dirname(name), source)));
      expect(missing, name).to.deep.equal([]);
    }
    const pointing = [...names].filter((n) => n.endsWith('.js') && /\/\/# sourceMappingURL=(.*)$/m.test(fs.readFileSync(path.join(root, n), 'utf8')));
    for (const name of pointing) {
      const url = /\/\/# sourceMappingURL=(.*)$/m.exec(fs.readFileSync(path.join(root, name), 'utf8'))![1]!.trim();
      expect(url.startsWith('data:') || names.has(path.posix.join(path.posix.dirname(name), url)), `${name} -> ${url}`).to.equal(true);
    }
  });

  it('should strip the names marked @internal from the published declarations', () => {
    const declarations = [...names].filter((n) => n.endsWith('.d.ts'));
    expect(declarations.length).to.be.greaterThan(20);
    for (const name of declarations) {
      const text = fs.readFileSync(path.join(root, name), 'utf8');
      expect(text, name).not.to.include('@internal');
      expect(text, name).not.to.match(/\b(RxnovaSocket|createConnect|SocketConfig|normalizeOptions)\b/);
    }
  });

  it('should give every ES module declarations of its own, beside it', () => {
    const modules = [...names].filter((n) => n.startsWith('dist/esm/') && n.endsWith('.js'));
    expect(modules.filter((n) => !names.has(n.replace(/\.js$/, '.d.ts')))).to.deep.equal([]);
    expect(names.has('dist/esm/package.json'), 'dist/esm/package.json ("type": "module")').to.equal(true);
    expect(JSON.parse(fs.readFileSync(path.join(root, 'dist/esm/package.json'), 'utf8'))).to.include({ type: 'module' });
  });
});
