import { expect } from 'chai';
import type { Subscription } from 'rxjs';
import { marbles } from 'rxjs-marbles/mocha';
import { RemoteError } from '../../src/errors';
import { answering, Msg, sent, setup } from './protocol-support';

/** A push of `data` on `topic`, as the server sends it. */
const push = (topic: string, data: unknown): string => JSON.stringify({ topic, data });

describe('channels on the socket, edges, in virtual time', () => {
  it(
    'should deliver the pushes of a topic to each of its channels with different params, and stop for the one that left',
    marbles((m) => {
      const { socket } = setup(m, (s) => {
        s.open({ after: 1 });
        answering(s);
        s.receive(push('book', 1), { after: 10 });
        s.receive(push('book', 2), { after: 30 });
      });
      const seen: Array<[string, unknown]> = [];
      const shallow = socket.channel('book', { depth: 1 }).subscribe((data) => seen.push(['shallow', data]));
      socket.channel('book', { depth: 10 }).subscribe((data) => seen.push(['deep', data]));
      m.scheduler.schedule(() => shallow.unsubscribe(), 20);
      m.scheduler.schedule(() => socket.close(), 40);
      m.flush();
      expect(seen).to.deep.equal([
        ['shallow', 1],
        ['deep', 1],
        ['deep', 2],
      ]);
    }),
  );

  it(
    'should give the pushes of a topic back to messages$ once its last channel left, while other channels live (messagesIncludeChannels: false)',
    marbles((m) => {
      const nobodys = { type: 'error', topic: 'nobody', error: 'no such topic' };
      const { socket } = setup(
        m,
        (s) => {
          s.open({ after: 1 });
          answering(s);
          s.receive(push('news', 'while subscribed'), { after: 10 });
          s.receive(push('news', 'after leaving'), { after: 30 });
          s.receive(JSON.stringify(nobodys), { after: 31 });
        },
        { messagesIncludeChannels: false },
      );
      const messages: Msg[] = [];
      socket.messages$.subscribe((message) => messages.push(message));
      socket.channel('other').subscribe();
      const channel = socket.channel('news').subscribe();
      m.scheduler.schedule(() => channel.unsubscribe(), 20);
      m.scheduler.schedule(() => socket.close(), 40);
      m.flush();
      expect(messages).to.deep.equal([{ topic: 'news', data: 'after leaving' }, nobodys]);
    }),
  );

  it(
    'should error every channel of a topic the server ends, whatever its params, send no unsubscribe, and subscribe afresh when asked again',
    marbles((m) => {
      const { transport, socket } = setup(m, (s) => {
        s.open({ after: 1 });
        answering(s);
        s.receive(JSON.stringify({ type: 'error', topic: 'vip', error: { code: 403, message: 'plan ended' } }), { after: 5 });
      });
      const errors: unknown[] = [];
      socket.channel('vip', { tier: 1 }).subscribe({ error: (e: unknown) => errors.push(e) });
      socket.channel('vip', { tier: 2 }).subscribe({ error: (e: unknown) => errors.push(e) });
      let again: Subscription | undefined;
      m.scheduler.schedule(() => (again = socket.channel('vip', { tier: 1 }).subscribe()), 10);
      m.scheduler.schedule(() => socket.close(), 20);
      m.flush();
      expect(errors).to.deep.equal([new RemoteError(403, 'plan ended'), new RemoteError(403, 'plan ended')]);
      const wire = sent(transport.sockets[0]!).map((msg) => [msg.type, msg.params]);
      expect(wire).to.deep.equal([
        ['subscribe', { tier: 1 }],
        ['subscribe', { tier: 2 }],
        ['subscribe', { tier: 1 }],
      ]);
      expect(again!.closed, 'the new channel ends with close()').to.equal(true);
    }),
  );

  it(
    'should treat params with null values as one channel, whatever the key order',
    marbles((m) => {
      const { transport, socket } = setup(m, (s) => {
        s.open({ after: 1 });
        answering(s);
        s.receive(push('feed', 'x'), { after: 10 });
      });
      const seen: unknown[] = [];
      socket.channel('feed', { cursor: null, limit: 5 }).subscribe((data) => seen.push(data));
      socket.channel('feed', { limit: 5, cursor: null }).subscribe((data) => seen.push(data));
      m.scheduler.schedule(() => socket.close(), 20);
      m.flush();
      expect(sent(transport.sockets[0]!).filter((msg) => msg.type === 'subscribe')).to.have.length(1);
      expect(seen).to.deep.equal(['x', 'x']);
    }),
  );
});
