/**
 * An exchange-API workload against the fake JSON-RPC exchange
 * (spec/support/exchange-server.ts) on a real socket: 50 channels behind an
 * auth step survive three server restarts with exactly one subscribe per
 * channel per connection; 1,000 concurrent requests resolve to their own
 * responses even when the server answers them in reverse order; and
 * subscribe or unsubscribe messages held back by the rate limiter when the
 * connection drops are not replayed onto the next connection.
 */
import { expect } from 'chai';
import { firstValueFrom } from 'rxjs';
import { constantBackoff } from '../../src/backoff/constant-backoff';
import type { ConnectOptions } from '../../src/client/connect-options';
import { tokenBucket } from '../../src/client/rate-limit';
import type { Socket } from '../../src/client/socket';
import { jsonRpc, JsonRpcMessage, JsonRpcRequest } from '../../src/protocols/json-rpc';
import { socketFixture, SocketRecording, waitFor } from '../support/client-server';
import { Exchange, ExchangeConnection, startExchange } from '../support/exchange-server';

type RpcSocket = Socket<JsonRpcMessage, JsonRpcRequest>;

const auth = (): JsonRpcRequest => ({
  method: 'public/auth',
  params: { grant_type: 'client_credentials', client_id: 'rxnova-client', client_secret: 'rxnova-secret' },
});

const channelNames = (count: number): string[] => Array.from({ length: count }, (_, i) => `ticker.INSTRUMENT-${i}.100ms`);

/** Channel → how many subscribes of it one connection saw, for the channels given. */
function subscribeCounts(connection: ExchangeConnection, channels: readonly string[]): Record<string, number> {
  return Object.fromEntries(channels.map((channel) => [channel, connection.subscribes.get(channel) ?? 0]));
}

