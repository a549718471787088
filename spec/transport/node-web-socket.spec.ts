/**
 * webSocketTransport() on a WHATWG WebSocket rxnova did not write: Node's own
 * (undici), enabled by `node --experimental-websocket` on Node 20 and global
 * from Node 22. It runs in a child process (spec/support/node-web-socket-probe.ts)
 * against real servers started here.
 */
import { expect } from 'chai';
import { spawn } from 'child_process';
import { join } from 'path';
import { closedPort, startResponseServer, startWsEchoServer, within, WsEchoServer } from '../support/peers';
import type { ProbeError, ProbeUrls } from '../support/node-web-socket-probe';

interface ProbeResult {
  readonly capabilities: unknown;
  readonly ping: ProbeError;
  readonly close1001: ProbeError;
  readonly echo: { readonly log: unknown[]; readonly state: Record<string, unknown> };
  readonly serverClose: { readonly error: ProbeError; readonly last: unknown };
  readonly complete: { readonly end: string; readonly last: unknown };
  readonly framesError: ProbeError;
  readonly refused: ProbeError;
  readonly unauthorized: ProbeError;
}

function runProbe(urls: ProbeUrls): Promise<ProbeResult> {
  const child = spawn(
    process.execPath,
    ['--experimental-websocket', '-r', 'ts-node/register/transpile-only', join(__dirname, '..', 'support', 'node-web-socket-probe.ts'), JSON.stringify(urls)],
    { cwd: join(__dirname, '..', '..'), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return within(
    new Promise<ProbeResult>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code) => {
        if (code === 0) resolve(JSON.parse(stdout) as ProbeResult);
        else reject(new Error(`the probe exited with ${code}: ${stderr.trim()}`));
      });
    }),
    15_000,
    'the Node WebSocket probe',
  ).finally(() => child.kill('SIGKILL'));
}

describe("webSocketTransport() on Node's own WebSocket (node --experimental-websocket)", () => {
  let server: WsEchoServer;
  let refusing: { readonly url: string; stop(): Promise<void> };
  let urls: ProbeUrls;
  let result: ProbeResult;

  before(async function () {
    this.timeout(20_000);
    server = await startWsEchoServer();
    refusing = await startResponseServer(401, 'Unauthorized', { 'WWW-Authenticate': 'Bearer' });
    urls = {
      echo: server.url(),
      serverClose: server.url(),
      complete: server.url(),
      framesError: server.url(),
      refused: `ws://127.0.0.1:${await closedPort()}/`,
      unauthorized: refusing.url,
    };
    result = await runProbe(urls);
  });
  after(async () => {
    await server?.stop();
    await refusing?.stop();
  });

  it('should find the global WebSocket and echo text and binary (as a plain Uint8Array)', () => {
    expect(result.capabilities).to.deep.equal({ ping: false, headers: false });
    expect(result.echo.log).to.deep.equal([
      { type: 'open', protocol: '', extensions: '' },
      { type: 'frame', frame: { type: 'text', data: 'héllo' } },
      { type: 'frame', frame: { binary: [1, 2, 3], constructor: 'Uint8Array' } },
    ]);
    expect(result.echo.state).to.include({ framesSent: 2, bytesSent: 9, framesReceived: 2, bytesReceived: 9, readyState: 'OPEN' });
  });

  it('should refuse ping frames, and the close codes undici refuses, with UnsupportedFrameError', () => {
    expect(result.ping).to.include({ name: 'UnsupportedFrameError' });
    expect(result.close1001).to.include({ name: 'UnsupportedFrameError' });
    expect(result.close1001.message).to.contain('refused close code 1001');
  });

  it('should emit the close event, then error with ConnectionClosedError 4000 "bye", when the server closes', async () => {
    expect(result.serverClose.error).to.include({ name: 'ConnectionClosedError', closeCode: 4000, reason: 'bye', wasClean: true });
    expect(result.serverClose.last).to.deep.equal({ type: 'close', code: 4000, reason: 'bye', wasClean: true });
    // What the server saw is undici's answer: the code, without the reason.
    expect(await server.closeSeen(urls.serverClose)).to.include({ code: 4000 });
  });

  it('should close with 1000 and complete on frames.complete()', async () => {
    expect(result.complete).to.deep.equal({ end: 'complete', last: { type: 'close', code: 1000, reason: '', wasClean: true } });
    expect(await server.closeSeen(urls.complete)).to.deep.equal({ code: 1000, reason: '' });
  });

  it('should close with 1000 (undici refuses 1011) on frames.error(e), then error with e', async () => {
    expect(result.framesError).to.include({ same: true, message: 'upstream failed' });
    expect(await server.closeSeen(urls.framesError)).to.deep.equal({ code: 1000, reason: '' });
  });

  it('should error with ConnectError when the port is closed', () => {
    expect(result.refused).to.include({ name: 'ConnectError' });
    expect(result.refused.message).to.contain(urls.refused);
  });

  it('should error with ConnectError when the server answers 401, whose status undici hides', () => {
    expect(result.unauthorized).to.include({ name: 'ConnectError' });
    expect(result.unauthorized.message).to.contain('non-101 status code');
  });
});
