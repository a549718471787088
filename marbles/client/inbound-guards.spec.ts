import { expect } from 'chai';
import { SchedulerLike } from 'rxjs';
import { marbles } from 'rxjs-marbles/mocha';
import { connect } from '../../src/client/connect';
import type { ConnectOptions } from '../../src/client/connect-options';
import type { SocketEvent } from '../../src/client/events';
import { CodecError } from '../../src/errors';
import { TestScript, TestTransport } from '../../src/testing/test-transport';

function setup(scheduler: SchedulerLike, script: TestScript, options: ConnectOptions<string, string> = {}) {
  const transport = new TestTransport({ scheduler, script });
  const socket = connect<string, string>('ws://example.test/feed', { transport, scheduler, heartbeat: false, reconnect: false, ...options });
  const events: SocketEvent[] = [];
  socket.events$.subscribe((event) => events.push(event));
  const messages: string[] = [];
  socket.messages$.subscribe({ next: (message) => messages.push(message), error: () => undefined });
  return { transport, socket, events, messages };
}

/** A text codec whose decode throws a plain Error for the text "bad". */
const picky = {
  name: 'picky',
  encode: (text: string) => text,
  decode: (data: string | Uint8Array) => {
    if (data === 'bad') throw new Error('not for me');
    return String(data);
  },
};

/** Heartbeat options whose isPong throws for "boom" and knows "pong". */
const heartbeat = {
  interval: 1000,
  timeout: 1000,
  isPong: (message: string) => {
    if (message === 'boom') throw new Error('isPong failed');
    return message === 'pong';
  },
};

describe('the inbound path: adapter and isPong guards', () => {
  it(
    "should end the connection with a CodecError when a user codec throws and decodeErrors is 'fatal'",
    marbles((m) => {
      const { socket, events, messages } = setup(m.scheduler, (s) => s.open({ after: 1 }).receive('bad', { after: 5 }).receive('good', { after: 6 }), {
        codec: picky,
        decodeErrors: 'fatal',
      });
      m.flush();
      expect(messages).to.deep.equal([]);
      const decodeErrors = events.filter((e) => e.type === 'decode-error');
      expect(decodeErrors).to.have.length(1);
      expect(socket.state).to.include({ status: 'closed', gaveUp: true });
      const error = socket.state.status === 'closed' ? socket.state.error : undefined;
      expect(error).to.be.instanceOf(CodecError);
      expect((error as CodecError).message).to.include('could not decode message: not for me');
    }),
  );

  it(
    'should report an isPong that throws, skip that message, and keep the connection by default',
    marbles((m) => {
      const { socket, events, messages } = setup(m.scheduler, (s) => s.open({ after: 1 }).receive('boom', { after: 5 }).receive('fine', { after: 6 }), {
        codec: picky,
        heartbeat,
      });
      m.scheduler.schedule(() => socket.close(), 20);
      m.flush();
      expect(messages).to.deep.equal(['fine']);
      expect(events.filter((e) => e.type === 'callback-error').map((e) => (e as { source: string }).source)).to.deep.equal(['heartbeat.isPong']);
      expect(socket.state).to.include({ status: 'closed', requested: true });
    }),
  );

  it(
    "should end the connection with a CodecError when isPong throws and decodeErrors is 'fatal'",
    marbles((m) => {
      const { socket, messages } = setup(m.scheduler, (s) => s.open({ after: 1 }).receive('boom', { after: 5 }).receive('fine', { after: 6 }), {
        codec: picky,
        heartbeat,
        decodeErrors: 'fatal',
      });
      m.flush();
      expect(messages).to.deep.equal([]);
      const error = socket.state.status === 'closed' ? socket.state.error : undefined;
      expect(error).to.be.instanceOf(CodecError);
      expect((error as CodecError).message).to.include('could not decode message: isPong failed');
    }),
  );
});
