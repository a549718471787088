/**
 * `runCli()` in process (see in-process.ts), against a real `ws` server on
 * 127.0.0.1: what cli.spec.ts checks on the child process, where per-test
 * coverage (and so mutation testing) can see it. Specs wait for output,
 * never for time.
 */
import { expect } from 'chai';
import * as fs from 'node:fs';
import Module from 'node:module';
import * as path from 'node:path';
import { USAGE } from '../../src/cli/args';
import { NEEDS_WS } from '../../src/cli/run';
import { inProcessCli, opened } from './in-process';
import { Reply, jsonRpcResponder } from './support';

describe('runCli() (rxnova in process, against a real ws server)', function () {
  this.timeout(10_000);
  const { rxnova, server, client } = inProcessCli();

  describe('help, version and bad arguments', () => {
    it('should print the usage on stdout with --help, and exit 0', async () => {
      const run = rxnova('--help');
      expect(await run.exit).to.equal(0);
      expect(run.out).to.deep.equal({ stdout: USAGE, stderr: '' });
    });

    it("should print the version of rxnova's package.json with --version, and exit 0", async () => {
      const pkg = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../package.json'), 'utf8')) as { version: string };
      const run = rxnova('-v');
      expect(await run.exit).to.equal(0);
      expect(run.out).to.deep.equal({ stdout: `${pkg.version}\n`, stderr: '' });
    });

    it("should exit 2 with the message and the hint on stderr, and nothing on stdout, for bad arguments", async () => {
      const run = rxnova('--json', '--rpc', 'ws://127.0.0.1:1');
      expect(await run.exit).to.equal(2);
      expect(run.out).to.deep.equal({
        stdout: '',
        stderr: "rxnova: --json and --rpc cannot be combined (--rpc lines are already JSON-RPC requests)\nTry 'rxnova --help'.\n",
      });
    });

    it("should print a usage error's message as it is, even when it quotes 'rxnova: '", async () => {
      const run = rxnova('rxnova: a', 'b');
      expect(await run.exit).to.equal(2);
      expect(run.out.stderr).to.equal("rxnova: expected one <url>, got 2: rxnova: a b\nTry 'rxnova --help'.\n");
    });

    it("should exit 2 with the library's message, prefixed once, and the hint for a URL the library refuses", async () => {
      const run = rxnova('not a url');
      expect(await run.exit).to.equal(2);
      expect(run.out).to.deep.equal({
        stdout: '',
        stderr: 'rxnova: invalid WebSocket URL "not a url": not an absolute URL (expected ws://host/path or wss://host/path)\n' + "Try 'rxnova --help'.\n",
      });
    });

    it('should exit 2, saying why, for a subprotocol the library refuses when it opens the socket', async () => {
      const echo = await server();
      const bad = rxnova('--protocol', 'a b', echo.url);
      const twice = rxnova('--protocol', 'v1', '--protocol', 'v1', echo.url);
      expect(await bad.exit).to.equal(2);
      expect(await twice.exit).to.equal(2);
      expect(bad.out).to.deep.equal({
        stdout: '',
        stderr: '[rxnova] gave up: rxnova: invalid options: protocols: "a b" is not a valid subprotocol name (an HTTP token such as "graphql-ws")\n',
      });
      expect(twice.out.stderr).to.equal('[rxnova] gave up: rxnova: invalid options: protocols: "v1" is offered twice\n');
      expect(echo.headers).to.deep.equal([]);
    });
  });

  describe('connect', () => {
    it('should send a stdin line, print the echo on stdout and the states on stderr, and exit 0 after closing with 1000 at the end of stdin', async () => {
      const echo = await server();
      const run = rxnova(echo.url);
      await run.waitFor('stderr', /open /);
      run.send('hello there');
      await run.waitFor('stdout', /\n/);
      run.end();
      expect(await run.exit).to.equal(0);
      expect(echo.received).to.deep.equal(['hello there']);
      expect(run.out.stdout).to.equal('hello there\n');
      const url = `${echo.url}/`;
      expect(run.out.stderr).to.equal(
        `[rxnova] connecting to ${url}\n[rxnova] open ${url}\n[rxnova] closing with 1000\n[rxnova] closed with 1000\n`,
      );
    });

    it('should send every line written before the socket opens, in order, skipping empty lines, before closing', async () => {
      const echo = await server();
      const run = rxnova(echo.url);
      run.send('a');
      run.send('');
      run.send('  ');
      run.send('b');
      run.end();
      expect(await run.exit).to.equal(0);
      expect(echo.received).to.deep.equal(['a', 'b']);
      expect(run.out.stdout).to.equal('a\nb\n');
    });

    it('should close at once and exit 0 when stdin ends before anything is sent', async () => {
      const echo = await server();
      const run = rxnova(echo.url);
      run.end();
      expect(await run.exit).to.equal(0);
      expect(echo.received).to.deep.equal([]);
      expect(run.out.stdout).to.equal('');
    });

    it('should send each line as compact JSON with --json, and skip a line that is not JSON with a note on stderr', async () => {
      const echo = await server();
      const run = rxnova('--json', echo.url);
      run.send('{ "a": [1, 2] }');
      run.send('not json');
      run.send('null');
      run.end();
      expect(await run.exit).to.equal(0);
      expect(echo.received).to.deep.equal(['{"a":[1,2]}', 'null']);
      expect(run.out.stderr).to.include('[rxnova] not JSON, skipped: not json\n');
      expect(run.out.stdout).to.equal('{\n  "a": [\n    1,\n    2\n  ]\n}\nnull\n');
    });

    it('should pretty-print JSON messages, and print them as they came with --raw', async () => {
      const echo = await server();
      const pretty = rxnova(echo.url);
      const raw = rxnova('--raw', echo.url);
      for (const run of [pretty, raw]) {
        run.send('{"b":2}');
        run.send('plain text');
        run.end();
      }
      expect(await pretty.exit).to.equal(0);
      expect(await raw.exit).to.equal(0);
      expect(pretty.out.stdout).to.equal('{\n  "b": 2\n}\nplain text\n');
      expect(raw.out.stdout).to.equal('{"b":2}\nplain text\n');
    });

    it('should send -H headers with the upgrade request and offer each --protocol, in order', async () => {
      const echo = await server();
      const run = rxnova('-H', 'X-Api-Key: k1', '--header', 'X-Trace:  t-7 ', '-H', 'x-trace: t-8', '--protocol', 'v2.chat', '--protocol', 'v1.chat', echo.url);
      await run.waitFor('stderr', /open /);
      run.end();
      expect(await run.exit).to.equal(0);
      expect(echo.headers[0]).to.include({ 'x-api-key': 'k1', 'x-trace': 't-7, t-8', 'sec-websocket-protocol': 'v2.chat,v1.chat' });
      expect(echo.protocols).to.deep.equal(['v2.chat']);
      expect(run.out.stderr).to.include(`[rxnova] open ${echo.url}/ (protocol v2.chat)\n`);
    });

    it('should not send an empty line while open, nor say it dials', async () => {
      const echo = await server();
      const run = rxnova(echo.url);
      await run.waitFor('stderr', /open /);
      run.send('');
      run.send('x');
      await run.waitFor('stdout', /^x$/m);
      run.end();
      expect(await run.exit).to.equal(0);
      expect(echo.received).to.deep.equal(['x']);
      expect(run.out.stderr).not.to.include('dialling');
    });

    it('should dial at once, saying so, on an empty line (Enter) while a reconnect waits', async () => {
      const echo = await server();
      const run = rxnova(echo.url);
      await run.waitFor('stderr', /open /);
      await echo.stop();
      await run.waitFor('stderr', /\[rxnova\] reconnecting in \d+ ms \(attempt 1\): [^\n]+\n$/);
      // Still waiting: the wait's timer cannot have fired before this continuation.
      run.send('');
      await run.waitFor('stderr', /dialling now/);
      expect(run.out.stderr).to.match(/\(attempt 1\): [^\n]+\n\[rxnova\] dialling now\n\[rxnova\] connecting to ws:\/\/127\.0\.0\.1:\d+\/ \(attempt 1\)\n$/);
      run.interrupt();
      expect(await run.exit).to.equal(130);
    });

    it('should deliver a line written while reconnecting once the server is back', async () => {
      const echo = await server();
      const run = rxnova(echo.url);
      await run.waitFor('stderr', /open /);
      await echo.stop();
      await run.waitFor('stderr', /reconnecting in/);
      run.send('after');
      await echo.start();
      await run.waitFor('stdout', /^after$/m);
      run.end();
      expect(await run.exit).to.equal(0);
      expect(echo.received).to.deep.equal(['after']);
    });

    it('should exit 1 with "gave up" on stderr when the server goes away with --no-reconnect', async () => {
      const echo = await server();
      const run = rxnova('--no-reconnect', echo.url);
      await run.waitFor('stderr', /open /);
      await echo.stop();
      expect(await run.exit).to.equal(1);
      expect(run.out.stderr).to.match(/\[rxnova\] gave up: [^\n]*1006[^\n]*\n$/);
      expect(run.out.stderr).not.to.include('reconnecting');
    });

    it('should exit 0 when the server closes cleanly with 1000 under --no-reconnect, and 1 for another code', async () => {
      const echo = await server();
      const clean = rxnova('--no-reconnect', echo.url);
      await clean.waitFor('stderr', /open /);
      for (const socket of echo.clients) socket.close(1000, 'bye');
      expect(await clean.exit).to.equal(0);
      expect(clean.out.stderr).to.match(/\[rxnova\] gave up: [^\n]*1000[^\n]*\n$/);

      const away = rxnova('--no-reconnect', echo.url);
      await away.waitFor('stderr', /open /);
      for (const socket of echo.clients) socket.close(1001, 'away');
      expect(await away.exit).to.equal(1);
      expect(away.out.stderr).to.match(/\[rxnova\] gave up: [^\n]*1001[^\n]*\n$/);
    });

    it('should close with 1000 and exit 130 when interrupted, and ignore a line written while closing', async () => {
      const echo = await server();
      const run = rxnova(echo.url);
      await run.waitFor('stderr', /open /);
      run.interrupt();
      run.send('too late');
      expect(await run.exit).to.equal(130);
      expect(echo.received).to.deep.equal([]);
      expect(run.out.stdout).to.equal('');
      expect(run.out.stderr).to.match(/\[rxnova\] open [^\n]+\n\[rxnova\] closing with 1000\n\[rxnova\] closed with 1000\n$/);
    });

    it('should exit 130 when interrupted while a reconnect waits', async () => {
      const echo = await server();
      const run = rxnova(echo.url);
      await run.waitFor('stderr', /open /);
      await echo.stop();
      await run.waitFor('stderr', /reconnecting in/);
      run.interrupt();
      expect(await run.exit).to.equal(130);
      expect(run.out.stderr).to.match(/\(attempt 1\): [^\n]+\n\[rxnova\] closing with 1000\n\[rxnova\] closed with 1000\n$/);
    });
  });

  describe('--rpc', () => {
    it('should send each line as a JSON-RPC request and print each response against its request, a bad line with a note', async () => {
      const responder = await server(jsonRpcResponder);
      const run = rxnova('--rpc', '--raw', responder.url);
      run.send('sum [1, 2, 3]');
      run.send('nope {"x": 1}');
      run.send('sum 7');
      run.end();
      expect(await run.exit).to.equal(0);
      const printed = run.out.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(printed).to.have.deep.members([
        { method: 'sum', params: [1, 2, 3], result: 6 },
        { method: 'nope', params: { x: 1 }, error: { code: -32601, message: 'rxnova: remote error -32601: no method nope' } },
      ]);
      expect(run.out.stderr).to.include('[rxnova] not sent: the params of sum must be a JSON array or object, got 7\n');
      expect(responder.headers, 'one connection').to.have.length(1);
      expect(responder.received.map((text) => JSON.parse(text) as unknown)).to.deep.equal([
        { jsonrpc: '2.0', id: 1, method: 'sum', params: [1, 2, 3] },
        { jsonrpc: '2.0', id: 2, method: 'nope', params: { x: 1 } },
      ]);
    });

    it('should pretty-print a response without --raw', async () => {
      const responder = await server(jsonRpcResponder);
      const run = rxnova('--rpc', responder.url);
      run.send('sum [2]');
      run.end();
      expect(await run.exit).to.equal(0);
      expect(run.out.stdout).to.equal('{\n  "method": "sum",\n  "params": [\n    2\n  ],\n  "result": 2\n}\n');
    });

    it('should wait for every response after the end of stdin before closing', async () => {
      let held: Reply = () => undefined;
      // Resolves, once the request has arrived, with a function that sends its response.
      const arrived = new Promise<() => void>((resolve) => {
        held = (text, socket) => {
          resolve(() => socket.send(jsonRpcResponder(text, socket)!));
          return undefined;
        };
      });
      const responder = await server((text, socket) => held(text, socket));
      const run = rxnova('--rpc', '--raw', responder.url);
      await run.waitFor('stderr', /open /);
      run.send('sum [4, 5]');
      run.end();
      const answer = await arrived;
      // A round trip on a second connection: by then the client has had every chance to close early.
      const probe = client(responder.url);
      await opened(probe);
      expect(run.out.stderr).not.to.include('closing');
      answer();
      expect(await run.exit).to.equal(0);
      expect(run.out.stdout).to.equal('{"method":"sum","params":[4,5],"result":9}\n');
      expect(run.out.stderr).to.match(/closing with 1000\n\[rxnova\] closed with 1000\n$/);
    });
  });

  describe('without ws installed', () => {
    type Load = (request: string, parent: { filename?: string } | undefined, isMain: boolean) => unknown;
    const loader = Module as unknown as { _load: Load };
    const cliModules = ['connect', 'echo-server'].map((name) => require.resolve(`../../src/cli/${name}`));
    let load: Load;
    let cached: (NodeJS.Module | undefined)[];

    /** Makes loading the client or the echo server fail as it does when `missing` is not installed. */
    const withoutModule = (missing: string): void => {
      load = loader._load;
      cached = cliModules.map((file) => require.cache[file]);
      for (const file of cliModules) delete require.cache[file];
      loader._load = function (request, parent, isMain) {
        // connect.ts reaches ws through ../node; echo-server.ts imports it itself.
        if (request === 'ws' || (request === '../node' && parent?.filename === cliModules[0])) {
          throw Object.assign(new Error(`Cannot find module '${missing}'\nRequire stack:\n- ${parent?.filename ?? ''}`), { code: 'MODULE_NOT_FOUND' });
        }
        return load.call(this, request, parent, isMain);
      };
    };

    afterEach(() => {
      loader._load = load;
      cliModules.forEach((file, i) => {
        if (cached[i] === undefined) delete require.cache[file];
        else require.cache[file] = cached[i];
      });
    });

    it('should say how to install ws, and exit 1, for a URL or --echo-server', async () => {
      withoutModule('ws');
      const client = rxnova('ws://127.0.0.1:1');
      const echo = rxnova('--echo-server');
      expect(await client.exit).to.equal(1);
      expect(await echo.exit).to.equal(1);
      expect(NEEDS_WS).to.equal("the command line needs the 'ws' package, an optional peer dependency of rxnova: npx -p rxnova -p ws rxnova <url>");
      expect(client.out).to.deep.equal({ stdout: '', stderr: `rxnova: ${NEEDS_WS}\n` });
      expect(echo.out).to.deep.equal({ stdout: '', stderr: `rxnova: ${NEEDS_WS}\n` });
    });

    it('should print any other missing module as it is, and exit 1', async () => {
      withoutModule('rxjs');
      const run = rxnova('ws://127.0.0.1:1');
      expect(await run.exit).to.equal(1);
      expect(run.out.stdout).to.equal('');
      expect(run.out.stderr).to.match(/^rxnova: Cannot find module 'rxjs'\nRequire stack:\n- \S+connect\.ts\n$/);
    });
  });
});