describe('jsonRpc() under an exchange workload', () => {
  let exchange: Exchange;
  const fixture = socketFixture();

  beforeEach(async () => {
    exchange = fixture.adopt(await startExchange());
  });
  afterEach(() => fixture.dispose());

  function open(options: ConnectOptions<JsonRpcMessage, JsonRpcRequest> = {}): { s: RpcSocket; rec: SocketRecording } {
    return fixture.open(exchange.url, { protocol: jsonRpc(), auth, reconnect: { backoff: constantBackoff(30) }, ...options }, { messages: false });
  }

  /** Subscribes to every channel, recording what each receives and any error. */
  function subscribeAll(s: RpcSocket, channels: readonly string[]): { data: Map<string, unknown[]>; errors: unknown[] } {
    const data = new Map<string, unknown[]>();
    const errors: unknown[] = [];
    for (const channel of channels) {
      const values: unknown[] = [];
      data.set(channel, values);
      fixture.hold(s.channel(channel).subscribe({ next: (value) => values.push(value), error: (error: unknown) => errors.push(error) }));
    }
    return { data, errors };
  }

  it('should bring 50 authenticated channels back after each of three server restarts, with one subscribe per channel per connection', async () => {
    const channels = channelNames(50);
    const { s, rec } = open();
    const { data, errors } = subscribeAll(s, channels);

    for (let round = 0; round <= 3; round++) {
      if (round > 0) {
        await exchange.stop(1012, 'service restart');
        await waitFor(() => s.state.status !== 'open', `the client to see restart ${round}`);
        await exchange.start();
      }
      await waitFor(
        () => exchange.connections.length === round + 1 && exchange.connections[round]!.channels.size === channels.length,
        `connection ${round} to subscribe all ${channels.length} channels`,
        5000,
        () => `connections ${exchange.connections.length}, subscribed ${exchange.connections[round]?.channels.size ?? 0}`,
      );
      await rec.reach('open');
      for (const channel of channels) expect(exchange.publish(channel, { round, channel }), channel).to.equal(1);
      await waitFor(
        () => channels.every((channel) => data.get(channel)!.length === round + 1),
        `every channel to receive round ${round}`,
        5000,
        () => `missing: ${channels.filter((c) => data.get(c)!.length !== round + 1).join(', ')}`,
      );
    }

    expect(errors).to.deep.equal([]);
    for (const channel of channels) {
      expect(data.get(channel), channel).to.deep.equal([0, 1, 2, 3].map((round) => ({ round, channel })));
    }
    expect(exchange.connections).to.have.length(4);
    const once = Object.fromEntries(channels.map((channel) => [channel, 1]));
    for (const connection of exchange.connections) {
      expect(connection.methods[0], `connection ${connection.index} starts with auth`).to.equal('public/auth');
      expect(connection.auths, `connection ${connection.index} auths`).to.equal(1);
      expect(connection.methods.filter((m) => m === 'public/subscribe'), `connection ${connection.index}`).to.have.length(50);
      expect(subscribeCounts(connection, channels), `connection ${connection.index}`).to.deep.equal(once);
      expect(connection.unsubscribes.size, `connection ${connection.index} unsubscribes`).to.equal(0);
    }
    expect(rec.eventsOf('authenticated')).to.have.length(4);
    expect(exchange.connections.slice(0, 3).map((c) => c.closed?.code)).to.deep.equal([1012, 1012, 1012]);
  });

  it('should resolve 1,000 concurrent requests to their own responses when the server answers them in reverse order', async () => {
    const { s, rec } = open();
    await rec.reach('open');
    exchange.holdResponses();
    const answers = Array.from({ length: 1000 }, (_, i) =>
      firstValueFrom(s.request<{ time: number; echo: number }>({ method: 'public/get_time', params: { echo: i } }, { timeout: 5000 })),
    );
    await waitFor(() => exchange.connections[0]!.methods.length === 1001, 'the server to receive all 1,000 requests', 5000, () =>
      String(exchange.connections[0]!.methods.length),
    );
    exchange.releaseResponses('reverse');
    const results = await Promise.all(answers);
    const mismatched = results.map((result, i) => (result.echo === i ? -1 : i)).filter((i) => i >= 0);
    expect(mismatched, 'requests that got another request’s response').to.deep.equal([]);
    const ids = exchange.connections[0]!.requests.slice(1).map((r) => r.id);
    expect(ids.every((id) => typeof id === 'number')).to.equal(true);
    expect(new Set(ids).size).to.equal(1000);
    expect(rec.eventsOf('late-response')).to.deep.equal([]);
  });

  it('should not replay rate-limited subscribes left over from a dropped connection onto the next one', async () => {
    const channels = channelNames(50);
    // 10 at once, then one every 20 ms: most subscribes still wait in the outbox when the server restarts.
    const { s, rec } = open({ rateLimit: tokenBucket({ capacity: 10, refillPerSecond: 50 }) });
    const { data, errors } = subscribeAll(s, channels);
    await waitFor(() => (exchange.connections[0]?.subscribes.size ?? 0) >= 10, 'the first burst of subscribes');
    await exchange.stop(1012, 'service restart');
    const sentBeforeRestart = exchange.connections[0]!.subscribes.size;
    expect(sentBeforeRestart, 'the restart came while subscribes were still queued').to.be.below(50);
    await exchange.start();
    await waitFor(() => exchange.connections.length === 2, 'the reconnect');
    await rec.reach('open');
    // Queued behind every subscribe: when it is answered, they have all been written.
    await firstValueFrom(s.request({ method: 'public/get_time' }, { timeout: 5000 }));
    const second = exchange.connections[1]!;
    expect(subscribeCounts(second, channels)).to.deep.equal(Object.fromEntries(channels.map((channel) => [channel, 1])));
    for (const channel of channels) exchange.publish(channel, channel);
    await waitFor(() => channels.every((channel) => data.get(channel)!.length === 1), 'every channel to flow');
    expect(errors).to.deep.equal([]);
  });

  it('should not replay a rate-limited unsubscribe from a dropped connection onto the next one, where it would kill a live channel', async () => {
    // Three tokens, then one every 500 ms.
    const { s, rec } = open({ rateLimit: tokenBucket({ capacity: 3, refillPerSecond: 2 }) });
    await rec.reach('open');
    const first = s.channel('ticker.BTC-PERPETUAL.raw').subscribe();
    fixture.hold(first);
    fixture.hold(s.channel('ticker.ETH-PERPETUAL.raw').subscribe());
    await firstValueFrom(s.request({ method: 'public/get_time' })); // the third token
    expect(exchange.connections[0]!.channels.size).to.equal(2);
    first.unsubscribe(); // no token left: the unsubscribe waits (in the control queue, ahead of the outbox)
    expect(s.queued, 'a channel message is not a message send() accepted').to.equal(0);
    await exchange.stop(1012, 'service restart');
    expect(exchange.connections[0]!.unsubscribes.size, 'the restart came before the unsubscribe was written').to.equal(0);

    // While the server is down, the channel gets a new subscriber.
    const values: unknown[] = [];
    fixture.hold(s.channel('ticker.BTC-PERPETUAL.raw').subscribe((value) => values.push(value)));
    await exchange.start();
    await rec.reach('open', 5000);
    await firstValueFrom(s.request({ method: 'public/get_time' }, { timeout: 5000 }));
    const second = exchange.connections[1]!;
    expect(second.methods.filter((m) => m !== 'public/get_time')).to.deep.equal(['public/auth', 'public/subscribe', 'public/subscribe']);
    expect(second.channels.has('ticker.BTC-PERPETUAL.raw'), 'the re-subscribed channel is live on the server').to.equal(true);
    exchange.publish('ticker.BTC-PERPETUAL.raw', 1);
    await waitFor(() => values.length === 1, 'the re-subscribed channel to flow');
  });
});
