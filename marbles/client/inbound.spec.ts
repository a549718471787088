/**
 * The inbound path in virtual time: a frame the codec cannot decode is reported and skipped, or ends the socket with
 * `decodeErrors: 'fatal'`; a heartbeat pong is taken off messages$; a throwing isPong is reported and handled like a
 * decode error.
 */
import { expect } from 'chai';
import { SchedulerLike } from 'rxjs';
import { marbles } from 'rxjs-marbles/mocha';
import { constantBackoff } from '../../src/backoff/constant-backoff';
import type { Codec } from '../../src/client/codec';
import { connect } from '../../src/client/connect';
import type { ConnectOptions } from '../../src/client/connect-options';
import type { SocketEvent } from '../../src/client/events';
import { CodecError } from '../../src/errors';
import { TestScript, TestTransport } from '../../src/testing/test-transport';

function setup(scheduler: SchedulerLike, script: TestScript, options: ConnectOptions<unknown, unknown> = {}) {
  const transport = new TestTransport({ scheduler, script });
  const socket = connect<unknown, unknown>('ws://example.test/feed', {
    transport,
    scheduler,
    heartbeat: false,
    reconnect: { backoff: constantBackoff(20) },
    ...options,
  });
  // Closed at 50, so that the heartbeat's timers end and the flush does too.
  scheduler.schedule(() => socket.close(), 50);
  const events: Array<[number, SocketEvent]> = [];
  socket.events$.subscribe((event) => events.push([scheduler.now(), event]));
  const messages: Array<[number, unknown]> = [];
  let failure: unknown;
  socket.messages$.subscribe({ next: (message) => messages.push([scheduler.now(), message]), error: (error) => (failure = error) });
  const ofType = <T extends SocketEvent['type']>(type: T) =>
    events.filter(([, event]) => event.type === type).map(([t, event]) => [t, event] as [number, Extract<SocketEvent, { type: T }>]);
  return { transport, socket, messages, ofType, failure: () => failure };
}

/** A heartbeat whose pong is the data message "pong" and whose isPong throws on "boom". */
const dataPong = {
  interval: 1000,
  timeout: 500,
  ping: 'ping',
  isPong: (message: unknown) => {
    if (message === 'boom') throw new RangeError('isPong failed');
    return message === 'pong';
  },
};

describe('the inbound path (marbles)', () => {
  it(
    "should report a frame that fails to decode with its kind and size, and deliver the next one, by default ('skip')",
    marbles((m) => {
      const bad = new Uint8Array([0xff, 0xfe, 0xfd]);
      const { messages, ofType, failure, transport } = setup(m.scheduler, (s) =>
        s.open({ after: 1 }).play('--a-b-c-d', { a: '{"n":1}', b: 'not json', c: bad, d: '{"n":2}' }),
      );
      m.flush();
      expect(messages).to.deep.equal([[2, { n: 1 }], [8, { n: 2 }]]);
      const errors = ofType('decode-error');
      expect(errors.map(([t, e]) => [t, e.kind, e.bytes])).to.deep.equal([[4, 'text', 8], [6, 'binary', 3]]);
      for (const [, e] of errors) expect(e.error).to.be.instanceOf(CodecError).and.to.include({ direction: 'decode' });
      expect(failure()).to.equal(undefined);
      expect(transport.sockets.length).to.equal(1);
    }),
  );

  it(
    "should end the socket with the CodecError, without reconnecting, when decodeErrors is 'fatal'",
    marbles((m) => {
      const { messages, ofType, failure, transport } = setup(
        m.scheduler,
        (s) => s.open({ after: 1 }).play('--a-b-c', { a: '{"n":1}', b: 'not json', c: '{"n":2}' }),
        { decodeErrors: 'fatal' },
      );
      m.flush();
      expect(messages).to.deep.equal([[2, { n: 1 }]]);
      const [[t, event]] = ofType('decode-error');
      expect(t).to.equal(4);
      expect(failure()).to.equal(event.error);
      expect(ofType('gave-up').map(([at]) => at)).to.deep.equal([4]);
      expect(transport.sockets.length).to.equal(1);
    }),
  );

  it(
    "should wrap what a user's codec throws in a CodecError with it as the cause, and keep a CodecError it throws as it is",
    marbles((m) => {
      const own = new CodecError('decode', new Error('own'));
      const codec: Codec<unknown, unknown> = {
        name: 'picky',
        encode: (message) => String(message),
        decode: (data) => {
          if (data === 'own') throw own;
          if (data === 'other') throw new RangeError('other');
          return data;
        },
      };
      const { messages, ofType } = setup(m.scheduler, (s) => s.open({ after: 1 }).play('--a-b-c', { a: 'own', b: 'other', c: 'ok' }), { codec });
      m.flush();
      expect(messages).to.deep.equal([[6, 'ok']]);
      const [[, first], [, second]] = ofType('decode-error');
      expect(first.error).to.equal(own);
      expect(second.error).to.be.instanceOf(CodecError).and.to.include({ direction: 'decode' });
      expect((second.error as { cause?: unknown }).cause).to.be.instanceOf(RangeError);
    }),
  );

  it(
    'should take a heartbeat pong off messages$ and not count it as received',
    marbles((m) => {
      const { messages, ofType } = setup(m.scheduler, (s) => s.open({ after: 1 }).play('--a-b-c', { a: '{"n":1}', b: '"pong"', c: '{"n":2}' }), {
        heartbeat: dataPong,
      });
      m.flush();
      expect(messages).to.deep.equal([[2, { n: 1 }], [6, { n: 2 }]]);
      expect(ofType('received').map(([t, e]) => [t, e.kind, e.bytes])).to.deep.equal([[2, 'text', 7], [6, 'text', 7]]);
    }),
  );

  it(
    'should report a throwing isPong as a callback-error and skip that message, keeping the connection',
    marbles((m) => {
      const { messages, ofType, failure } = setup(
        m.scheduler,
        (s) => s.open({ after: 1 }).play('--a-b-c', { a: '{"n":1}', b: '"boom"', c: '{"n":2}' }),
        { heartbeat: dataPong },
      );
      m.flush();
      expect(messages).to.deep.equal([[2, { n: 1 }], [6, { n: 2 }]]);
      const [[t, event]] = ofType('callback-error');
      expect([t, event.source]).to.deep.equal([4, 'heartbeat.isPong']);
      expect(event.error).to.be.instanceOf(RangeError);
      expect(ofType('received').map(([at]) => at)).to.deep.equal([2, 6]);
      expect(failure()).to.equal(undefined);
    }),
  );

  it(
    "should end the socket with a CodecError caused by what isPong threw, when decodeErrors is 'fatal'",
    marbles((m) => {
      const { messages, failure, transport } = setup(
        m.scheduler,
        (s) => s.open({ after: 1 }).play('--a-b-c', { a: '{"n":1}', b: '"boom"', c: '{"n":2}' }),
        { heartbeat: dataPong, decodeErrors: 'fatal' },
      );
      m.flush();
      expect(messages).to.deep.equal([[2, { n: 1 }]]);
      expect(failure()).to.be.instanceOf(CodecError).and.to.include({ direction: 'decode' });
      expect((failure() as { cause?: unknown }).cause).to.be.instanceOf(RangeError);
      expect(transport.sockets.length).to.equal(1);
    }),
  );
});
