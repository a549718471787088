/**
 * jsonRpc() against a real JSON-RPC 2.0 server (spec/support/exchange-server.ts,
 * a fake exchange shaped like Deribit's API): request ids and results, error
 * objects as RemoteError, notifications routed to channels by params.channel,
 * subscribe errors, reference-counted (un)subscribes, messages$ with and
 * without channel messages, authentication on every connection, auth failure
 * and refresh before expiry, late and unmatched responses, configured
 * notification fields, and pingMethod as the application-level ping.
 */
import { expect } from 'chai';
import { firstValueFrom } from 'rxjs';
import WebSocket from 'ws';
import { constantBackoff } from '../../src/backoff/constant-backoff';
import type { ConnectOptions } from '../../src/client/connect-options';
import type { AuthContext } from '../../src/client/connect-options';
import type { Socket } from '../../src/client/socket';
import { AuthError, RemoteError } from '../../src/errors';
import { connect } from '../../src/node';
import { jsonRpc, JsonRpcMessage, JsonRpcRequest } from '../../src/protocols/json-rpc';
import { webSocketTransport } from '../../src/transport/web-socket';
import { socketFixture, SocketRecording, waitFor } from '../support/client-server';
import { Exchange, ExchangeConnection, startExchange } from '../support/exchange-server';

type RpcSocket = Socket<JsonRpcMessage, JsonRpcRequest>;

const CLIENT_ID = 'spec-client';
const CLIENT_SECRET = 'spec-secret';

const authMessage = (secret = CLIENT_SECRET) => (): JsonRpcRequest => ({
  method: 'public/auth',
  params: { grant_type: 'client_credentials', client_id: CLIENT_ID, client_secret: secret },
});

