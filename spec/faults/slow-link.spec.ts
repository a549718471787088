import { expect } from 'chai';
import type { AddressInfo } from 'net';
import WebSocket, { WebSocketServer } from 'ws';
import { constantBackoff } from '../../src/backoff/constant-backoff';
import { text } from '../../src/client/codec';
import type { SocketEvent } from '../../src/client/events';
import type { Socket } from '../../src/client/socket';
import type { SocketState } from '../../src/client/state';
import { HeartbeatTimeoutError } from '../../src/errors';
import { connect } from '../../src/node';
import { startPythonServer } from './support/fault-peers';
import { slowLink, waitFor } from './support/slow-link';

describe('reliability on slow and dead links (real sockets on 127.0.0.1)', function () {
  this.timeout(60_000);

  it('should send again, on the next connection and in order, what was still in ws’s buffer when the connection died', async () => {
    // The server stops reading the first connection: the kernel buffers fill, then ws's own buffer grows past the
    // high-water mark. The server then drops the connection. What was in ws's buffer never left the process: it must
    // arrive on the second connection, right after what the kernel buffers lost.
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
    const received: number[][] = [];
    let first: WebSocket | undefined;
    wss.on('connection', (ws) => {
      const mine: number[] = [];
      received.push(mine);
      ws.on('message', (data) => mine.push(Number.parseInt(data.toString(), 10)));
      if (first === undefined) {
        first = ws;
        (ws as unknown as { _socket: { pause(): void } })._socket.pause();
      }
    });
    const socket: Socket<string, string> = connect<string, string>(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}/`, {
      codec: text(),
      heartbeat: false,
      reconnect: { backoff: constantBackoff(50) },
    });
    const events: SocketEvent[] = [];
    const states: SocketState[] = [];
    socket.events$.subscribe((e) => events.push(e));
    socket.state$.subscribe((s) => states.push(s));
    const pad = 'x'.repeat(1000);
    let accepted = 0;
    try {
      await waitFor(() => socket.state.status === 'open', 5000, 'open');
      // Send until writing pauses on backpressure: ws's buffer then holds more than the high-water mark (1 MiB).
      while (!events.some((e) => e.type === 'backpressure' && e.paused)) {
        for (let i = 0; i < 500; i++) socket.send(`${accepted++}:${pad}`);
        await new Promise((resolve) => setImmediate(resolve));
        if (accepted > 200_000) throw new Error('no backpressure after 200 MB');
      }
      const writtenOnFirst = events.filter((e) => e.type === 'sent').length;
      first!.terminate();
      await waitFor(() => states.filter((s) => s.status === 'open').length === 2, 10_000, 'open again');
      socket.send(`${accepted++}:${pad}`);
      await waitFor(() => received[1]?.at(-1) === accepted - 1, 20_000, 'the last message');

      const requeued = events.filter((e): e is SocketEvent & { type: 'requeued' } => e.type === 'requeued');
      expect(requeued, 'a requeued event').to.have.length(1);
      const [gone, second] = [received[0]!, received[1]!];
      const resentFrom = second[0]!;
      // Sent again: messages written to the first connection arrive on the second.
      expect(resentFrom, `the second connection starts at ${resentFrom}; ${writtenOnFirst} were written to the first`).to.be.below(writtenOnFirst);
      expect(writtenOnFirst - resentFrom).to.equal(requeued[0]!.count);
      // In order, each once, none after the gap missing.
      expect(second).to.deep.equal(Array.from({ length: accepted - resentFrom }, (_, i) => resentFrom + i));
      // The gap is what had reached the operating system: lost with the connection, as documented.
      expect(gone.every((n, i) => n === i)).to.equal(true);
      expect(events.filter((e) => e.type === 'dropped')).to.deep.equal([]);
    } finally {
      socket.close();
      await waitFor(() => socket.state.status === 'closed', 5000, 'closed').catch(() => undefined);
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    }
  });

  it('should keep a slow, busy link (a proxy forwarding 256 KB/s) open although its pings wait longer than the timeout, and find it dead once its backlog stops moving', async () => {
    // Scaled down from 8 KB/s with the default heartbeat (npm run test:long): a 500 ms timeout against a backlog that
    // takes seconds to drain. A heartbeat that counts only inbound frames terminates this link within a second.
    // The operating system takes the socket's bytes in steps of about a megabyte here (seconds apart at 256 KB/s):
    // stallTimeout 10 s. Once the proxy stops forwarding, the backlog stops moving: found within stallTimeout +
    // timeout (+ an interval, when a ping went out just before).
    await slowLink({
      bytesPerSecond: 256 * 1024,
      sendFor: 8000,
      messageSize: 4096,
      heartbeat: { interval: 1000, timeout: 500, stallTimeout: 10_000 },
      detectWithin: 10_000 + 500 + 1000 + 1500,
    });
  });

  it('should find a frozen server (SIGSTOP) with the default heartbeat within 20 s (10 s + 10 s)', async () => {
    const server = await startPythonServer();
    const socket: Socket<string, string> = connect<string, string>(server.url, { codec: text(), reconnect: { backoff: constantBackoff(60_000) } });
    const states: SocketState[] = [];
    socket.state$.subscribe((s) => states.push(s));
    try {
      await waitFor(() => socket.state.status === 'open', 5000, 'open');
      const frozenAt = Date.now();
      server.signal('SIGSTOP');
      await waitFor(() => socket.state.status === 'reconnecting', 25_000, 'reconnecting');
      const took = Date.now() - frozenAt;
      expect(took, 'at least the timeout, at most interval + timeout').to.be.within(9_500, 22_500);
      expect((socket.state as SocketState & { status: 'reconnecting' }).error).to.be.instanceOf(HeartbeatTimeoutError);
    } finally {
      socket.close();
      await server.stop();
    }
  });
});
