/**
 * TestTransport, continued (see test-transport.spec.ts): pings and half-open
 * sockets, closing from this side, unsubscription, the script, misuse,
 * open(), state(), onWrite() and reconnection.
 */
import { expect } from 'chai';
import { retry } from 'rxjs';
import { marbles } from 'rxjs-marbles/mocha';
import { ConnectError, InvalidOptionsError, InvalidUrlError } from '../../src/errors';
import { binaryFrame, closeFrame, pingFrame, pongFrame, textFrame } from '../../src/frame';
import { TestTransport } from '../../src/testing/test-transport';
import { closeEvent, frameEvent } from '../../src/testing/transport-events';
import { at, o, thrown, URL } from './support';


describe('TestTransport (pings, closing, the script, state)', () => {
  describe('pings and half-open sockets', () => {
    it(
      'should answer each ping with a pong of the same payload, in the same frame',
      marbles((m) => {
        const transport = new TestTransport({ scheduler: m.scheduler });
        const connection = transport.open({ url: URL });
        m.expect(connection.events).toBeObservable('o--p', { o, p: frameEvent(pongFrame('beat')) });
        at(m, 3, () => connection.frames.next(pingFrame('beat')));
      }),
    );

    it(
      'should answer pings after the latency the test sets, or not at all',
      marbles((m) => {
        const transport = new TestTransport({ scheduler: m.scheduler, script: (s, i) => s.open().autoPong(i === 0, 4) });
        const first = transport.open({ url: URL });
        const second = transport.open({ url: URL });
        m.expect(first.events).toBeObservable('o-----p', { o, p: frameEvent(pongFrame()) });
        m.expect(second.events).toBeObservable('o', { o });
        at(m, 2, () => {
          first.frames.next(pingFrame());
          second.frames.next(pingFrame());
        });
      }),
    );

    it(
      'should keep a silent socket OPEN, accept writes, answer no ping and no close',
      marbles((m) => {
        const transport = new TestTransport({ scheduler: m.scheduler, script: (s) => s.open().silent({ after: 2 }) });
        const connection = transport.open({ url: URL });
        m.expect(connection.events).toBeObservable('op', { o, p: frameEvent(pongFrame()) });
        at(m, 1, () => connection.frames.next(pingFrame()));
        at(m, 3, () => connection.frames.next([pingFrame(), textFrame('anyone?')]));
        at(m, 5, () => connection.frames.complete());
        m.flush();
        const socket = transport.sockets[0];
        expect(socket.readyState).to.equal('CLOSING');
        expect(socket.written.map((w) => w.frame.type)).to.deep.equal(['ping', 'ping', 'text']);
        expect(connection.state().readyState).to.equal('CLOSING');
      }),
    );
  });

  describe('when this side closes', () => {
    it(
      'should close with 1000 on frames.complete(): close event, then complete',
      marbles((m) => {
        const transport = new TestTransport({ scheduler: m.scheduler });
        const connection = transport.open({ url: URL });
        m.expect(connection.events).toBeObservable('o---(c|)', { o, c: closeEvent(1000) });
        at(m, 4, () => connection.frames.complete());
        m.flush();
        const socket = transport.sockets[0];
        expect(socket.closedBy).to.equal('client');
        expect([socket.closingAt, socket.closedAt, socket.closeCode, socket.error]).to.deep.equal([4, 4, 1000, undefined]);
        expect(connection.state().readyState).to.equal('NONE');
      }),
    );

    it(
      'should run the closing handshake when a close frame is written, echoing its code',
      marbles((m) => {
        const transport = new TestTransport({ scheduler: m.scheduler, script: (s) => s.open().slowClose(3) });
        const connection = transport.open({ url: URL });
        m.expect(connection.events).toBeObservable('o-a---(c|)', { o, a: frameEvent('late'), c: closeEvent(4000, 'bye') });
        const states: string[] = [];
        at(m, 3, () => {
          connection.frames.next(closeFrame(4000, 'bye'));
          states.push(connection.state().readyState);
        });
        at(m, 2, () => transport.sockets[0].receive('late'));
        m.flush();
        expect(states).to.deep.equal(['CLOSING']);
        expect(transport.sockets[0].written.map((w) => w.frame)).to.deep.equal([closeFrame(4000, 'bye')]);
      }),
    );

    it(
      'should stay CLOSING until the test answers when slowClose() has no delay',
      marbles((m) => {
        const transport = new TestTransport({ scheduler: m.scheduler, script: (s) => s.open().slowClose() });
        const connection = transport.open({ url: URL });
        m.expect(connection.events).toBeObservable('o-------(c|)', { o, c: closeEvent(1006, '', false) });
        at(m, 1, () => connection.frames.complete());
        at(m, 8, () => transport.sockets[0].drop());
        m.flush();
        expect(transport.sockets[0].closedBy).to.equal('client');
      }),
    );

    it(
      'should close with 1011 on frames.error(e) and then error with e',
      marbles((m) => {
        const transport = new TestTransport({ scheduler: m.scheduler });
        const connection = transport.open({ url: URL });
        const failure = new Error('codec broke');
        m.expect(connection.events).toBeObservable('o-(c#)', { o, c: closeEvent(1011) }, failure);
        at(m, 2, () => connection.frames.error(failure));
        m.flush();
        expect(transport.sockets[0].error).to.equal(failure);
      }),
    );

    it(
      'should complete without a close event when closed while connecting',
      marbles((m) => {
        const transport = new TestTransport({ scheduler: m.scheduler, script: (s) => s.open({ after: 5 }) });
        const connection = transport.open({ url: URL });
        m.expect(connection.events).toBeObservable('--|');
        at(m, 2, () => connection.frames.complete());
        m.flush();
        expect(transport.sockets[0].openedAt).to.equal(undefined);
        expect(transport.sockets[0].closedBy).to.equal('client');
      }),
    );
  });

  describe('unsubscription', () => {
    it(
      'should record an unsubscription of an open socket as a close with 1000',
      marbles((m) => {
        const server =       'o---a';
        const subscription = '^--!';
        const expected =     'o---';
        const transport = new TestTransport({ scheduler: m.scheduler, script: (s) => s.play(server) });
        const connection = transport.open({ url: URL });
        m.expect(connection.events, subscription).toBeObservable(expected, { o });
        m.flush();
        const socket = transport.sockets[0];
        expect([socket.closedBy, socket.closeCode, socket.closedAt, socket.readyState]).to.deep.equal(['unsubscribe', 1000, 3, 'CLOSED']);
        expect(socket.received).to.deep.equal([]);
        expect(connection.state().readyState).to.equal('NONE');
      }),
    );

    it(
      'should abort a connecting socket on unsubscription and cancel its script',
      marbles((m) => {
        const transport = new TestTransport({ scheduler: m.scheduler, script: (s) => s.open({ after: 5 }) });
        const connection = transport.open({ url: URL });
        const subscription = '^-!';
        const expected =     '---';
        m.expect(connection.events, subscription).toBeObservable(expected);
        m.flush();
        const socket = transport.sockets[0];
        expect([socket.closedBy, socket.closeCode, socket.closedAt, socket.openedAt]).to.deep.equal(['unsubscribe', undefined, 2, undefined]);
      }),
    );
  });

  describe('the script', () => {
    it(
      'should be called once per socket with its index over every connection',
      marbles((m) => {
        const calls: [number, number, number][] = [];
        const transport = new TestTransport({
          scheduler: m.scheduler,
          script: (s, i) => {
            calls.push([i, s.connection.index, s.attempt]);
            s.refuse({ after: 1 });
          },
        });
        const first = transport.open({ url: URL });
        const second = transport.open({ url: URL });
        m.expect(first.events.pipe(retry(1))).toBeObservable('--#', {}, new ConnectError(URL, new Error('connect ECONNREFUSED example.test')));
        m.expect(second.events).toBeObservable('-#', {}, new ConnectError(URL, new Error('connect ECONNREFUSED example.test')));
        m.flush();
        expect(calls).to.deep.equal([
          [0, 0, 0],
          [1, 1, 0],
          [2, 0, 1],
        ]);
        expect(first.sockets.map((s) => s.index)).to.deep.equal([0, 2]);
      }),
    );

    it(
      'should error events with what a throwing script threw, and leave nothing scheduled',
      marbles((m) => {
        const failure = new Error('bad script');
        const transport = new TestTransport({
          scheduler: m.scheduler,
          script: () => {
            throw failure;
          },
        });
        const connection = transport.open({ url: URL });
        m.expect(connection.events).toBeObservable('#', {}, failure);
        m.flush();
        expect(transport.sockets[0].closedBy).to.equal('peer');
        expect(m.scheduler.now()).to.equal(0);
        expect(connection.state().readyState).to.equal('NONE');
      }),
    );
  });

  describe('misuse of a test socket', () => {
    it(
      'should throw InvalidOptionsError saying what is wrong',
      marbles((m) => {
        const transport = new TestTransport({ scheduler: m.scheduler, script: () => undefined });
        transport.open({ url: URL }).events.subscribe({ error: () => undefined });
        const socket = transport.sockets[0];
        const message = (work: () => void): string => {
          const error = thrown(work);
          expect(error).to.be.instanceOf(InvalidOptionsError);
          return (error as Error).message;
        };
        expect(message(() => socket.close())).to.equal(
          'rxnova: invalid options: TestSocket #0.close() needs a socket in OPEN or CLOSING, but it is CONNECTING',
        );
        expect(message(() => socket.open({ after: -1 }))).to.contain('after must be a finite number');
        expect(message(() => socket.failHandshake(101))).to.contain('other than 101');
        expect(message(() => socket.play('--^-o'))).to.contain('may not contain "^"');
        expect(message(() => socket.play('(ab'))).to.contain('unclosed group');
        socket.open();
        expect(message(() => socket.close(999))).to.contain('1000-4999');
        expect(message(() => socket.refuse())).to.contain('needs a socket in CONNECTING, but it is OPEN');
        socket.drop();
        expect(message(() => socket.receive('late', { after: 1 }))).to.contain('already CLOSED (closed by network)');
      }),
    );
  });

  describe('open()', () => {
    it('should record every request and validate it as a real transport does', () => {
      const transport = new TestTransport();
      const connection = transport.open({ url: 'http://example.test/a', protocols: ['v1'], headers: { Authorization: 'Bearer t' } });
      expect(connection.url).to.equal('ws://example.test/a');
      expect(connection.headers).to.deep.equal({ Authorization: 'Bearer t' });
      expect(thrown(() => transport.open({ url: 'ftp://example.test/' }))).to.be.instanceOf(InvalidUrlError);
      expect(thrown(() => transport.open({ url: URL, protocols: ['a', 'a'] }))).to.be.instanceOf(InvalidOptionsError);
      expect(thrown(() => transport.open({ url: URL, handshakeTimeout: -1 }))).to.be.instanceOf(InvalidOptionsError);
      expect(transport.requests).to.have.length(4);
      expect(transport.connections).to.deep.equal([connection]);
      expect(transport.sockets).to.deep.equal([]);
    });

    it('should refuse headers when capabilities.headers is false', () => {
      const transport = new TestTransport({ capabilities: { headers: false } });
      const error = thrown(() => transport.open({ url: URL, headers: { Authorization: 'Bearer t' } }));
      expect(error).to.be.instanceOf(InvalidOptionsError);
      expect((error as Error).message).to.contain('capabilities.headers false');
      expect(() => transport.open({ url: URL, headers: {} })).not.to.throw();
    });

    it('should reject a config that cannot work', () => {
      expect(thrown(() => new TestTransport({ handshakeTimeout: Number.NaN }))).to.be.instanceOf(InvalidOptionsError);
      expect(thrown(() => new TestTransport({ script: 'open' as unknown as () => void }))).to.be.instanceOf(InvalidOptionsError);
      expect(thrown(() => new TestTransport({ scheduler: {} as never }))).to.be.instanceOf(InvalidOptionsError);
    });
  });

  describe('state()', () => {
    it(
      'should report the ready state over time, like a real transport',
      marbles((m) => {
        const transport = new TestTransport({ scheduler: m.scheduler, script: (s) => s.play('--o---#') });
        const connection = transport.open({ url: URL });
        const states: string[] = [];
        const sample = (): void => {
          states.push(connection.state().readyState);
        };
        sample();
        connection.events.subscribe({ error: () => sample() });
        for (const time of [1, 3]) at(m, time, sample);
        m.flush();
        sample();
        expect(states).to.deep.equal(['NONE', 'CONNECTING', 'OPEN', 'NONE', 'NONE']);
        expect(connection.state().connections).to.equal(1);
      }),
    );

    it(
      'should report the bufferedAmount the test sets, or that a stalled link accumulates',
      marbles((m) => {
        const transport = new TestTransport({ scheduler: m.scheduler, script: (s) => s.open().setBufferedAmount(100, { after: 2 }) });
        const connection = transport.open({ url: URL });
        connection.events.subscribe();
        const amounts: number[] = [];
        const sample = (): void => {
          amounts.push(connection.state().bufferedAmount);
        };
        at(m, 1, sample);
        at(m, 3, () => {
          sample();
          transport.sockets[0].stall();
          connection.frames.next([textFrame('12345'), binaryFrame(new Uint8Array(10))]);
          sample();
          transport.sockets[0].drain({ after: 2 });
        });
        at(m, 6, () => {
          sample();
          connection.frames.next(textFrame('abc'));
          sample();
        });
        m.flush();
        expect(amounts).to.deep.equal([0, 100, 115, 0, 0]);
      }),
    );
  });

  describe('onWrite()', () => {
    it(
      'should let the script answer what this side writes',
      marbles((m) => {
        const transport = new TestTransport({
          scheduler: m.scheduler,
          script: (s) =>
            s.open().onWrite((frame, socket) => {
              if (frame.type === 'text') socket.receive(frame.data.toUpperCase(), { after: 2 });
            }),
        });
        const connection = transport.open({ url: URL });
        const writes =   '--a-b  ';
        const expected = 'o---A-B';
        m.cold(writes, { a: textFrame('hi'), b: textFrame('yo') }).subscribe((frame) => connection.frames.next(frame));
        m.expect(connection.events).toBeObservable(expected, { o, A: frameEvent('HI'), B: frameEvent('YO') });
      }),
    );
  });

  describe('reconnection', () => {
    it(
      'should let retry reconnect after three refused attempts, at the times the test can assert',
      marbles((m) => {
        const transport = new TestTransport({
          scheduler: m.scheduler,
          script: (socket, i) => (i < 3 ? socket.refuse({ after: 1 }) : socket.open({ after: 5 })),
        });
        const { events } = transport.open({ url: URL });
        m.expect(events.pipe(retry({ delay: 10 }))).toBeObservable('38ms o', { o });
        m.flush();
        expect(transport.sockets.map((s) => s.startedAt)).to.deep.equal([0, 11, 22, 33]);
        expect(transport.sockets.map((s) => s.closedBy ?? s.readyState)).to.deep.equal(['network', 'network', 'network', 'OPEN']);
        expect(transport.last?.openedAt).to.equal(38);
      }),
    );
  });
});