describe('jsonRpc() against a real JSON-RPC server', () => {
  let exchange: Exchange;
  const fixture = socketFixture();
  const { watch } = fixture;

  beforeEach(async () => {
    exchange = fixture.adopt(await startExchange({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }));
  });
  afterEach(() => fixture.dispose());

  function open(options: ConnectOptions<JsonRpcMessage, JsonRpcRequest> = {}): { s: RpcSocket; rec: SocketRecording } {
    return fixture.open(exchange.url, { protocol: jsonRpc(), ...options });
  }

  /** The exchange's only connection so far. */
  function connection(index = 0): ExchangeConnection {
    const found = exchange.connections[index];
    if (found === undefined) throw new Error(`the exchange has no connection ${index}`);
    return found;
  }

  /** A request round trip: everything sent before it has reached the server when it resolves. */
  const barrier = (s: RpcSocket): Promise<unknown> => firstValueFrom(s.request({ method: 'public/get_time' }, { timeout: 2000 }));

  const subscribedOn = (c: ExchangeConnection, channel: string): number => c.subscribes.get(channel) ?? 0;

  it('should give every request a fresh numeric id and resolve each to its own result', async () => {
    const { s, rec } = open();
    await rec.reach('open');
    const results = await Promise.all(
      ['a', 'b', 'c'].map((echo) => firstValueFrom(s.request<{ time: number; echo: string }>({ method: 'public/get_time', params: { echo } }))),
    );
    expect(results.map((r) => r.echo)).to.deep.equal(['a', 'b', 'c']);
    for (const result of results) expect(result.time).to.be.a('number');
    const requests = connection().requests;
    expect(requests.map((r) => r.jsonrpc)).to.deep.equal(['2.0', '2.0', '2.0']);
    const ids = requests.map((r) => r.id);
    for (const id of ids) expect(id).to.be.a('number');
    expect(new Set(ids).size, `distinct ids: ${JSON.stringify(ids)}`).to.equal(3);
    expect(rec.messages, 'responses are not on messages$').to.deep.equal([]);
  });

  it('should fail a request with a RemoteError carrying the server error code, message and data', async () => {
    const { s, rec } = open();
    await rec.reach('open');
    const unknown = await firstValueFrom(s.request({ method: 'public/no_such_method' })).then(
      () => expect.fail('the request should have failed'),
      (error: unknown) => error,
    );
    expect(unknown).to.be.instanceOf(RemoteError);
    expect(unknown).to.include({ name: 'RemoteError', code: 'RXNOVA_ERR_REMOTE', remoteCode: -32601 });
    expect((unknown as RemoteError).message).to.contain('Method not found');
    expect((unknown as RemoteError).data).to.deep.equal({ method: 'public/no_such_method' });

    const badParams = await firstValueFrom(s.request({ method: 'public/subscribe', params: { channels: 'nope' } })).then(
      () => expect.fail('the request should have failed'),
      (error: unknown) => error,
    );
    expect(badParams).to.be.instanceOf(RemoteError);
    expect(badParams).to.include({ remoteCode: -32602 });
    expect((badParams as RemoteError).message).to.contain('Invalid params');
    expect((badParams as RemoteError).data).to.deep.equal({ param: 'channels', reason: 'must be a non-empty list of channel names' });
    expect(s.state.status, 'a remote error does not end the socket').to.equal('open');
  });

  it('should route notifications to channel() by params.channel and hand each subscriber params.data', async () => {
    const { s, rec } = open();
    const btc = watch<{ price: number }>(s.channel('ticker.BTC-PERPETUAL.100ms'));
    const eth = watch<{ price: number }>(s.channel('ticker.ETH-PERPETUAL.100ms'));
    await rec.reach('open');
    await waitFor(() => connection().channels.size === 2, 'both subscribes on the server');
    expect(connection().requests.filter((r) => r.method === 'public/subscribe').map((r) => r.params)).to.deep.equal([
      { channels: ['ticker.BTC-PERPETUAL.100ms'] },
      { channels: ['ticker.ETH-PERPETUAL.100ms'] },
    ]);
    exchange.publish('ticker.BTC-PERPETUAL.100ms', { price: 1 });
    exchange.publish('ticker.ETH-PERPETUAL.100ms', { price: 2 });
    exchange.publish('ticker.BTC-PERPETUAL.100ms', { price: 3 });
    await waitFor(() => btc.values.length === 2 && eth.values.length === 1, 'the three notifications');
    expect(btc.values).to.deep.equal([{ price: 1 }, { price: 3 }]);
    expect(eth.values).to.deep.equal([{ price: 2 }]);
  });

  it('should error only the subscribers of a channel the server refuses, while other channels keep flowing', async () => {
    const { s, rec } = open();
    const good = watch<number>(s.channel('ticker.BTC-PERPETUAL.raw'));
    const bad1 = watch<number>(s.channel('nonsense.channel'));
    const bad2 = watch<number>(s.channel('nonsense.channel'));
    await rec.reach('open');
    await waitFor(() => bad1.error !== undefined && bad2.error !== undefined, 'the refused channel to error');
    for (const bad of [bad1, bad2]) {
      expect(bad.error).to.be.instanceOf(RemoteError);
      expect(bad.error).to.include({ remoteCode: -32602 });
      expect((bad.error as RemoteError).data).to.deep.equal({ param: 'channels', reason: 'unknown channel nonsense.channel' });
    }
    expect(subscribedOn(connection(), 'nonsense.channel'), 'one subscribe for two subscribers').to.equal(1);
    exchange.publish('ticker.BTC-PERPETUAL.raw', 42);
    await waitFor(() => good.values.length === 1, 'the good channel to keep flowing');
    expect(good.values).to.deep.equal([42]);
    expect(good.error).to.equal(undefined);
    expect(s.state.status).to.equal('open');
    await barrier(s);
    expect(connection().unsubscribes.get('nonsense.channel'), 'no unsubscribe for a channel the server refused').to.equal(undefined);

    // A new subscriber of the refused topic asks again.
    const again = watch<number>(s.channel('nonsense.channel'));
    await waitFor(() => again.error !== undefined, 'the second refusal');
    expect(subscribedOn(connection(), 'nonsense.channel')).to.equal(2);
  });

  it('should send one subscribe for two subscribers, nothing when one leaves, and one unsubscribe when the last leaves', async () => {
    const { s, rec } = open();
    await rec.reach('open');
    const topic = 'book.BTC-PERPETUAL.100ms';
    const first = watch<number>(s.channel(topic));
    const second = watch<number>(s.channel(topic));
    await waitFor(() => connection().channels.has(topic), 'the subscribe');
    await barrier(s);
    expect(subscribedOn(connection(), topic)).to.equal(1);
    exchange.publish(topic, 7);
    await waitFor(() => first.values.length === 1 && second.values.length === 1, 'both subscribers to get the notification');

    first.subscription.unsubscribe();
    await barrier(s);
    expect(connection().unsubscribes.get(topic), 'no unsubscribe while a subscriber remains').to.equal(undefined);
    exchange.publish(topic, 8);
    await waitFor(() => second.values.length === 2, 'the remaining subscriber to keep receiving');
    expect(first.values).to.deep.equal([7]);

    second.subscription.unsubscribe();
    await barrier(s);
    expect(connection().unsubscribes.get(topic)).to.equal(1);
    expect(connection().requests.find((r) => r.method === 'public/unsubscribe')?.params).to.deep.equal({ channels: [topic] });
    expect(exchange.publish(topic, 9), 'the server no longer publishes to it').to.equal(0);
    expect(subscribedOn(connection(), topic)).to.equal(1);
  });

  it('should also put channel notifications on messages$ by default', async () => {
    const { s, rec } = open();
    const ticker = watch<unknown>(s.channel('ticker.BTC-PERPETUAL.raw'));
    await rec.reach('open');
    await waitFor(() => connection().channels.size === 1, 'the subscribe');
    exchange.publish('ticker.BTC-PERPETUAL.raw', { p: 1 });
    exchange.broadcast({ jsonrpc: '2.0', method: 'heartbeat', params: { type: 'test_request' } });
    await waitFor(() => rec.messages.length === 2, 'both messages on messages$');
    expect(ticker.values).to.deep.equal([{ p: 1 }]);
    expect(rec.messages).to.deep.equal([
      { jsonrpc: '2.0', method: 'subscription', params: { channel: 'ticker.BTC-PERPETUAL.raw', data: { p: 1 } } },
      { jsonrpc: '2.0', method: 'heartbeat', params: { type: 'test_request' } },
    ]);
  });

  it('should keep channel notifications off messages$ with messagesIncludeChannels false', async () => {
    const { s, rec } = open({ messagesIncludeChannels: false });
    const ticker = watch<unknown>(s.channel('ticker.BTC-PERPETUAL.raw'));
    await rec.reach('open');
    await waitFor(() => connection().channels.size === 1, 'the subscribe');
    exchange.publish('ticker.BTC-PERPETUAL.raw', { p: 1 });
    // A notification for a channel nobody subscribed here is not a channel message of this socket.
    exchange.broadcast({ jsonrpc: '2.0', method: 'subscription', params: { channel: 'ticker.OTHER.raw', data: 0 } });
    exchange.broadcast({ jsonrpc: '2.0', method: 'heartbeat', params: { type: 'test_request' } });
    await waitFor(() => rec.messages.length === 2, 'the two non-channel messages');
    expect(ticker.values).to.deep.equal([{ p: 1 }]);
    expect(rec.messages).to.deep.equal([
      { jsonrpc: '2.0', method: 'subscription', params: { channel: 'ticker.OTHER.raw', data: 0 } },
      { jsonrpc: '2.0', method: 'heartbeat', params: { type: 'test_request' } },
    ]);
  });

  it('should report responses and channel notifications as received on events$, as their requests are reported sent', async () => {
    const { s, rec } = open({ messagesIncludeChannels: false });
    const ticker = watch<unknown>(s.channel('ticker.BTC-PERPETUAL.raw'));
    await rec.reach('open');
    await barrier(s);
    exchange.publish('ticker.BTC-PERPETUAL.raw', 1);
    await waitFor(() => ticker.values.length === 1, 'the notification');
    expect(rec.messages).to.deep.equal([]);
    // Out: the subscribe and the request. In: their two responses and the notification.
    expect(rec.eventsOf('sent')).to.have.length(2);
    expect(rec.eventsOf('received')).to.have.length(3);
    for (const event of rec.eventsOf('received')) expect(event.bytes).to.be.above(20);
  });

  it('should authenticate first on every connection, then subscribe the channels, then flush what was queued', async () => {
    const contexts: AuthContext[] = [];
    const make = authMessage();
    const { s, rec } = open({
      auth: (context) => {
        contexts.push(context);
        return make();
      },
    });
    watch(s.channel('ticker.BTC-PERPETUAL.raw'));
    watch(s.channel('trades.BTC-PERPETUAL.raw'));
    s.send({ jsonrpc: '2.0', method: 'public/hello' });
    const queuedRequest = firstValueFrom(s.request<number>({ method: 'public/get_time' }));
    await rec.reach('open');
    expect(await queuedRequest).to.be.a('number');
    expect(connection(0).methods).to.deep.equal(['public/auth', 'public/subscribe', 'public/subscribe', 'public/hello', 'public/get_time']);

    await exchange.stop(1012, 'service restart');
    await waitFor(() => s.state.status !== 'open', 'the client to see the restart');
    s.send({ jsonrpc: '2.0', method: 'public/while_down' });
    await exchange.start();
    await waitFor(() => exchange.connections.length === 2 && connection(1).methods.length === 4, 'the second connection to catch up');
    expect(connection(1).methods).to.deep.equal(['public/auth', 'public/subscribe', 'public/subscribe', 'public/while_down']);
    expect(connection(1).auths).to.equal(1);
    expect(contexts).to.deep.equal([
      { attempt: 0, refresh: false },
      { attempt: 1, refresh: false },
    ]);
    const authenticated = rec.eventsOf('authenticated');
    expect(authenticated.map((e) => [e.refresh, e.expiresIn])).to.deep.equal([
      [false, 900_000],
      [false, 900_000],
    ]);
  });

  it('should end the socket with AuthError when the server rejects the credentials', async () => {
    const { s, rec } = open({ auth: authMessage('wrong-secret') });
    const ticker = watch(s.channel('ticker.BTC-PERPETUAL.raw'));
    const queued = watch(s.request({ method: 'public/get_time' }));
    await waitFor(() => s.state.status === 'closed', 'the socket to end');
    const state = s.state;
    expect(state).to.include({ status: 'closed', gaveUp: true, requested: false });
    const error = (state as { error?: unknown }).error;
    expect(error).to.be.instanceOf(AuthError);
    expect(error).to.include({ name: 'AuthError', code: 'RXNOVA_ERR_AUTH' });
    expect((error as AuthError).message).to.contain('invalid_credentials');
    expect((error as AuthError).cause).to.be.instanceOf(RemoteError);
    expect((error as AuthError).cause).to.include({ remoteCode: 13004 });
    expect(rec.messagesEnd).to.deep.equal({ kind: 'error', error });
    expect(ticker.error).to.equal(error);
    expect(queued.error).to.equal(error);
    expect(rec.eventsOf('gave-up').map((e) => e.error)).to.deep.equal([error]);
    expect(exchange.connections.length, 'no reconnect').to.equal(1);
    expect(connection().methods, 'nothing but the auth reached the server').to.deep.equal(['public/auth']);
    await waitFor(() => connection().closed !== undefined, 'the server to see the socket close');
  });

  it('should reconnect with fresh credentials after an auth failure when the close policy retries AuthError', async () => {
    const { s, rec } = open({
      auth: (context) => authMessage(context.attempt === 0 ? 'expired-secret' : CLIENT_SECRET)(),
      reconnect: { backoff: constantBackoff(20), policy: { errors: { RXNOVA_ERR_AUTH: 'retry' } } },
    });
    const ticker = watch<number>(s.channel('ticker.BTC-PERPETUAL.raw'));
    await rec.reach('open');
    await waitFor(() => connection(1).methods.length === 2, 'the subscribe on the second connection');
    expect(exchange.connections).to.have.length(2);
    expect(connection(0).methods).to.deep.equal(['public/auth']);
    expect(connection(1).methods).to.deep.equal(['public/auth', 'public/subscribe']);
    const reconnecting = rec.eventsOf('reconnect-scheduled');
    expect(reconnecting).to.have.length(1);
    expect(reconnecting[0]!.error).to.be.instanceOf(AuthError);
    exchange.publish('ticker.BTC-PERPETUAL.raw', 1);
    await waitFor(() => ticker.values.length === 1, 'the channel to flow');
  });

  it('should end the socket with AuthError when the auth answer does not come within auth.timeout', async () => {
    exchange.holdResponses();
    const { s } = open({ auth: { message: authMessage(), timeout: 200 } });
    await waitFor(() => s.state.status === 'closed', 'the socket to end', 3000);
    const error = (s.state as { error?: unknown }).error;
    expect(error).to.be.instanceOf(AuthError);
    expect((error as AuthError).message).to.contain('no answer to the auth message within 200 ms');
    expect(s.state).to.include({ gaveUp: true });
    expect(connection().methods).to.deep.equal(['public/auth']);
  });

  it('should route notifications by the configured method and fields', async () => {
    const { s, rec } = open({ protocol: jsonRpc({ notificationMethod: 'update', topicField: 'stream', dataField: 'payload' }) });
    const quotes = watch<number>(s.channel('quote.BTC'));
    await rec.reach('open');
    await waitFor(() => connection().channels.has('quote.BTC'), 'the subscribe');
    exchange.broadcast({ jsonrpc: '2.0', method: 'update', params: { stream: 'quote.BTC', payload: 5 } });
    // Deribit's shape is not a notification of this configuration.
    exchange.publish('quote.BTC', 6);
    await waitFor(() => quotes.values.length === 1 && rec.messages.length === 2, 'the two notifications');
    expect(quotes.values).to.deep.equal([5]);
    expect(rec.messages.map((m) => (m as JsonRpcMessage).method)).to.deep.equal(['update', 'subscription']);
  });

  it('should use pingMethod as the application ping over the WHATWG transport, keeping its answers off messages$', async () => {
    const { s, rec } = open({
      protocol: jsonRpc({ pingMethod: 'public/test' }),
      transport: webSocketTransport({ WebSocket }),
      heartbeat: { interval: 40, timeout: 1000 },
    });
    await rec.reach('open');
    await waitFor(() => rec.eventsOf('rtt').length >= 3, 'three rtt measurements', 3000);
    const pings = connection().requests.filter((r) => r.method === 'public/test');
    expect(pings.length).to.be.at.least(3);
    expect(pings[0]).to.deep.equal({ jsonrpc: '2.0', id: 'rxnova-ping', method: 'public/test' });
    expect(rec.messages).to.deep.equal([]);
    expect(await barrier(s)).to.be.a('number');
  });

  it('should re-authenticate on the same connection before a short-lived token expires', async () => {
    const fast = await startExchange({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, tokenTtl: 1 });
    try {
      const contexts: AuthContext[] = [];
      const make = authMessage();
      const s = connect<JsonRpcMessage, JsonRpcRequest>(fast.url, {
        protocol: jsonRpc(),
        heartbeat: false,
        auth: {
          message: (context) => {
            contexts.push(context);
            return make();
          },
          refreshBefore: 500,
        },
      });
      const rec = fixture.track(s);
      await rec.reach('open');
      const openedAt = Date.now();
      // The refresh is due 500 ms (1 s of token life less refreshBefore) after the first auth. Its exact time is
      // proven in virtual time (marbles/client/protocol.spec.ts); against a real server only a bound that a loaded
      // machine cannot break: not before half of that, and within 10 times that.
      await waitFor(() => fast.connections[0]!.auths >= 2, 'a second public/auth', 10 * 500 + 1000);
      await waitFor(() => rec.eventsOf('authenticated').length >= 2, 'the refresh to succeed', 10 * 500);
      const [first, refreshed] = rec.eventsOf('authenticated');
      expect(refreshed!.time - first!.time, 'ms from the first auth to the refresh').to.be.within(250, 10 * 500);
      expect(fast.connections.length, 'on the same connection').to.equal(1);
      expect(fast.connections[0]!.methods.slice(0, 2)).to.deep.equal(['public/auth', 'public/auth']);
      expect(contexts.slice(0, 2)).to.deep.equal([
        { attempt: 0, refresh: false },
        { attempt: 0, refresh: true },
      ]);
      expect(rec.eventsOf('authenticated').slice(0, 2).map((e) => [e.refresh, e.expiresIn])).to.deep.equal([
        [false, 1000],
        [true, 1000],
      ]);
      // The token is live after the refresh, past the first token's expiry.
      await new Promise((resolve) => setTimeout(resolve, 1100 - (Date.now() - openedAt)));
      const bought = await firstValueFrom(
        s.request<{ order: { order_state: string } }>({ method: 'private/buy', params: { instrument_name: 'BTC-PERPETUAL', amount: 10 } }),
      );
      expect(bought.order.order_state).to.equal('filled');
      expect(s.state.status).to.equal('open');
      s.close();
      await rec.reach('closed');
    } finally {
      await fast.dispose();
    }
  });

  it('should report a response that arrives after its request was unsubscribed as a late-response event', async () => {
    const { s, rec } = open();
    await rec.reach('open');
    exchange.holdResponses();
    const abandoned = watch(s.request({ method: 'public/get_time', params: { echo: 'late' } }));
    await waitFor(() => connection().requests.length === 1, 'the server to receive the request');
    const id = connection().requests[0]!.id;
    abandoned.subscription.unsubscribe();
    exchange.releaseResponses();
    await waitFor(() => rec.eventsOf('late-response').length === 1, 'the late-response event');
    expect(rec.eventsOf('late-response')[0]).to.include({ type: 'late-response', id });
    expect(abandoned.values).to.deep.equal([]);
    expect(abandoned.error).to.equal(undefined);
    await barrier(s);
    expect(rec.messages, 'the late response is not on messages$').to.deep.equal([]);
  });

  it('should put responses that match no request on messages$', async () => {
    const { s, rec } = open();
    await rec.reach('open');
    exchange.broadcast({ jsonrpc: '2.0', id: 424242, result: 'stray' });
    s.send({ jsonrpc: '2.0', id: 'not json-rpc', method: 'x' } as unknown as JsonRpcRequest);
    await waitFor(() => rec.messages.length === 2, 'the unmatched responses');
    expect(rec.messages).to.deep.equal([
      { jsonrpc: '2.0', id: 424242, result: 'stray' },
      { jsonrpc: '2.0', id: 'not json-rpc', error: { code: -32601, message: 'Method not found', data: { method: 'x' } } },
    ]);
    expect(rec.eventsOf('late-response')).to.deep.equal([]);
  });

  it('should refuse a private method before auth and serve it after', async () => {
    const { s, rec } = open();
    await rec.reach('open');
    const refused = await firstValueFrom(s.request({ method: 'private/buy', params: { instrument_name: 'BTC-PERPETUAL', amount: 10 } })).then(
      () => expect.fail('private/buy should need auth'),
      (error: unknown) => error,
    );
    expect(refused).to.be.instanceOf(RemoteError);
    expect(refused).to.include({ remoteCode: 13009 });
    s.close();
    await rec.reach('closed');

    const { s: authed, rec: rec2 } = open({ auth: authMessage() });
    await rec2.reach('open');
    const result = await firstValueFrom(
      authed.request<{ order: Record<string, unknown> }>({
        method: 'private/buy',
        params: { instrument_name: 'ETH-PERPETUAL', amount: 5, type: 'limit', price: 2500 },
      }),
    );
    expect(result.order).to.deep.include({ instrument_name: 'ETH-PERPETUAL', amount: 5, order_type: 'limit', price: 2500, order_state: 'open' });
  });
});
