import { expect } from 'chai';
import { build } from 'esbuild';
import * as path from 'node:path';
import WebSocket from 'ws';
import { CliChild, TestServer, jsonRpcResponder, runCli, startServer } from './support';

describe('the rxnova command line (a child process against a real ws server)', function () {
  this.timeout(15_000);
  const children: CliChild[] = [];
  const servers: TestServer[] = [];
  const cli = (...args: string[]): CliChild => {
    const child = runCli(args);
    children.push(child);
    return child;
  };
  const server = async (...args: Parameters<typeof startServer>): Promise<TestServer> => {
    const started = await startServer(...args);
    servers.push(started);
    return started;
  };

  afterEach(async () => {
    for (const child of children.splice(0)) child.dispose();
    await Promise.all(servers.splice(0).map((s) => s.stop()));
  });

  it('should send a stdin line, print the echo on stdout, states on stderr, and exit 0 after closing at the end of stdin', async () => {
    const echo = await server();
    const rxnova = cli(echo.url);
    await rxnova.waitFor('stderr', /\[rxnova\] open ws:\/\/127\.0\.0\.1:\d+\//);
    rxnova.send('hello there');
    await rxnova.waitFor('stdout', /^hello there$/m);
    rxnova.end();
    expect(await rxnova.exit).to.equal(0);
    expect(echo.received).to.deep.equal(['hello there']);
    expect(rxnova.out.stderr).to.match(/closing with 1000\n\[rxnova\] closed with 1000\n$/);
  });

  it('should send every line written before the end of stdin, in order, once the socket opens', async () => {
    const echo = await server();
    const rxnova = cli(echo.url);
    rxnova.send('a');
    rxnova.send('');
    rxnova.send('b');
    rxnova.end();
    expect(await rxnova.exit).to.equal(0);
    expect(echo.received, 'the empty line is skipped').to.deep.equal(['a', 'b']);
  });

  it('should send each line as compact JSON with --json, and skip a line that is not JSON with a note on stderr', async () => {
    const echo = await server();
    const rxnova = cli('--json', echo.url);
    rxnova.send('{ "a": [1, 2] }');
    rxnova.send('not json');
    rxnova.send('42');
    await rxnova.waitFor('stdout', /^42$/m);
    rxnova.end();
    expect(await rxnova.exit).to.equal(0);
    expect(echo.received).to.deep.equal(['{"a":[1,2]}', '42']);
    expect(rxnova.out.stderr).to.include('not JSON, skipped: not json');
  });

  it('should pretty-print JSON messages, and print them as they came with --raw', async () => {
    const echo = await server();
    const pretty = cli(echo.url);
    const raw = cli('--raw', echo.url);
    for (const rxnova of [pretty, raw]) {
      rxnova.send('{"b":2}');
      rxnova.send('plain text');
      rxnova.end();
    }
    expect(await pretty.exit).to.equal(0);
    expect(await raw.exit).to.equal(0);
    expect(pretty.out.stdout).to.equal('{\n  "b": 2\n}\nplain text\n');
    expect(raw.out.stdout).to.equal('{"b":2}\nplain text\n');
  });

  it('should send -H headers with the upgrade request and offer each --protocol', async () => {
    const echo = await server();
    const rxnova = cli('-H', 'X-Api-Key: k1', '--header', 'X-Trace:  t-7 ', '--protocol', 'v2.chat', '--protocol', 'v1.chat', echo.url);
    await rxnova.waitFor('stderr', /open ws:\S+ \(protocol v2\.chat\)/);
    rxnova.end();
    expect(await rxnova.exit).to.equal(0);
    expect(echo.headers[0]).to.include({ 'x-api-key': 'k1', 'x-trace': 't-7', 'sec-websocket-protocol': 'v2.chat,v1.chat' });
    expect(echo.protocols).to.deep.equal(['v2.chat']);
  });

  it('should print reconnecting with the delay and attempt when the server restarts, and deliver the next line after the reconnect', async () => {
    const echo = await server();
    const rxnova = cli(echo.url);
    rxnova.send('before');
    await rxnova.waitFor('stdout', /^before$/m);
    await echo.stop();
    await rxnova.waitFor('stderr', /\[rxnova\] reconnecting in \d+ ms \(attempt 1\): /);
    rxnova.send('after');
    await echo.start();
    await rxnova.waitFor('stdout', /^after$/m, 8000);
    rxnova.end();
    expect(await rxnova.exit).to.equal(0);
    expect(echo.received).to.deep.equal(['before', 'after']);
    expect(rxnova.out.stderr).to.match(/open ws:[^\n]+\n(.*\n)*\[rxnova\] reconnecting in \d+ ms \(attempt 1\)(.*\n)*\[rxnova\] open ws:/);
  });

  it('should dial at once on an empty line (Enter) while a reconnect waits', async () => {
    const echo = await server();
    const rxnova = cli(echo.url);
    rxnova.send('before');
    await rxnova.waitFor('stdout', /^before$/m);
    await echo.stop();
    await rxnova.waitFor('stderr', /\[rxnova\] reconnecting in \d+ ms \(attempt 1\): /);
    // Enter until one lands in a wait (a jittered wait may be over before the line arrives): bounded.
    const enterUntil = async (pattern: RegExp): Promise<void> => {
      for (let i = 0; i < 100 && !pattern.test(rxnova.out.stderr); i++) {
        rxnova.send('');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    await enterUntil(/dialling now/);
    // The cut wait is followed at once by a new attempt (the server is still down, so it fails again).
    await rxnova.waitFor('stderr', /dialling now\n\[rxnova\] connecting to ws:/, 1000);
    await echo.start();
    await enterUntil(/(\[rxnova\] open ws:[^]*){2}/);
    await rxnova.waitFor('stderr', /(\[rxnova\] open ws:[^]*){2}/);
    rxnova.end();
    expect(await rxnova.exit).to.equal(0);
    expect(echo.received).to.deep.equal(['before']);
  });

  it('should exit 1 with "gave up" on stderr when the server goes away with --no-reconnect', async () => {
    const echo = await server();
    const rxnova = cli('--no-reconnect', echo.url);
    await rxnova.waitFor('stderr', /open ws:/);
    await echo.stop();
    expect(await rxnova.exit).to.equal(1);
    expect(rxnova.out.stderr).to.match(/\[rxnova\] gave up: .*1006/);
    expect(rxnova.out.stderr).not.to.include('reconnecting');
  });

  it('should exit 0 when the server closes cleanly with 1000 and --no-reconnect', async () => {
    const echo = await server();
    const rxnova = cli('--no-reconnect', echo.url);
    await rxnova.waitFor('stderr', /open ws:/);
    for (const client of echo.clients) client.close(1000, 'bye');
    expect(await rxnova.exit).to.equal(0);
    expect(rxnova.out.stderr).to.match(/gave up: .*1000/);
  });

  it('should exit 2 with a message on stderr and nothing on stdout for bad arguments', async () => {
    const cases: ReadonlyArray<readonly [string, readonly string[], RegExp]> = [
      ['no url', [], /missing <url>/],
      ['an unknown option', ['--nope', 'ws://127.0.0.1:1'], /Unknown option '--nope'/],
      ['a header without a colon', ['-H', 'X-Bad', 'ws://127.0.0.1:1'], /a header must be 'Name: value', got "X-Bad"/],
      ['--json with --rpc', ['--json', '--rpc', 'ws://127.0.0.1:1'], /--json and --rpc cannot be combined/],
      ['two urls', ['ws://127.0.0.1:1', 'ws://127.0.0.1:2'], /expected one <url>, got 2/],
      ['a URL that is not a WebSocket URL', ['not a url'], /invalid WebSocket URL/],
      ['a bad echo server port', ['--echo-server', '70000'], /the port must be a whole number from 0 to 65535/],
      ['a client option with --echo-server', ['--echo-server', '--raw'], /--echo-server takes no client options, got --raw/],
    ];
    // In parallel: each child is a node start-up.
    const runs = cases.map(([what, args, message]) => ({ what, message, rxnova: cli(...args) }));
    for (const { what, message, rxnova } of runs) {
      expect(await rxnova.exit, what).to.equal(2);
      expect(rxnova.out.stderr, what).to.match(message).and.to.include("Try 'rxnova --help'.");
      expect(rxnova.out.stdout, what).to.equal('');
    }
  });

  it('should print the usage with --help and the version with --version, and exit 0', async () => {
    const help = cli('--help');
    const version = cli('--version');
    expect(await help.exit).to.equal(0);
    expect(await version.exit).to.equal(0);
    expect(help.out.stdout).to.match(/^Usage:/).and.include('--no-reconnect').and.include('Exit codes:');
    expect(version.out.stdout).to.match(/^\d+\.\d+\.\d+\S*\n$/);
  });

  it('should send each line as a JSON-RPC request with --rpc and print each response against its request', async () => {
    const responder = await server(jsonRpcResponder);
    const rxnova = cli('--rpc', '--raw', responder.url);
    rxnova.send('sum [1, 2, 3]');
    rxnova.send('nope {"x": 1}');
    rxnova.send('sum 7');
    rxnova.end();
    expect(await rxnova.exit).to.equal(0);
    const printed = rxnova.out.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(printed).to.deep.include({ method: 'sum', params: [1, 2, 3], result: 6 });
    expect(printed).to.deep.include({ method: 'nope', params: { x: 1 }, error: { code: -32601, message: 'rxnova: remote error -32601: no method nope' } });
    expect(printed).to.have.length(2);
    expect(rxnova.out.stderr).to.include('not sent: the params of sum must be a JSON array or object, got 7');
    expect(responder.received.map((text) => JSON.parse(text) as Record<string, unknown>)).to.deep.equal([
      { jsonrpc: '2.0', id: 1, method: 'sum', params: [1, 2, 3] },
      { jsonrpc: '2.0', id: 2, method: 'nope', params: { x: 1 } },
    ]);
  });

  it('should start an echo server with --echo-server, print its URL, echo, and exit 0 on SIGINT', async () => {
    const rxnova = cli('--echo-server');
    const [url] = await rxnova.waitFor('stdout', /ws:\/\/127\.0\.0\.1:\d+/);
    const client = new WebSocket(url!, ['demo']);
    const echoed = await new Promise<string>((resolve, reject) => {
      client.once('open', () => client.send('ping me'));
      client.once('message', (data) => resolve(String(data)));
      client.once('error', reject);
    });
    expect(echoed).to.equal('ping me');
    expect(client.protocol).to.equal('demo');
    const closed = new Promise<number>((resolve) => client.once('close', (code) => resolve(code)));
    rxnova.child.kill('SIGINT');
    expect(await rxnova.exit).to.equal(0);
    expect(await closed).to.equal(1001);
  });

  it('should not be reachable from the browser entry (src/index.ts): the command line is Node only', async () => {
    const root = path.resolve(__dirname, '../..');
    const result = await build({
      entryPoints: [path.join(root, 'src/index.ts')],
      bundle: true,
      write: false,
      metafile: true,
      platform: 'browser',
      external: ['rxjs'],
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.length).to.be.greaterThan(20);
    expect(inputs.filter((input) => input.includes('src/cli/'))).to.deep.equal([]);
  });
});
