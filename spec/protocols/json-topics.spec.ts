/**
 * jsonTopics() against a real server speaking the common
 * `{ type: 'subscribe', topic }` / `{ topic, data }` protocol
 * (spec/support/topics-server.ts): subscribe and unsubscribe, routing by
 * topic, subscribe refusals and channel errors, requests with an id, and
 * application-level pings over the WHATWG transport (which cannot send ping
 * frames).
 */
import { expect } from 'chai';
import { firstValueFrom } from 'rxjs';
import WebSocket from 'ws';
import type { ConnectOptions } from '../../src/client/connect-options';
import type { Socket } from '../../src/client/socket';
import { RemoteError } from '../../src/errors';
import { jsonTopics, JsonTopicsMessage } from '../../src/protocols/json-topics';
import { webSocketTransport } from '../../src/transport/web-socket';
import { socketFixture, SocketRecording, waitFor } from '../support/client-server';
import { startTopicsServer, TopicsConnection, TopicsServer } from '../support/topics-server';

type TopicsSocket = Socket<JsonTopicsMessage, JsonTopicsMessage>;

describe('jsonTopics() against a real topic server', () => {
  let server: TopicsServer;
  const fixture = socketFixture();
  const { watch } = fixture;

  beforeEach(async () => {
    server = fixture.adopt(await startTopicsServer());
  });
  afterEach(() => fixture.dispose());

  function open(options: ConnectOptions<JsonTopicsMessage, JsonTopicsMessage> = {}): { s: TopicsSocket; rec: SocketRecording } {
    return fixture.open(server.url, { protocol: jsonTopics(), ...options });
  }

  const connection = (): TopicsConnection => {
    const found = server.connections[0];
    if (found === undefined) throw new Error('no connection yet');
    return found;
  };

  /** A request round trip: everything sent before it has reached the server when it resolves. */
  const barrier = (s: TopicsSocket): Promise<unknown> => firstValueFrom(s.request({ type: 'echo', value: 'barrier' }, { timeout: 2000 }));

  const withoutIds = (messages: readonly Record<string, unknown>[]): Record<string, unknown>[] =>
    messages.map(({ id, ...rest }) => {
      expect(id, `id of ${JSON.stringify(rest)}`).to.be.a('number');
      return rest;
    });

  it('should subscribe with { type, topic, params }, route { topic, data } pushes by topic, and unsubscribe when the last subscriber leaves', async () => {
    const { s, rec } = open();
    const prices1 = watch<number>(s.channel('prices', { symbol: 'BTC' }));
    const prices2 = watch<number>(s.channel('prices', { symbol: 'BTC' }));
    const news = watch<string>(s.channel('news'));
    await rec.reach('open');
    await waitFor(() => connection().topics.size === 2, 'both subscribes');
    expect(withoutIds(connection().messages)).to.deep.equal([
      { type: 'subscribe', topic: 'prices', params: { symbol: 'BTC' } },
      { type: 'subscribe', topic: 'news' },
    ]);
    server.publish('prices', 100);
    server.publish('news', 'hello');
    server.publish('prices', 101);
    await waitFor(() => prices2.values.length === 2 && news.values.length === 1, 'the pushes');
    expect(prices1.values).to.deep.equal([100, 101]);
    expect(prices2.values).to.deep.equal([100, 101]);
    expect(news.values).to.deep.equal(['hello']);
    expect(rec.messages, 'channel pushes are also on messages$ by default').to.deep.equal([
      { topic: 'prices', data: 100 },
      { topic: 'news', data: 'hello' },
      { topic: 'prices', data: 101 },
    ]);

    prices1.subscription.unsubscribe();
    await barrier(s);
    expect(connection().unsubscribes.size, 'no unsubscribe while a subscriber remains').to.equal(0);
    prices2.subscription.unsubscribe();
    await barrier(s);
    expect(Object.fromEntries(connection().unsubscribes)).to.deep.equal({ prices: 1 });
    expect(withoutIds(connection().messages.filter((m) => m.type === 'unsubscribe'))).to.deep.equal([
      { type: 'unsubscribe', topic: 'prices', params: { symbol: 'BTC' } },
    ]);
    expect(Object.fromEntries(connection().subscribes)).to.deep.equal({ prices: 1, news: 1 });
    expect(rec.messages.filter((m) => (m as JsonTopicsMessage).id !== undefined), 'answers are not on messages$').to.deep.equal([]);
  });

  it('should error only the subscribers of a topic whose subscribe the server answers with an error', async () => {
    const { s, rec } = open();
    const news = watch<string>(s.channel('news'));
    const forbidden = watch<unknown>(s.channel('forbidden-topic'));
    await rec.reach('open');
    await waitFor(() => forbidden.error !== undefined, 'the refusal');
    expect(forbidden.error).to.be.instanceOf(RemoteError);
    expect(forbidden.error).to.include({ remoteCode: 'E_TOPIC' });
    expect((forbidden.error as RemoteError).message).to.contain('unknown topic forbidden-topic');
    expect((forbidden.error as RemoteError).data).to.deep.equal({ topic: 'forbidden-topic' });
    server.publish('news', 'still here');
    await waitFor(() => news.values.length === 1, 'the other channel to flow');
    expect(news.error).to.equal(undefined);
    await barrier(s);
    expect(connection().unsubscribes.size, 'no unsubscribe for a refused topic').to.equal(0);
  });

  it("should error a channel's subscribers on a { type: 'error', topic } push, keep it off messages$, and leave other channels flowing", async () => {
    const { s, rec } = open();
    const news = watch<string>(s.channel('news'));
    const trades1 = watch<unknown>(s.channel('trades'));
    const trades2 = watch<unknown>(s.channel('trades'));
    await rec.reach('open');
    await waitFor(() => connection().topics.size === 2, 'both subscribes');
    expect(server.failTopic('trades', { code: 4001, message: 'instrument delisted', data: { instrument: 'XYZ' } })).to.equal(1);
    await waitFor(() => trades1.error !== undefined && trades2.error !== undefined, 'the channel error');
    for (const trades of [trades1, trades2]) {
      expect(trades.error).to.be.instanceOf(RemoteError);
      expect(trades.error).to.include({ remoteCode: 4001 });
      expect((trades.error as RemoteError).data).to.deep.equal({ instrument: 'XYZ' });
    }
    server.publish('news', 'after');
    await waitFor(() => news.values.length === 1, 'the other channel to flow');
    await barrier(s);
    expect(rec.messages).to.deep.equal([{ topic: 'news', data: 'after' }]);
    expect(connection().unsubscribes.size, 'no unsubscribe for a topic the server ended').to.equal(0);
    expect(s.state.status).to.equal('open');
  });

  it('should correlate requests by id: data resolves, an error object or string rejects with RemoteError', async () => {
    const { s, rec } = open();
    await rec.reach('open');
    const [echo, sum] = await Promise.all([
      firstValueFrom(s.request<{ nested: number[] }>({ type: 'echo', value: { nested: [1, 2] } })),
      firstValueFrom(s.request<number>({ type: 'add', a: 2, b: 40 })),
    ]);
    expect(echo).to.deep.equal({ nested: [1, 2] });
    expect(sum).to.equal(42);
    const ids = connection().messages.map((m) => m.id);
    expect(ids.every((id) => typeof id === 'number') && new Set(ids).size === 2, JSON.stringify(ids)).to.equal(true);

    const unknown = await firstValueFrom(s.request({ type: 'teleport' })).catch((error: unknown) => error);
    expect(unknown).to.be.instanceOf(RemoteError);
    expect(unknown).to.include({ remoteCode: 'E_UNKNOWN_TYPE' });
    expect((unknown as RemoteError).data).to.deep.equal({ type: 'teleport' });
    const plain = await firstValueFrom(s.request({ type: 'fail' })).catch((error: unknown) => error);
    expect(plain).to.be.instanceOf(RemoteError);
    expect(plain).to.include({ remoteCode: 'error' });
    expect((plain as RemoteError).message).to.contain('plain failure');
    expect(rec.messages, 'responses are not on messages$').to.deep.equal([]);
  });

  it('should keep the connection alive with { type: ping } application pings over the WHATWG transport, measuring rtt and keeping pongs off messages$', async () => {
    const transport = webSocketTransport({ WebSocket });
    expect(transport.capabilities.ping, 'the WHATWG transport cannot send ping frames').to.equal(false);
    const { s, rec } = open({ transport, heartbeat: { interval: 40, timeout: 1000 } });
    await rec.reach('open');
    await waitFor(() => rec.eventsOf('rtt').length >= 3, 'three rtt measurements', 3000);
    const pings = connection().messages.filter((m) => m.type === 'ping');
    expect(pings.length).to.be.at.least(3);
    expect(pings[0]).to.deep.equal({ type: 'ping' });
    expect(connection().pingFrames, 'no protocol ping frames').to.equal(0);
    for (const event of rec.eventsOf('rtt')) expect(event.rtt).to.be.within(0, 1000);
    server.broadcast({ type: 'notice', text: 'not a pong' });
    await waitFor(() => rec.messages.length === 1, 'the notice');
    expect(rec.messages, 'pongs are not on messages$').to.deep.equal([{ type: 'notice', text: 'not a pong' }]);
    expect(rec.eventsOf('heartbeat-timeout')).to.deep.equal([]);
    expect(s.state.status).to.equal('open');
  });
});
