/**
 * The Transport contract (src/transport/transport.ts), checked on its three
 * implementations: the two real transports against real servers on
 * 127.0.0.1, and TestTransport against a script that plays the same servers
 * (spec/transport/contract-peers.ts).
 */
import { expect } from 'chai';
import { retry, VirtualTimeScheduler } from 'rxjs';
import {
  ConnectError,
  ConnectionClosedError,
  ConnectTimeoutError,
  HandshakeError,
  InvalidFrameError,
  InvalidOptionsError,
  InvalidUrlError,
  NotOpenError,
} from '../../src/errors';
import { binaryFrame, textFrame } from '../../src/frame';
import type { TransportEvent } from '../../src/transport/transport';
import { Deferred, eventually, within } from '../support/peers';
import { CONTRACT_PEERS, contractFixture } from './contract-peers';

for (const peers of CONTRACT_PEERS) {
  describe(`${peers.name} (the Transport contract)`, () => {
    const transportUnderTest = peers;
    const server = peers.echo;
    const stall = {
      get url() {
        return peers.stall.url;
      },
      nextUpgrade: () => peers.stall.nextUpgrade(),
      openCount: () => peers.stall.openCount(),
    };
    const { watch, subscriptions } = contractFixture(peers);

    describe('open()', () => {
      for (const url of ['foo', 'ftp://x', 'ws://x/#frag', '']) {
        it(`should throw InvalidUrlError for ${JSON.stringify(url)} before any network use`, () => {
          const before = server.openCount();
          expect(() => transportUnderTest.make().open({ url })).to.throw(InvalidUrlError, 'invalid WebSocket URL');
          expect(server.openCount()).to.equal(before);
        });
      }

      it('should map http: to ws: and https: to wss:', () => {
        const transport = transportUnderTest.make();
        expect(transport.open({ url: 'http://127.0.0.1:9/a?b=1' }).state().url).to.equal('ws://127.0.0.1:9/a?b=1');
        expect(transport.open({ url: 'https://example.com/x' }).state().url).to.equal('wss://example.com/x');
      });

      it('should connect to an http: URL as ws:', async () => {
        const url = server.url().replace('ws://', 'http://');
        const connection = transportUnderTest.make().open({ url });
        const recording = watch(connection.events);
        await recording.opened();
        expect(connection.state().url).to.equal(url.replace('http://', 'ws://'));
        expect((await server.connection(url)).path).to.equal(new URL(url).pathname);
      });

      it('should throw InvalidOptionsError for a bad subprotocol list or handshake timeout', () => {
        const transport = transportUnderTest.make();
        const url = server.url();
        expect(() => transport.open({ url, protocols: ['a', 'a'] })).to.throw(InvalidOptionsError, 'offered twice');
        expect(() => transport.open({ url, protocols: ['not a token'] })).to.throw(InvalidOptionsError, 'not a valid subprotocol');
        expect(() => transport.open({ url, handshakeTimeout: -1 })).to.throw(InvalidOptionsError, 'handshakeTimeout');
        expect(() => transportUnderTest.make({ handshakeTimeout: Number.NaN })).to.throw(InvalidOptionsError, 'handshakeTimeout');
      });

      it('should throw InvalidOptionsError for a request that is not an object, protocols that are not a list, or a scheduler without schedule()', () => {
        const transport = transportUnderTest.make();
        const url = server.url();
        for (const request of [undefined, null, 'ws://example.com']) {
          expect(() => transport.open(request as never), String(request)).to.throw(
            InvalidOptionsError,
            `open() needs a request object such as { url: 'wss://example.com/socket' }, got ${String(request)}`,
          );
        }
        expect(() => transport.open({ url, protocols: 'chat' as never })).to.throw(InvalidOptionsError, 'protocols must be an array of subprotocol names, got string');
        for (const scheduler of [{}, null, { schedule: 1 }]) {
          expect(() => transport.open({ url, scheduler: scheduler as never }), JSON.stringify(scheduler)).to.throw(
            InvalidOptionsError,
            'scheduler must be an rxjs SchedulerLike (with now() and schedule()), such as asyncScheduler, got ',
          );
        }
        expect(() => transport.open({ url, protocols: [] })).to.not.throw();
      });

      it('should make no connection until events is subscribed, and one per subscription', async () => {
        const url = server.url();
        const connection = transportUnderTest.make().open({ url });
        expect(connection.state()).to.include({ readyState: 'NONE', connections: 0 });
        const first = watch(connection.events);
        await first.opened();
        first.subscription.unsubscribe();
        const second = watch(connection.events);
        await second.opened();
        expect(connection.state()).to.include({ readyState: 'OPEN', connections: 2 });
      });
    });

    describe('frames', () => {
      it('should throw NotOpenError naming NONE before events is subscribed, and CONNECTING right after', () => {
        const connection = transportUnderTest.make().open({ url: server.url() });
        expect(() => connection.frames.next(textFrame('early'))).to.throw(NotOpenError, 'readyState NONE');
        watch(connection.events);
        expect(() => connection.frames.next(textFrame('early'))).to.throw(NotOpenError, 'readyState CONNECTING');
        expect(connection.state().readyState).to.equal('CONNECTING');
      });

      it('should throw NotOpenError naming CLOSING after frames.complete(), and CLOSED in the close event', async () => {
        const connection = transportUnderTest.make().open({ url: server.url() });
        const opened = new Deferred<void>();
        const ended = new Deferred<void>();
        let inCloseEvent: unknown;
        subscriptions.push(
          connection.events.subscribe({
            next: (event: TransportEvent) => {
              if (event.type === 'open') opened.resolve();
              if (event.type !== 'close') return;
              try {
                connection.frames.next(textFrame('late'));
              } catch (error) {
                inCloseEvent = error;
              }
            },
            error: (error: unknown) => ended.reject(error),
            complete: () => ended.resolve(),
          }),
        );
        await within(opened.promise, 5000, 'the open event');
        connection.frames.complete();
        expect(() => connection.frames.next(textFrame('late'))).to.throw(NotOpenError, 'readyState CLOSING');
        await within(ended.promise, 5000, 'events to complete');
        expect(inCloseEvent).to.be.instanceOf(NotOpenError);
        expect((inCloseEvent as Error).message).to.contain('readyState CLOSED');
        expect(() => connection.frames.next(textFrame('late'))).to.throw(NotOpenError, 'readyState NONE');
      });

      it('should throw InvalidFrameError for a malformed frame, and send nothing of a list that holds one', async () => {
        const url = server.url();
        const connection = transportUnderTest.make().open({ url });
        const recording = watch(connection.events);
        await recording.opened();
        const bad = { type: 'text', data: 42 } as unknown as ReturnType<typeof textFrame>;
        expect(() => connection.frames.next(bad)).to.throw(InvalidFrameError, 'text data must be a string');
        expect(() => connection.frames.next([textFrame('not sent'), { type: 'close', code: 1005 }])).to.throw(InvalidFrameError, 'close code 1005');
        connection.frames.next(textFrame('sent'));
        await recording.frame();
        expect((await server.connection(url)).messages).to.deep.equal(['sent']);
        expect(connection.state().framesSent).to.equal(1);
      });

      it('should count the frames and bytes sent and received exactly', async () => {
        const url = server.url();
        const connection = transportUnderTest.make().open({ url });
        const recording = watch(connection.events);
        await recording.opened();
        const frames = [textFrame('héllo wörld ✓ 𝄞'), binaryFrame(new Uint8Array(64)), textFrame(''), binaryFrame(new Uint8Array(1000).fill(1))];
        const bytes = Buffer.byteLength('héllo wörld ✓ 𝄞') + 64 + 0 + 1000;
        connection.frames.next(frames[0]);
        connection.frames.next(frames.slice(1));
        await recording.frame(4);
        expect(connection.state()).to.deep.include({
          readyState: 'OPEN',
          framesSent: 4,
          bytesSent: bytes,
          framesReceived: 4,
          bytesReceived: bytes,
          connections: 1,
          bufferedAmount: 0,
        });
        const seen = await server.connection(url);
        expect(seen.messages.reduce((sum, m) => sum + Buffer.byteLength(m), 0)).to.equal(bytes);
      });

      it("should report the socket's bufferedAmount while a large write is in flight", async () => {
        const url = server.url();
        const connection = transportUnderTest.make().open({ url });
        const recording = watch(connection.events);
        await recording.opened();
        const big = new Uint8Array(4 * 1024 * 1024);
        connection.frames.next([binaryFrame(big), binaryFrame(big), binaryFrame(big)]);
        expect(connection.state().bufferedAmount).to.be.greaterThan(0);
        await recording.frame(3);
        expect(connection.state().bufferedAmount).to.equal(0);
      });

      it('should write to the socket of the newest subscription after retry resubscribes', async () => {
        const url = server.url();
        const connection = transportUnderTest.make().open({ url });
        const recording = watch(connection.events.pipe(retry(1)));
        await recording.opened();
        const first = await server.connection(url);
        connection.frames.next(textFrame('close:4000:bye'));
        const opens = () => recording.log.filter((event) => event.type === 'open').length;
        await recording.waitFor('the second open', (event) => event.type === 'open' && opens() === 2);
        expect(await first.closed).to.deep.equal({ code: 4000, reason: 'bye' });
        connection.frames.next(textFrame('to the new socket'));
        await recording.frame();
        expect(recording.log).to.deep.equal([
          { type: 'open', protocol: '', extensions: '' },
          { type: 'close', code: 4000, reason: 'bye', wasClean: true },
          { type: 'open', protocol: '', extensions: '' },
          { type: 'frame', frame: textFrame('to the new socket') },
        ]);
        expect(connection.state()).to.include({ readyState: 'OPEN', connections: 2, framesSent: 2, framesReceived: 1 });
        expect(recording.end()).to.equal(undefined);
      });

      it('should close with 1011 on frames.error(e), then error events with e', async () => {
        const url = server.url();
        const connection = transportUnderTest.make().open({ url });
        const recording = watch(connection.events);
        await recording.opened();
        const failure = new Error('the source of frames failed');
        connection.frames.error(failure);
        expect(await recording.error()).to.equal(failure);
        expect(recording.log[recording.log.length - 1]).to.include({ type: 'close', code: 1011 });
        expect(await server.closeSeen(url)).to.deep.equal({ code: 1011, reason: '' });
      });
    });

    describe('events', () => {
      it('should report the negotiated subprotocol in the open event and in state()', async () => {
        const connection = transportUnderTest.make().open({ url: server.url(), protocols: ['chat.v1', 'chat.v2'] });
        const recording = watch(connection.events);
        expect(await recording.opened()).to.deep.equal({ type: 'open', protocol: 'chat.v2', extensions: '' });
        expect(connection.state()).to.include({ protocol: 'chat.v2', extensions: '' });
      });

      it('should report an empty subprotocol when none was offered', async () => {
        const connection = transportUnderTest.make().open({ url: server.url() });
        const recording = watch(connection.events);
        expect(await recording.opened()).to.deep.equal({ type: 'open', protocol: '', extensions: '' });
      });

      it('should close with 1000 when unsubscribed while open, and leave no socket behind', async () => {
        const url = server.url();
        const connection = transportUnderTest.make().open({ url });
        const recording = watch(connection.events);
        await recording.opened();
        expect(server.openCount()).to.equal(1);
        recording.subscription.unsubscribe();
        expect(connection.state().readyState).to.equal('NONE');
        expect(await server.closeSeen(url)).to.deep.equal({ code: 1000, reason: '' });
        await eventually('the server to hold no socket', () => server.openCount() === 0);
        expect(recording.log.map((event) => event.type)).to.deep.equal(['open']);
        expect(recording.end()).to.equal(undefined);
      });

      it('should abort the socket when unsubscribed while connecting, and leave no socket behind', async () => {
        const connection = transportUnderTest.make().open({ url: stall.url });
        const recording = watch(connection.events);
        const held = await stall.nextUpgrade();
        expect(connection.state().readyState).to.equal('CONNECTING');
        recording.subscription.unsubscribe();
        expect(connection.state().readyState).to.equal('NONE');
        await held.closed();
        await eventually('the stalling server to hold no socket', () => stall.openCount() === 0);
        expect(recording.log).to.deep.equal([]);
      });

      it('should drop the socket when unsubscribed while closing, when the peer does not answer the close', async () => {
        const silent = await peers.silent();
        try {
          const connection = transportUnderTest.make().open({ url: silent.url });
          const upgraded = silent.nextUpgrade();
          const recording = watch(connection.events);
          await recording.opened();
          const held = await upgraded;
          connection.frames.complete();
          expect(connection.state().readyState).to.equal('CLOSING');
          recording.subscription.unsubscribe();
          await held.closed();
          expect(recording.end()).to.equal(undefined);
        } finally {
          await silent.stop();
        }
      });

      it('should error with ConnectTimeoutError when the server never answers the upgrade', async () => {
        const connection = transportUnderTest.make().open({ url: stall.url, handshakeTimeout: 200 });
        const recording = watch(connection.events);
        const held = await stall.nextUpgrade();
        const error = await recording.error();
        expect(error).to.be.instanceOf(ConnectTimeoutError);
        expect(error).to.include({ timeout: 200 });
        expect(recording.log).to.deep.equal([]);
        await held.closed();
        expect(connection.state().readyState).to.equal('NONE');
      });

      it("should run the handshake timeout on the transport's scheduler", async () => {
        const scheduler = new VirtualTimeScheduler();
        const connection = transportUnderTest.make({ scheduler, handshakeTimeout: 60_000 }).open({ url: stall.url });
        const recording = watch(connection.events);
        const held = await stall.nextUpgrade();
        expect(recording.end()).to.equal(undefined);
        scheduler.flush();
        expect(scheduler.now()).to.equal(60_000);
        const error = await recording.error();
        expect(error).to.be.instanceOf(ConnectTimeoutError);
        expect(error).to.include({ timeout: 60_000 });
        await held.closed();
      });

      it("should run the handshake timeout on the request's scheduler, however long real time passes", async () => {
        const scheduler = new VirtualTimeScheduler();
        // The transport's own timeout (20 ms) on its own scheduler (asyncScheduler) must not run.
        const connection = transportUnderTest.make({ handshakeTimeout: 20 }).open({ url: stall.url, scheduler });
        const recording = watch(connection.events);
        const held = await stall.nextUpgrade();
        await new Promise((resolve) => setTimeout(resolve, 200));
        expect(recording.end()).to.equal(undefined);
        expect(connection.state().readyState).to.equal('CONNECTING');
        scheduler.flush();
        expect(scheduler.now()).to.equal(20);
        const error = await recording.error();
        expect(error).to.be.instanceOf(ConnectTimeoutError);
        expect(error).to.include({ timeout: 20 });
        await held.closed();
      });

      it('should throw InvalidOptionsError for a request scheduler that is not a scheduler', () => {
        expect(() => transportUnderTest.make().open({ url: stall.url, scheduler: {} as never })).to.throw(InvalidOptionsError, 'scheduler');
      });

      it('should not time out when the handshake timeout is 0', async () => {
        const scheduler = new VirtualTimeScheduler();
        const connection = transportUnderTest.make({ scheduler }).open({ url: stall.url, handshakeTimeout: 0 });
        const recording = watch(connection.events);
        await stall.nextUpgrade();
        scheduler.flush();
        expect(recording.end()).to.equal(undefined);
        expect(connection.state().readyState).to.equal('CONNECTING');
      });

      it('should error with ConnectError (ECONNREFUSED) when the port is closed', async () => {
        const { url } = await peers.refusing();
        const connection = transportUnderTest.make().open({ url });
        const recording = watch(connection.events);
        const error = await recording.error();
        expect(error).to.be.instanceOf(ConnectError);
        expect(error).to.include({ causeCode: 'ECONNREFUSED' });
        expect((error as Error).message).to.contain(url);
        expect(recording.log).to.deep.equal([]);
      });

      it('should error with ConnectError (ECONNRESET) when the server resets the connection during the handshake', async () => {
        const resetting = await peers.resetting();
        try {
          const recording = watch(transportUnderTest.make().open({ url: resetting.url }).events);
          const error = await recording.error();
          expect(error).to.be.instanceOf(ConnectError);
          expect(error).to.include({ causeCode: 'ECONNRESET' });
          expect(recording.log).to.deep.equal([]);
        } finally {
          await resetting.stop();
        }
      });

      it('should error with HandshakeError 401 when the server refuses the upgrade', async () => {
        const refusing = await peers.responding(401, 'Unauthorized', { 'WWW-Authenticate': 'Bearer realm="x"' });
        try {
          const connection = transportUnderTest.make().open({ url: refusing.url });
          const recording = watch(connection.events);
          const error = await recording.error();
          expect(error).to.be.instanceOf(HandshakeError);
          expect(error).to.include({ status: 401 });
          if (transportUnderTest.ping) {
            // wsTransport reads the response: headers in lower case.
            expect((error as HandshakeError).headers).to.include({ 'www-authenticate': 'Bearer realm="x"' });
          } else {
            // ws as a WHATWG constructor names the status in its error event, and nothing more.
            expect((error as HandshakeError).headers).to.deep.equal({});
          }
          expect(recording.log).to.deep.equal([]);
        } finally {
          await refusing.stop();
        }
      });

      it('should error with ConnectionClosedError 1006 when the network drops', async () => {
        const url = server.url();
        const connection = transportUnderTest.make().open({ url });
        const recording = watch(connection.events);
        await recording.opened();
        (await server.connection(url)).drop();
        const error = await recording.error();
        expect(error).to.be.instanceOf(ConnectionClosedError);
        expect(error).to.include({ closeCode: 1006, wasClean: false });
        expect(recording.log[recording.log.length - 1]).to.deep.equal({ type: 'close', code: 1006, reason: '', wasClean: false });
      });
    });

  });
}
