/**
 * A JSON-RPC market-data client, shaped like a Deribit API v2 client.
 *
 * Starts a fake exchange on 127.0.0.1 (spec/support/exchange-server.ts: real
 * `ws`, JSON-RPC 2.0, ticks every 100 ms), then with `connect()` from
 * 'rxnova/node' and `jsonRpc()`:
 * - authenticates with client credentials on every connection,
 * - subscribes to two ticker channels and prints a few ticks,
 * - asks for the server time and places a market buy (a private method),
 * - shows a server error as a typed RemoteError,
 * - restarts the exchange once: rxnova reconnects, authenticates again and
 *   resubscribes both channels, which flow again.
 * Prints what happened and exits 0, or 1 if anything went wrong.
 */
import { filter, firstValueFrom, lastValueFrom, Subscription, take, tap, toArray } from 'rxjs';
import { connect, exponentialBackoff, jsonRpc, JsonRpcMessage, JsonRpcRequest, RemoteError } from '../src/node';
import { startExchange } from '../spec/support/exchange-server';
import { log, runExample } from './run-example';

interface Ticker {
  readonly instrument_name: string;
  readonly last_price: number;
  readonly best_bid_price: number;
  readonly best_ask_price: number;
}

interface BuyResult {
  readonly order: { readonly order_id: string; readonly instrument_name: string; readonly amount: number; readonly order_state: string };
}


async function main(): Promise<void> {
  const exchange = await startExchange({ clientId: 'demo-client', clientSecret: 'demo-secret', publishInterval: 100 });
  log(`fake exchange listening on ${exchange.url}`);

  const socket = connect<JsonRpcMessage, JsonRpcRequest>(exchange.url, {
    protocol: jsonRpc({ pingMethod: 'public/test' }),
    // Called on every (re)connect, before channels are resubscribed and queued messages flushed.
    auth: () => ({
      method: 'public/auth',
      params: { grant_type: 'client_credentials', client_id: 'demo-client', client_secret: 'demo-secret' },
    }),
    reconnect: { backoff: exponentialBackoff({ initialDelay: 100, maxDelay: 1000, jitter: 'equal' }) },
    messagesIncludeChannels: false,
  });
  const subscriptions = new Subscription();
  subscriptions.add(
    socket.events$.subscribe((event) => {
      if (event.type === 'authenticated') log(`authenticated${event.expiresIn === undefined ? '' : ` (token valid ${event.expiresIn / 1000} s)`}`);
      if (event.type === 'reconnect-scheduled') log(`reconnecting in ${Math.round(event.delay)} ms: ${(event.error as Error).message}`);
    }),
  );
  subscriptions.add(socket.state$.subscribe((state) => log(`state: ${state.status}`)));

  const btc$ = socket.channel<Ticker>('ticker.BTC-PERPETUAL.100ms');
  const eth$ = socket.channel<Ticker>('ticker.ETH-PERPETUAL.100ms');
  const ticks = { btc: 0, eth: 0 };
  subscriptions.add(btc$.subscribe(() => ticks.btc++));
  subscriptions.add(eth$.subscribe(() => ticks.eth++));

  // The first three BTC ticks, printed as they come (the channel is already subscribed: this shares it).
  await lastValueFrom(
    btc$.pipe(
      take(3),
      tap((t) => log(`${t.instrument_name} last ${t.last_price.toFixed(1)} bid ${t.best_bid_price.toFixed(1)} ask ${t.best_ask_price.toFixed(1)}`)),
    ),
  );

  const time = await firstValueFrom(socket.request<number>({ method: 'public/get_time' }));
  log(`server time: ${new Date(time).toISOString()}`);

  const bought = await firstValueFrom(
    socket.request<BuyResult>({ method: 'private/buy', params: { instrument_name: 'BTC-PERPETUAL', amount: 10, type: 'market' } }),
  );
  log(`bought: ${bought.order.order_id} ${bought.order.amount} ${bought.order.instrument_name} (${bought.order.order_state})`);

  const refused = await firstValueFrom(socket.request({ method: 'private/buy', params: { instrument_name: 'BTC-PERPETUAL', amount: -1 } })).catch(
    (error: unknown) => error,
  );
  if (!(refused instanceof RemoteError)) throw new Error(`expected a RemoteError, got ${String(refused)}`);
  log(`refused as expected: ${refused.message} (remoteCode ${refused.remoteCode}, data ${JSON.stringify(refused.data)})`);

  log('restarting the exchange (clients are closed with 1012)');
  await exchange.stop(1012, 'service restart');
  await new Promise((resolve) => setTimeout(resolve, 300));
  await exchange.start();
  const before = { ...ticks };
  await firstValueFrom(socket.state$.pipe(filter((state) => state.status === 'open')));
  await firstValueFrom(eth$.pipe(take(2), toArray()));
  log(`after the restart both channels flow again (BTC +${ticks.btc - before.btc}, ETH +${ticks.eth - before.eth} ticks)`);

  socket.close(1000, 'done');
  await firstValueFrom(socket.state$.pipe(filter((state) => state.status === 'closed')));
  subscriptions.unsubscribe();
  await exchange.dispose();

  const connections = exchange.connections;
  const subscribes = connections.map((c) => c.methods.filter((m) => m === 'public/subscribe').length);
  console.log(
    `connections ${connections.length}, auth first on each: ${connections.every((c) => c.methods[0] === 'public/auth')}, ` +
      `subscribes per connection: ${subscribes.join(', ')}, ticks BTC ${ticks.btc} ETH ${ticks.eth}`,
  );
  const ok = connections.length === 2 && connections.every((c) => c.methods[0] === 'public/auth') && subscribes.every((n) => n === 2);
  process.exitCode = ok ? 0 : 1;
}

runExample('market-data', 10_000, main);
