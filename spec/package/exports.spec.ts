import { expect } from 'chai';
import { execFileSync, spawnSync } from 'node:child_process';
import * as os from 'node:os';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(__dirname, '../..');

/** A name each entry point must export, and one it must not. */
const entries: ReadonlyArray<{ specifier: string; has: string; lacks?: string }> = [
  { specifier: 'rxnova', has: 'connect', lacks: 'wsTransport' },
  { specifier: 'rxnova/node', has: 'wsTransport' },
  { specifier: 'rxnova/testing', has: 'TestTransport' },
];

function runNode(args: string[]): string {
  return execFileSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
}

describe('package exports', function () {
  this.timeout(120_000);

  before(() => {
    execFileSync(process.execPath, [path.join(root, 'scripts/build.js')], { cwd: root, stdio: 'pipe' });
  });

  for (const { specifier, has, lacks } of entries) {
    for (const loader of ['require', 'import'] as const) {
      it(`should load ${specifier} with ${loader}`, () => {
        const script =
          loader === 'require'
            ? `const m = require(${JSON.stringify(specifier)}); console.log(JSON.stringify(Object.keys(m)));`
            : `const m = await import(${JSON.stringify(specifier)}); console.log(JSON.stringify(Object.keys(m)));`;
        const args = loader === 'require' ? ['-e', script] : ['--input-type=module', '-e', script];
        const keys = JSON.parse(runNode(args)) as string[];
        expect(keys).to.include(has);
        if (lacks) expect(keys).not.to.include(lacks);
      });
    }
  }

  it('should make connect() from rxnova/node default to ws, and connect() from rxnova explain how to fix a missing WebSocket', () => {
    const out = runNode([
      '-e',
      `const node = require('rxnova/node'); const base = require('rxnova');
       let message = '';
       try { base.connect('ws://127.0.0.1:9/'); } catch (e) { message = e.code + ' ' + e.message; }
       const socket = node.connect('ws://127.0.0.1:9/', { reconnect: false });
       socket.close();
       console.log(JSON.stringify({ message, state: socket.state.status }));`,
    ]);
    const { message, state } = JSON.parse(out) as { message: string; state: string };
    expect(message).to.match(/^RXNOVA_ERR_INVALID_OPTIONS .*rxnova\/node/);
    expect(state).to.equal('closed');
  });

  it('should share one RxnovaError class between rxnova and rxnova/node', () => {
    const out = runNode([
      '--input-type=module',
      '-e',
      `const a = await import('rxnova'); const b = await import('rxnova/node'); console.log(a.RxnovaError === b.RxnovaError);`,
    ]);
    expect(out.trim()).to.equal('true');
  });

  it('should keep ws out of the module graph of rxnova (browser bundles)', () => {
    const seen = new Set<string>();
    const bare = new Set<string>();
    const visit = (file: string): void => {
      if (seen.has(file)) return;
      seen.add(file);
      const source = fs.readFileSync(file, 'utf8');
      // Import and export statements start a line in tsc's output; string literals elsewhere are not imports.
      for (const match of source.matchAll(/^\s*(?:(?:import|export)\b[^'";]*?\bfrom|import)\s*['"]([^'"]+)['"]/gm)) {
        const spec = match[1]!;
        if (spec.startsWith('.')) visit(path.resolve(path.dirname(file), spec));
        else bare.add(spec);
      }
    };
    visit(path.join(root, 'dist/esm/index.js'));
    expect([...bare].sort()).to.deep.equal(['rxjs']);
  });

  it('should type-check a consumer of rxnova and rxnova/testing with neither DOM nor Node typings', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rxnova-consumer-'));
    try {
      fs.mkdirSync(path.join(dir, 'node_modules'));
      fs.symlinkSync(root, path.join(dir, 'node_modules', 'rxnova'), 'dir');
      fs.symlinkSync(path.join(root, 'node_modules', 'rxjs'), path.join(dir, 'node_modules', 'rxjs'), 'dir');
      fs.writeFileSync(
        path.join(dir, 'use.ts'),
        [
          "import { connect, jsonRpc, exponentialBackoff, type Socket, type SocketState } from 'rxnova';",
          "import { TestTransport } from 'rxnova/testing';",
          "const socket: Socket<{ a: number }, { b: string }> = connect<{ a: number }, { b: string }>('ws://x', {",
          '  transport: new TestTransport(),',
          '  reconnect: { backoff: exponentialBackoff({ jitter: "equal" }) },',
          '});',
          'socket.state$.subscribe((state: SocketState) => state.status);',
          'void jsonRpc;',
        ].join('\n'),
      );
      // rxjs's own declarations name setTimeout: the one global a consumer must have.
      fs.writeFileSync(path.join(dir, 'globals.d.ts'), 'declare function setTimeout(handler: () => void, timeout?: number): number;\n');
      fs.writeFileSync(
        path.join(dir, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: { strict: true, module: 'node16', moduleResolution: 'node16', target: 'ES2020', lib: ['ES2020'], types: [], noEmit: true },
          files: ['use.ts', 'globals.d.ts'],
        }),
      );
      const tsc = require.resolve('typescript/bin/tsc');
      const result = spawnSync(process.execPath, [tsc, '-p', dir], { encoding: 'utf8' });
      expect(result.stdout + result.stderr).to.equal('');
      expect(result.status).to.equal(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('should ship type declarations for every entry point', () => {
    for (const name of ['index', 'node', 'testing']) {
      expect(fs.existsSync(path.join(root, `dist/types/${name}.d.ts`)), name).to.equal(true);
    }
  });
});
