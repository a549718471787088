import { expect } from 'chai';
import { marbles } from 'rxjs-marbles/mocha';
import { defineProtocol } from '../../src/client/define-protocol';
import type { Protocol } from '../../src/client/protocol';
import type { Socket } from '../../src/client/socket';
import { CodecError, InvalidOptionsError, OutboxFullError, RemoteError, SocketClosedError } from '../../src/errors';
import { answering, Msg, sent, setup } from './protocol-support';

type Seen = Array<[string, unknown]>;

/** Subscribes and records next/error/complete. */
function record<T>(observable: { subscribe(observer: { next(v: T): void; error(e: unknown): void; complete(): void }): unknown }): Seen {
  const seen: Seen = [];
  observable.subscribe({ next: (v) => seen.push(['next', v]), error: (e) => seen.push(['error', e]), complete: () => seen.push(['complete', undefined]) });
  return seen;
}

/** The callback-error events' sources and errors. */
function callbackErrors(socket: Socket<Msg, Msg>): Array<[string, unknown]> {
  const seen: Array<[string, unknown]> = [];
  socket.events$.subscribe((e) => e.type === 'callback-error' && seen.push([e.source, e.error]));
  return seen;
}

/** A protocol with ids, topics and channel errors whose `broken` hook throws. */
function throwing(broken: keyof Protocol<Msg, Msg>): Protocol<Msg, Msg> {
  const boom = (): never => {
    throw new TypeError(`${broken} is broken`);
  };
  const base: Protocol<Msg, Msg> = {
    withId: (message, id) => ({ ...message, id }),
    idOf: (message) => message.id,
    resultOf: (message) => ({ ok: true, value: message.data }),
    authResult: (message) => (message.type === 'auth-ok' ? { ok: true } : undefined),
    topicOf: (message) => message.topic,
    channelData: (message) => message.data,
    channelError: (message) => (message.type === 'error' && typeof message.topic === 'string' ? { topic: message.topic, error: new RemoteError(0, 'x') } : undefined),
    subscribe: (topic) => ({ type: 'subscribe', topic }),
  };
  return defineProtocol<Msg, Msg>({ ...base, [broken]: boom } as Protocol<Msg, Msg>);
}

