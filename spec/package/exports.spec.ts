import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as os from 'node:os';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildOnce, root, runNode } from './built';

/** Whether this runtime has a global WebSocket (Node 22+), as the child processes will. */
const hasGlobalWebSocket = typeof (globalThis as { WebSocket?: unknown }).WebSocket === 'function';

/** A name each entry point must export, and one it must not. */
const entries: ReadonlyArray<{ specifier: string; has: string; lacks?: string }> = [
  { specifier: 'rxnova', has: 'connect', lacks: 'wsTransport' },
  { specifier: 'rxnova/node', has: 'wsTransport' },
  { specifier: 'rxnova/testing', has: 'TestTransport' },
];

/**
 * A child script that installs a counting subclass as the global `WebSocket`
 * (of the runtime's own one on Node 22+, of `ws`'s where there is none), opens
 * `connect()` from `entry` against a local `ws` server, closes it, and prints
 * whether the runtime had a global WebSocket and how many the global made.
 */
function openWith(entry: string): string {
  return `
    const { WebSocketServer, WebSocket: Ws } = require('ws');
    const { firstValueFrom, filter } = require('rxjs');
    const native = typeof globalThis.WebSocket === 'function';
    let made = 0;
    globalThis.WebSocket = class extends (native ? globalThis.WebSocket : Ws) {
      constructor(...args) { super(...args); made += 1; }
    };
    const { connect } = require(${JSON.stringify(entry)});
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    server.on('listening', async () => {
      const socket = connect('ws://127.0.0.1:' + server.address().port + '/', { reconnect: false });
      await firstValueFrom(socket.state$.pipe(filter((s) => s.status === 'open')));
      socket.close();
      await firstValueFrom(socket.state$.pipe(filter((s) => s.status === 'closed')));
      server.close();
      console.log(JSON.stringify({ native, made }));
    });
    setTimeout(() => { console.error('the socket did not open and close within 10 s'); process.exit(2); }, 10000).unref();`;
}

describe('package exports', function () {
  this.timeout(120_000);

  before(buildOnce);

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

  it('should make connect() from rxnova/node open with ws, never with the global WebSocket', () => {
    const { made } = JSON.parse(runNode(['-e', openWith('rxnova/node')])) as { native: boolean; made: number };
    expect(made, 'sockets made by the global WebSocket').to.equal(0);
  });

  it(`should make connect() from rxnova open with the global WebSocket (${hasGlobalWebSocket ? "this runtime's own" : "none here: ws's stands in"})`, () => {
    const { native, made } = JSON.parse(runNode(['-e', openWith('rxnova')])) as { native: boolean; made: number };
    expect(native, 'whether this runtime has a global WebSocket').to.equal(hasGlobalWebSocket);
    expect(made, 'sockets made by the global WebSocket').to.equal(1);
  });

  it('should make connect() from rxnova explain how to fix a missing WebSocket when the runtime has none', () => {
    const out = runNode([
      '-e',
      `delete globalThis.WebSocket;
       const { connect } = require('rxnova');
       let message = '';
       try { connect('ws://127.0.0.1:9/'); } catch (e) { message = e.code + ' ' + e.message; }
       console.log(JSON.stringify({ global: typeof globalThis.WebSocket, message }));`,
    ]);
    const { global, message } = JSON.parse(out) as { global: string; message: string };
    expect(global).to.equal('undefined');
    expect(message).to.match(/^RXNOVA_ERR_INVALID_OPTIONS .*rxnova\/node/);
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

  it('should type-check a CommonJS and an ES module consumer of rxnova and rxnova/testing with neither DOM nor Node typings', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rxnova-consumer-'));
    try {
      fs.mkdirSync(path.join(dir, 'node_modules'));
      fs.symlinkSync(root, path.join(dir, 'node_modules', 'rxnova'), 'dir');
      fs.symlinkSync(path.join(root, 'node_modules', 'rxjs'), path.join(dir, 'node_modules', 'rxjs'), 'dir');
      const consumer = [
        "import { connect, jsonRpc, exponentialBackoff, type Socket, type SocketState } from 'rxnova';",
        "import { TestTransport } from 'rxnova/testing';",
        "const socket: Socket<{ a: number }, { b: string }> = connect<{ a: number }, { b: string }>('ws://x', {",
        '  transport: new TestTransport(),',
        '  reconnect: { backoff: exponentialBackoff({ jitter: "equal" }) },',
        '});',
        'socket.state$.subscribe((state: SocketState) => state.status);',
        'void jsonRpc;',
      ].join('\n');
      // use.ts is CommonJS (require types), use.mts an ES module (import types, beside dist/esm).
      fs.writeFileSync(path.join(dir, 'use.ts'), consumer);
      fs.writeFileSync(path.join(dir, 'use.mts'), consumer);
      // rxjs's own declarations name setTimeout: the one global a consumer must have.
      fs.writeFileSync(path.join(dir, 'globals.d.ts'), 'declare function setTimeout(handler: () => void, timeout?: number): number;\n');
      fs.writeFileSync(
        path.join(dir, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: { strict: true, module: 'node16', moduleResolution: 'node16', target: 'ES2020', lib: ['ES2020'], types: [], noEmit: true },
          files: ['use.ts', 'use.mts', 'globals.d.ts'],
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

  it('should ship type declarations for every entry point, for require and for import', () => {
    for (const name of ['index', 'node', 'testing']) {
      expect(fs.existsSync(path.join(root, `dist/types/${name}.d.ts`)), `dist/types/${name}.d.ts`).to.equal(true);
      expect(fs.existsSync(path.join(root, `dist/esm/${name}.d.ts`)), `dist/esm/${name}.d.ts`).to.equal(true);
    }
  });
});
