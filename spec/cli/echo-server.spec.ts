/**
 * `rxnova --echo-server` in process (see in-process.ts), driven by real `ws`
 * clients. Specs wait for output and events, never for time.
 */
import { expect } from 'chai';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { closed, inProcessCli, nextMessage, opened } from './in-process';

describe('runCli() --echo-server (rxnova in process, driven by ws clients)', function () {
  this.timeout(10_000);
  const { rxnova, server, client } = inProcessCli();

  it('should print its URL, echo text and binary, take the first offered subprotocol, log clients, and close them with 1001 and exit 0 when interrupted', async () => {
    const run = rxnova('--echo-server');
    const [, port] = await run.waitFor('stdout', /^ws:\/\/127\.0\.0\.1:(\d+)\n$/);
    const url = `ws://127.0.0.1:${port}`;

    const first = client(url, ['demo', 'other']);
    await opened(first);
    expect(first.protocol).to.equal('demo');
    await run.waitFor('stderr', /client 1 connected/);
    first.send('ping me');
    const text = await nextMessage(first);
    expect({ data: String(text.data), isBinary: text.isBinary }).to.deep.equal({ data: 'ping me', isBinary: false });
    first.send(Uint8Array.of(1, 2, 255));
    const binary = await nextMessage(first);
    expect(binary.isBinary).to.equal(true);
    expect([...(binary.data as Buffer)]).to.deep.equal([1, 2, 255]);

    const second = client(url);
    await opened(second);
    expect(second.protocol).to.equal('');
    await run.waitFor('stderr', /client 2 connected/);
    second.close(4000);
    await run.waitFor('stderr', /client 2 left/);

    const firstClosed = closed(first);
    run.interrupt();
    expect(await run.exit).to.equal(0);
    expect(await firstClosed).to.deep.equal({ code: 1001, reason: 'echo server stopping' });
    expect(run.out.stdout).to.equal(`${url}\n`);
    // (The line for client 1 leaving may come after the server has stopped: not checked.)
    expect(run.out.stderr).to.match(
      /^\[rxnova\] echo server listening; Ctrl-C stops it\n\[rxnova\] client 1 connected \(protocol demo\)\n\[rxnova\] client 2 connected\n\[rxnova\] client 2 left with 4000\n/,
    );
  });

  it('should listen on the port given', async () => {
    // A port that was free a moment ago: if another process takes it meanwhile, the run says so and the test fails.
    const probe = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((resolve) => probe.once('listening', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise((resolve) => probe.close(resolve));
    const run = rxnova('--echo-server', String(port));
    await run.waitFor('stdout', /\n/);
    expect(run.out.stdout).to.equal(`ws://127.0.0.1:${port}\n`);
    run.interrupt();
    expect(await run.exit).to.equal(0);
  });

  it('should say it cannot listen and exit 1 when the port is taken', async () => {
    const taken = await server();
    const run = rxnova('--echo-server', String(taken.port));
    expect(await run.exit).to.equal(1);
    expect(run.out.stdout).to.equal('');
    expect(run.out.stderr).to.equal(
      `rxnova: the echo server cannot listen on 127.0.0.1:${taken.port}: listen EADDRINUSE: address already in use 127.0.0.1:${taken.port}\n`,
    );
  });
});