describe('the protocol engine, edges, in virtual time', () => {
  it(
    'should refuse a channel topic that is not a non-empty string, and a channel or request after close()',
    marbles((m) => {
      const { socket } = setup(m, (s) => s.open({ after: 1 }));
      expect(() => socket.channel('')).to.throw(InvalidOptionsError, 'channel(topic): topic must be a non-empty string, got ""');
      expect(() => socket.channel(42 as never)).to.throw(InvalidOptionsError, 'channel(topic): topic must be a non-empty string, got 42');
      m.scheduler.schedule(() => socket.close(), 5);
      m.flush();
      const channel = record(socket.channel('late'));
      const request = record(socket.request({ type: 'get' }));
      expect(channel).to.have.length(1);
      expect(channel[0]![1]).to.be.instanceOf(SocketClosedError);
      expect((channel[0]![1] as Error).message).to.match(/^rxnova: channel\(\): the socket is closed/);
      expect(request).to.have.length(1);
      expect((request[0]![1] as Error).message).to.match(/^rxnova: request\(\): the socket is closed/);
    }),
  );

  it(
    'should fail a request made after close() was asked for, while the socket is still closing',
    marbles((m) => {
      const { socket } = setup(m, (s) => s.open({ after: 1 }).slowClose(100), {});
      let request: Seen = [];
      m.scheduler.schedule(() => socket.close(), 5);
      m.scheduler.schedule(() => {
        expect(socket.state.status).to.equal('closing');
        request = record(socket.request({ type: 'get' }));
      }, 6);
      m.flush();
      expect(request[0]![0]).to.equal('error');
      expect(request[0]![1]).to.be.instanceOf(SocketClosedError);
    }),
  );

  it('should refuse request() on a protocol without ids, and bad request options, naming them', () => {
    const bare = setup({ scheduler: undefined as never }, (s) => s.open(), { protocol: defineProtocol<Msg, Msg>({}), lazy: true }).socket;
    expect(() => bare.request({ type: 'get' })).to.throw(InvalidOptionsError, 'request() needs a protocol that correlates responses (withId and idOf)');
    const { socket } = setup({ scheduler: undefined as never }, (s) => s.open(), { lazy: true });
    expect(() => socket.request({ type: 'get' }, { timeout: -1 })).to.throw(InvalidOptionsError, 'request(): timeout must be');
    expect(() => socket.request({ type: 'get' }, { inFlight: 'maybe' as never })).to.throw(InvalidOptionsError, `request(): inFlight must be 'fail' or 'resend', got "maybe"`);
    expect(() => socket.request({ type: 'get' }, { timeout: Infinity })).to.not.throw();
  });

  it(
    'should fail a request the full outbox refuses with OutboxFullError, and keep the socket as it is',
    marbles((m) => {
      const { socket } = setup(m, (s) => s.open({ after: 100 }), { outbox: { maxMessages: 1 } });
      socket.send({ type: 'first' });
      const refused = record(socket.request({ type: 'get' }));
      expect(refused[0]![0]).to.equal('error');
      expect(refused[0]![1]).to.be.instanceOf(OutboxFullError);
      m.scheduler.schedule(() => socket.close(), 200);
      m.flush();
    }),
  );

  it(
    'should give the whole response to a request when the protocol has no resultOf, and the error resultOf throws when it has one',
    marbles((m) => {
      const plain = setup(
        m,
        (s) => {
          s.open({ after: 1 });
          answering(s, (msg) => ({ id: msg.id, data: 'body' }));
        },
        { protocol: defineProtocol<Msg, Msg>({ withId: (message, id) => ({ ...message, id }), idOf: (message) => message.id }) },
      ).socket;
      const broken = setup(
        m,
        (s) => {
          s.open({ after: 1 });
          answering(s, (msg) => ({ id: msg.id, data: 'body' }));
        },
        { protocol: throwing('resultOf') },
      ).socket;
      const failures = callbackErrors(broken);
      const whole = record(plain.request({ type: 'get' }));
      const failed = record(broken.request({ type: 'get' }));
      m.scheduler.schedule(() => [plain, broken].forEach((socket) => socket.close()), 10);
      m.flush();
      expect(whole).to.deep.equal([
        ['next', { id: 1, data: 'body' }],
        ['complete', undefined],
      ]);
      expect(failed).to.have.length(1);
      expect((failed[0]![1] as Error).message).to.equal('resultOf is broken');
      expect(failures.map(([source]) => source)).to.deep.equal(['protocol.resultOf']);
    }),
  );

  for (const hook of ['topicOf', 'channelData', 'channelError'] as const) {
    it(
      `should report a throwing ${hook} on events$ as protocol.${hook}, keep the socket open, and pass nothing on`,
      marbles((m) => {
        const { socket } = setup(
          m,
          (s) => {
            s.open({ after: 1 });
            answering(s);
            s.receive(JSON.stringify(hook === 'channelError' ? { type: 'error', topic: 'elsewhere' } : { topic: 'prices', data: 1 }), { after: 10 });
          },
          { protocol: throwing(hook) },
        );
        const failures = callbackErrors(socket);
        const messages: Msg[] = [];
        socket.messages$.subscribe((message) => messages.push(message));
        const channel = record(socket.channel(hook === 'channelError' ? 'other' : 'prices'));
        m.scheduler.schedule(() => socket.close(), 20);
        m.flush();
        expect(failures.map(([source]) => source)).to.deep.equal([`protocol.${hook}`]);
        expect((failures[0]![1] as Error).message).to.equal(`${hook} is broken`);
        expect(messages, 'a message the adapter failed on is not passed on').to.deep.equal([]);
        expect(channel).to.deep.equal([['complete', undefined]]);
      }),
    );
  }

  it(
    'should give a channel the whole message when the protocol has topicOf but no channelData',
    marbles((m) => {
      const { socket } = setup(
        m,
        (s) => {
          s.open({ after: 1 });
          s.receive(JSON.stringify({ topic: 'prices', data: 1 }), { after: 5 });
        },
        { protocol: defineProtocol<Msg, Msg>({ topicOf: (message) => message.topic }) },
      );
      const channel = record(socket.channel('prices'));
      m.scheduler.schedule(() => socket.close(), 10);
      m.flush();
      expect(channel).to.deep.equal([
        ['next', { topic: 'prices', data: 1 }],
        ['complete', undefined],
      ]);
    }),
  );

  it(
    'should send no unsubscribe when the protocol has none, and a subscribe again after the server refused one',
    marbles((m) => {
      let refuse = true;
      const { transport, socket } = setup(
        m,
        (s) => {
          s.open({ after: 1 });
          answering(s, (msg) => (refuse ? { id: msg.id, error: { code: 403, message: 'not yet' } } : { id: msg.id, data: {} }));
        },
        {
          protocol: defineProtocol<Msg, Msg>({
            withId: (message, id) => ({ ...message, id }),
            idOf: (message) => message.id,
            resultOf: (message) => (message.error === undefined ? { ok: true, value: message.data } : { ok: false, error: new RemoteError(403, 'not yet') }),
            subscribe: (topic) => ({ type: 'subscribe', topic }),
          }),
        },
      );
      const first = record(socket.channel('news'));
      m.scheduler.schedule(() => {
        refuse = false;
        const again = socket.channel('news').subscribe();
        m.scheduler.schedule(() => again.unsubscribe(), 5);
      }, 10);
      m.scheduler.schedule(() => socket.close(), 30);
      m.flush();
      expect(first[0]![0]).to.equal('error');
      expect(sent(transport.sockets[0]!).map((msg) => msg.type)).to.deep.equal(['subscribe', 'subscribe']);
    }),
  );

  it(
    'should report a throwing authResult on events$ as protocol.authResult, and not pass the message on',
    marbles((m) => {
      const { socket } = setup(
        m,
        (s) => {
          s.open({ after: 1 });
          s.receive(JSON.stringify({ type: 'auth-ok' }), { after: 5 });
        },
        {
          protocol: defineProtocol<Msg, Msg>({
            authResult: () => {
              throw new TypeError('authResult is broken');
            },
          }),
          auth: () => ({ type: 'auth' }),
        },
      );
      const failures = callbackErrors(socket);
      const messages: Msg[] = [];
      socket.messages$.subscribe((message) => messages.push(message));
      m.scheduler.schedule(() => socket.close(), 20);
      m.flush();
      expect(failures.map(([source]) => source)).to.deep.equal(['protocol.authResult']);
      expect(messages).to.deep.equal([]);
    }),
  );

  it(
    'should error a channel whose subscribe the codec cannot encode, and leave no channel behind',
    marbles((m) => {
      const picky = {
        name: 'picky',
        encode: (message: Msg): string => {
          if (message.type === 'subscribe' && message.topic === 'bad') throw new TypeError('no bad topics');
          return JSON.stringify(message);
        },
        decode: (data: string | Uint8Array): Msg => JSON.parse(String(data)) as Msg,
      };
      const { transport, socket } = setup(
        m,
        (s) => {
          s.open({ after: 1 });
          answering(s);
        },
        { codec: picky },
      );
      let bad: Seen = [];
      let good: Seen = [];
      m.scheduler.schedule(() => {
        bad = record(socket.channel('bad'));
        good = record(socket.channel('good'));
      }, 5);
      m.scheduler.schedule(() => socket.close(), 10);
      m.flush();
      expect(bad[0]![0]).to.equal('error');
      expect(bad[0]![1]).to.be.instanceOf(CodecError);
      expect(good).to.deep.equal([['complete', undefined]]);
      expect(sent(transport.sockets[0]!).filter((msg) => msg.type === 'subscribe').map((msg) => msg.topic)).to.deep.equal(['good']);
    }),
  );

  it('should refuse channel params JSON cannot represent with InvalidOptionsError, at once', () => {
    const { socket } = setup({ scheduler: undefined as never }, (s) => s.open(), { lazy: true });
    const circular: Record<string, unknown> = {};
    circular['self'] = circular;
    expect(() => socket.channel('news', { since: 10n })).to.throw(InvalidOptionsError, 'channel(topic, params): params must be JSON data');
    expect(() => socket.channel('news', circular)).to.throw(InvalidOptionsError, 'channel(topic, params): params must be JSON data');
    expect(() => socket.channel('news', { since: 10 })).to.not.throw();
  });

  it(
    'should open a lazy socket for a request and close it once the request is answered',
    marbles((m) => {
      const { transport, socket } = setup(
        m,
        (s) => {
          s.open({ after: 1 });
          answering(s);
        },
        { lazy: true },
      );
      expect(socket.state.status).to.equal('closed');
      let answer: Seen = [];
      m.scheduler.schedule(() => (answer = record(socket.request({ type: 'get' }))), 10);
      m.flush();
      expect(answer.map(([kind]) => kind)).to.deep.equal(['next', 'complete']);
      expect(transport.sockets).to.have.length(1);
      expect(socket.state.status).to.equal('closed');
    }),
  );
});
