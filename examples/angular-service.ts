/**
 * How rxnova sits in an Angular-style service: one socket per application,
 * owned by a service that exposes `messages$`, `state$` and `channel()`, and
 * components that subscribe in `ngOnInit` and let go in `ngOnDestroy`.
 *
 * Plain TypeScript, no Angular needed to run it: the comments show where the
 * decorators go. `main()` plays Angular's part: it starts a fake JSON-RPC
 * exchange on 127.0.0.1 (spec/support/exchange-server.ts), creates the
 * service, creates and destroys three ticker components (two showing the
 * same instrument), then destroys the service. It prints what the
 * components rendered and what the server saw, which shows the reference
 * counting: two components on one channel cost one subscribe, and the
 * unsubscribe goes out only when the last one is destroyed.
 * Exits 0, or 1 if anything went wrong.
 */
import { distinctUntilChanged, filter, firstValueFrom, map, Observable, Subject, takeUntil } from 'rxjs';
import { connect, exponentialBackoff, jsonRpc, JsonRpcMessage, JsonRpcRequest, Socket, SocketState } from '../src/node';
import { startExchange } from '../spec/support/exchange-server';
import { log, runExample } from './run-example';

// ---- the service -----------------------------------------------------------------------------

/** What the app provides, e.g. with `{ provide: MARKET_DATA_CONFIG, useValue: environment.marketData }`. */
export interface MarketDataConfig {
  readonly url: string;
  readonly clientId: string;
  readonly clientSecret: string;
}

export interface Ticker {
  readonly instrument_name: string;
  readonly last_price: number;
}

// @Injectable({ providedIn: 'root' })
export class MarketDataService /* implements OnDestroy */ {
  /** Server messages that are not channel data or responses (e.g. announcements). */
  readonly messages$: Observable<JsonRpcMessage>;
  /** The connection state, for a status badge: replays the current state to each new subscriber. */
  readonly state$: Observable<SocketState>;
  /** `true` while the socket is open, for templates (`@if (market.connected$ | async)`). */
  readonly connected$: Observable<boolean>;

  private readonly socket: Socket<JsonRpcMessage, JsonRpcRequest>;

  // constructor(@Inject(MARKET_DATA_CONFIG) config: MarketDataConfig)
  constructor(config: MarketDataConfig) {
    // With zone.js, create the socket in ngZone.runOutsideAngular() so heartbeat timers do not trigger change detection.
    // `lazy: true` would connect on the first subscriber and close after the last one instead of living with the service.
    this.socket = connect<JsonRpcMessage, JsonRpcRequest>(config.url, {
      protocol: jsonRpc(),
      auth: () => ({
        method: 'public/auth',
        params: { grant_type: 'client_credentials', client_id: config.clientId, client_secret: config.clientSecret },
      }),
      reconnect: { backoff: exponentialBackoff({ initialDelay: 250, maxDelay: 10_000, jitter: 'full' }) },
      messagesIncludeChannels: false,
    });
    this.messages$ = this.socket.messages$;
    this.state$ = this.socket.state$;
    this.connected$ = this.state$.pipe(
      map((state) => state.status === 'open'),
      distinctUntilChanged(),
    );
  }

  /** Any channel's data. Subscribers share one server subscription; it is renewed after every reconnect. */
  channel<T>(name: string): Observable<T> {
    return this.socket.channel<T>(name);
  }

  /** A typed channel for components. */
  ticker(instrument: string): Observable<Ticker> {
    return this.channel<Ticker>(`ticker.${instrument}.100ms`);
  }

  /** A request: an Observable of one response (HttpClient-style), cancelled by unsubscribing. */
  serverTime(): Observable<number> {
    return this.socket.request<number>({ method: 'public/get_time' }, { timeout: 5000 });
  }

  ngOnDestroy(): void {
    this.socket.close(1000, 'service destroyed');
  }
}

// ---- a component -----------------------------------------------------------------------------

// @Component({ selector: 'app-ticker', template: '{{ instrument }} {{ price }}' })
export class TickerComponent /* implements OnInit, OnDestroy */ {
  price = '-';
  updates = 0;
  private readonly destroy$ = new Subject<void>();

  // constructor(private readonly market: MarketDataService) {} with `@Input() instrument`
  constructor(
    private readonly market: MarketDataService,
    readonly instrument: string,
  ) {}

  ngOnInit(): void {
    this.market
      .ticker(this.instrument)
      .pipe(
        map((ticker) => ticker.last_price.toFixed(1)),
        takeUntil(this.destroy$),
      )
      .subscribe((price) => {
        this.price = price;
        this.updates++;
      });
  }

  ngOnDestroy(): void {
    this.destroy$.next();
    this.destroy$.complete();
  }
}

// ---- Angular's part, played by hand ------------------------------------------------------------

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<void> {
  const exchange = await startExchange({ clientId: 'app', clientSecret: 'app-secret', publishInterval: 50 });
  const service = new MarketDataService({ url: exchange.url, clientId: 'app', clientSecret: 'app-secret' });
  const statuses: string[] = [];
  service.state$.subscribe((state) => statuses.push(state.status));
  service.connected$.subscribe((connected) => log(`connected$: ${connected}`));

  const widgets = [new TickerComponent(service, 'BTC-PERPETUAL'), new TickerComponent(service, 'BTC-PERPETUAL'), new TickerComponent(service, 'ETH-PERPETUAL')];
  widgets.forEach((widget) => widget.ngOnInit());
  log(`server time: ${new Date(await firstValueFrom(service.serverTime())).toISOString()}`);
  await sleep(300);
  const render = (): string => widgets.map((w) => `${w.instrument} ${w.price} (${w.updates} updates)`).join(' | ');
  log(`rendered: ${render()}`);

  const server = exchange.connections[0]!;
  const btc = 'ticker.BTC-PERPETUAL.100ms';
  log(`server: ${server.subscribes.get(btc)} subscribe for 2 BTC components`);

  widgets[0]!.ngOnDestroy();
  await firstValueFrom(service.serverTime()); // a round trip: anything sent before has arrived
  log(`one BTC component destroyed: server unsubscribes ${server.unsubscribes.get(btc) ?? 0}, still subscribed ${server.channels.has(btc)}`);
  const unsubscribedEarly = server.unsubscribes.get(btc) ?? 0;

  widgets[1]!.ngOnDestroy();
  await firstValueFrom(service.serverTime());
  log(`both BTC components destroyed: server unsubscribes ${server.unsubscribes.get(btc) ?? 0}, still subscribed ${server.channels.has(btc)}`);

  widgets[2]!.ngOnDestroy();
  service.ngOnDestroy();
  await firstValueFrom(service.state$.pipe(filter((state) => state.status === 'closed')));
  await exchange.dispose();
  log(`states: ${statuses.join(' → ')}`);

  const ok =
    server.subscribes.get(btc) === 1 &&
    unsubscribedEarly === 0 &&
    server.unsubscribes.get(btc) === 1 &&
    widgets.every((w) => w.updates > 0) &&
    statuses[statuses.length - 1] === 'closed';
  console.log(ok ? 'ok: one subscribe and one unsubscribe for two components on one channel' : 'FAILED');
  process.exitCode = ok ? 0 : 1;
}

runExample('angular-service', 10_000, main);
