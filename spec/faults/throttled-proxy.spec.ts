/**
 * The throttling TCP proxy of the fault specs (support/fault-peers.ts) is
 * itself a slow uplink: what a client writes reaches the server at the
 * configured byte rate, complete and in order, and the server's answers are
 * not slowed. Checked with plain TCP sockets on 127.0.0.1.
 */
import { expect } from 'chai';
import { AddressInfo, createConnection, createServer, Server, Socket } from 'net';
import { startThrottledProxy } from './support/fault-peers';

/** A TCP server that keeps every byte it receives, and when each chunk arrived. */
async function startSink(): Promise<{ port: number; received(): Buffer; receivedAt(): number[]; close(): Promise<void> }> {
  const chunks: Buffer[] = [];
  const times: number[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('data', (data: Buffer) => {
      chunks.push(data);
      times.push(Date.now());
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    received: () => Buffer.concat(chunks),
    receivedAt: () => times,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

describe('the throttling proxy of the fault specs', function () {
  this.timeout(15_000);

  it('should take about 2 s to forward 64 KiB at 32 KiB/s, delivering every byte in order', async () => {
    const sink = await startSink();
    const proxy = await startThrottledProxy(sink.port, { bytesPerSecond: 32 * 1024 });
    const client = createConnection(proxy.port, '127.0.0.1');
    try {
      await new Promise<void>((resolve) => client.once('connect', () => resolve()));
      const payload = Buffer.alloc(64 * 1024);
      for (let i = 0; i < payload.length; i++) payload[i] = (i * 7 + (i >> 8)) & 0xff;
      const started = Date.now();
      client.write(payload);
      await new Promise<void>((resolve, reject) => {
        const deadline = started + 10_000;
        const poll = (): void => {
          if (sink.received().length >= payload.length) resolve();
          else if (Date.now() > deadline) reject(new Error(`only ${sink.received().length} of ${payload.length} bytes after 10 s`));
          else setTimeout(poll, 10);
        };
        poll();
      });
      const elapsed = sink.receivedAt().at(-1)! - started;
      expect(elapsed, 'the time to forward 64 KiB').to.be.within(1700, 4000);
      expect(sink.received().equals(payload), 'every byte, in order').to.equal(true);
      expect(proxy.forwarded()).to.equal(payload.length);
      const halfway = sink.receivedAt().filter((t) => t - started <= elapsed / 2).length;
      expect(halfway, 'bytes arrive spread over the time, not in one burst').to.be.greaterThan(10);
    } finally {
      client.destroy();
      await proxy.close();
      await sink.close();
    }
  });

  it('should pass what the server writes back at full speed', async () => {
    const server: Server = createServer((socket) => {
      socket.on('error', () => undefined);
      socket.end(Buffer.alloc(256 * 1024, 1));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const proxy = await startThrottledProxy((server.address() as AddressInfo).port, { bytesPerSecond: 1024 });
    const client = createConnection(proxy.port, '127.0.0.1');
    try {
      const started = Date.now();
      let bytes = 0;
      client.on('data', (data: Buffer) => (bytes += data.length));
      await new Promise<void>((resolve) => client.once('end', () => resolve()));
      expect(bytes).to.equal(256 * 1024);
      expect(Date.now() - started, 'far faster than 1 KiB/s').to.be.below(2000);
    } finally {
      client.destroy();
      await proxy.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
