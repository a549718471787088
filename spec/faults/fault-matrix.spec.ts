import { expect } from 'chai';
import { constantBackoff } from '../../src/backoff/constant-backoff';
import type { SocketState } from '../../src/client/state';
import { ConnectionClosedError, ConnectTimeoutError, HandshakeError, HeartbeatTimeoutError } from '../../src/errors';
import { wsTransport } from '../../src/node';
import { startPythonServer, startProxy, startRawFrameServer, startRefuser, startSilentPeer } from './support/fault-peers';
import { watch } from './support/watch';
import { WebSocketServer } from 'ws';
import type { AddressInfo } from 'net';

async function closingServer(code: number, reason = 'bye'): Promise<{ url: string; close(): Promise<void> }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  wss.on('connection', (ws) => setTimeout(() => ws.close(code, reason), 50));
  return {
    url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.terminate();
        wss.close(() => resolve());
      }),
  };
}

describe('the fault matrix (real processes on 127.0.0.1)', function () {
  this.timeout(30_000);

  describe('a Python websockets server', () => {
    for (const [signal, code] of [
      ['SIGTERM', 1001],
      ['SIGKILL', 1006],
    ] as const) {
      it(`should reconnect after ${signal} (close ${code}) once the server is back, losing nothing silently`, async () => {
        const server = await startPythonServer();
        const w = watch(server.url);
        try {
          await w.until('open', () => w.socket.state.status === 'open');
          server.signal(signal);
          await server.exited();
          await w.until('reconnecting', () => w.reconnecting().length > 0);
          const first = w.reconnecting()[0]!;
          expect(first.error).to.be.instanceOf(ConnectionClosedError);
          expect((first.error as ConnectionClosedError).closeCode).to.equal(code);
          expect(first.delay).to.equal(50);
          await server.restart();
          await w.until('open again', () => w.socket.state.status === 'open' && w.reconnecting().length > 0);
          expect(w.statuses().slice(0, 3)).to.deep.equal(['connecting', 'open', 'reconnecting']);
          expect(w.statuses().at(-1)).to.equal('open');
          await w.finish();
        } finally {
          w.stopSending();
          await server.stop();
        }
      });
    }

    it('should find a frozen server (SIGSTOP) within interval + timeout, and reconnect after SIGCONT', async () => {
      const server = await startPythonServer();
      const w = watch(server.url);
      try {
        await w.until('open', () => w.socket.state.status === 'open');
        const frozenAt = Date.now();
        server.signal('SIGSTOP');
        await w.until('reconnecting', () => w.reconnecting().length > 0, 5000);
        expect(Date.now() - frozenAt, 'detected within interval + timeout (and some slack)').to.be.below(200 + 300 + 1500);
        expect(w.reconnecting()[0]!.error).to.be.instanceOf(HeartbeatTimeoutError);
        server.signal('SIGCONT');
        await w.until('open again', () => w.socket.state.status === 'open' && w.reconnecting().length > 0);
        await w.finish();
      } finally {
        w.stopSending();
        await server.stop();
      }
    });
  });

  it('should find a proxy that stops forwarding within interval + timeout', async () => {
    const server = await startPythonServer();
    const proxy = await startProxy(server.port);
    const w = watch(proxy.url, { reconnect: { backoff: constantBackoff(60_000) } });
    try {
      await w.until('open', () => w.socket.state.status === 'open');
      const holedAt = Date.now();
      proxy.blackHole();
      await w.until('reconnecting', () => w.reconnecting().length > 0, 5000);
      expect(Date.now() - holedAt).to.be.below(200 + 300 + 1500);
      expect(w.reconnecting()[0]!.error).to.be.instanceOf(HeartbeatTimeoutError);
      await w.finish();
    } finally {
      w.stopSending();
      await proxy.close();
      await server.stop();
    }
  });

  describe('server close codes', () => {
    for (const [code, action, delay] of [
      [1008, 'stop', undefined],
      [1011, 'retry', [50, 50]],
      [1012, 'retry', [50, 150]],
      [1013, 'retry', [5000, 7500]],
      [4000, 'stop', undefined],
    ] as const) {
      it(`should ${action === 'stop' ? 'stop' : 'retry'} on ${code}${delay === undefined ? '' : ` after ${delay[0]}-${delay[1]} ms`}`, async () => {
        const server = await closingServer(code);
        const w = watch(server.url);
        try {
          if (action === 'stop') {
            await w.until('closed', () => w.socket.state.status === 'closed');
            expect(w.socket.state).to.include({ gaveUp: true, code });
            expect(w.statuses()).to.deep.equal(['connecting', 'open', 'closed']);
          } else {
            await w.until('reconnecting', () => w.reconnecting().length > 0);
            const first = w.reconnecting()[0]!;
            expect((first.error as ConnectionClosedError).closeCode).to.equal(code);
            expect(first.delay).to.be.within(delay![0], delay![1]);
            expect(w.statuses()).to.deep.equal(['connecting', 'open', 'reconnecting']);
          }
          await w.finish();
        } finally {
          w.stopSending();
          await server.close();
        }
      });
    }
  });

  describe('the upgrade refused', () => {
    it('should stop on 401', async () => {
      const server = await startRefuser(401);
      const w = watch(server.url);
      try {
        await w.until('closed', () => w.socket.state.status === 'closed');
        const state = w.socket.state as SocketState & { status: 'closed' };
        expect(state.gaveUp).to.equal(true);
        expect(state.error).to.be.instanceOf(HandshakeError);
        expect((state.error as HandshakeError).status).to.equal(401);
        expect(server.attempts()).to.equal(1);
        expect(w.statuses()).to.deep.equal(['connecting', 'closed']);
        await w.finish();
      } finally {
        w.stopSending();
        await server.close();
      }
    });

    it('should wait as long as a 503 says in Retry-After', async () => {
      const server = await startRefuser(503, { 'Retry-After': '2' });
      const w = watch(server.url);
      try {
        await w.until('reconnecting', () => w.reconnecting().length > 0);
        expect(w.reconnecting()[0]!.delay).to.equal(2000);
        expect((w.reconnecting()[0]!.error as HandshakeError).status).to.equal(503);
        await w.finish();
      } finally {
        w.stopSending();
        await server.close();
      }
    });
  });

  it('should retry a peer that never answers the handshake after the connect timeout', async () => {
    const peer = await startSilentPeer();
    const w = watch(peer.url);
    try {
      await w.until('reconnecting', () => w.reconnecting().length > 0);
      expect(w.reconnecting()[0]!.error).to.be.instanceOf(ConnectTimeoutError);
      expect(w.statuses()).to.deep.equal(['connecting', 'reconnecting']);
      await w.finish();
    } finally {
      w.stopSending();
      await peer.close();
    }
  });

  it('should stop on a malformed frame (a reserved opcode: 1002)', async () => {
    const server = await startRawFrameServer(Buffer.from([0x83, 0x00]));
    const w = watch(server.url);
    try {
      await w.until('closed', () => w.socket.state.status === 'closed');
      expect(w.socket.state).to.include({ gaveUp: true, code: 1002 });
      await w.finish();
    } finally {
      w.stopSending();
      await server.close();
    }
  });

  it('should stop on a frame larger than maxPayload (1009)', async () => {
    const big = Buffer.alloc(4 + 2048, 0x61);
    big[0] = 0x81; // FIN, text
    big[1] = 126; // 16-bit length follows
    big.writeUInt16BE(2048, 2);
    const server = await startRawFrameServer(big);
    const w = watch(server.url, { transport: wsTransport({ maxPayload: 1024 }) });
    try {
      await w.until('closed', () => w.socket.state.status === 'closed');
      expect(w.socket.state).to.include({ gaveUp: true, code: 1009 });
      await w.finish();
    } finally {
      w.stopSending();
      await server.close();
    }
  });
});
