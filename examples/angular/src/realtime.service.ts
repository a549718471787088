/**
 * One rxnova socket at a time for the whole Angular application, owned by a
 * root service: the connection state as a signal (`toSignal`), the messages
 * as a signal and as an Observable, a "Reconnect now" that also starts a new
 * socket once the last one gave up, and the socket closed when the
 * application is destroyed (`DestroyRef`).
 *
 * It imports from 'rxnova' (the browser's own WebSocket), never from
 * 'rxnova/node', which is for Node and needs `ws`.
 */
import { computed, DestroyRef, inject, Injectable, InjectionToken, Provider, Signal, signal } from '@angular/core';
import { takeUntilDestroyed, toSignal } from '@angular/core/rxjs-interop';
import { BehaviorSubject, catchError, EMPTY, Observable, switchMap, type SchedulerLike } from 'rxjs';
import { connect, exponentialBackoff, Socket, SocketState, SocketStatus, Transport } from 'rxnova';

/** A message of the example's chat protocol, in both directions. */
export interface ChatMessage {
  readonly user: string;
  readonly text: string;
}

/** What the application provides, with {@link provideRealtime}. */
export interface RealtimeConfig {
  /** The server's URL, e.g. `wss://chat.example.com/socket`. */
  readonly url: string;
  /**
   * How sockets are made; tests pass a `TestTransport` from 'rxnova/testing'.
   * @default webSocketTransport() (the browser's WebSocket)
   */
  readonly transport?: Transport;
  /**
   * The scheduler of every delay, timeout and interval; tests pass a virtual-time scheduler.
   * @default asyncScheduler
   */
  readonly scheduler?: SchedulerLike;
  /**
   * How many of the latest messages the `messages` signal keeps.
   * @default 100
   */
  readonly keep?: number;
}

/** The configuration of {@link RealtimeService}. */
export const REALTIME_CONFIG = new InjectionToken<RealtimeConfig>('REALTIME_CONFIG');

/** Provides the configuration: `bootstrapApplication(App, { providers: [provideRealtime({ url })] })`. */
export function provideRealtime(config: RealtimeConfig): Provider {
  return { provide: REALTIME_CONFIG, useValue: config };
}

@Injectable({ providedIn: 'root' })
export class RealtimeService {
  private readonly config = inject(REALTIME_CONFIG);

  // Eager: a socket opens now. A socket that gave up is final (its messages$ has ended), so "Reconnect now" then
  // makes a new one; everything below follows the current socket. Zoneless change detection needs nothing more:
  // signals tell Angular what changed.
  private readonly socket$ = new BehaviorSubject<Socket<ChatMessage, ChatMessage>>(this.open());

  private readonly latest = signal<readonly ChatMessage[]>([]);
  private readonly failure = signal<unknown>(undefined);

  /** The connection state of the current socket (`state$` replays the current one, so the signal has a value at once). */
  readonly state: Signal<SocketState> = toSignal(this.socket$.pipe(switchMap((socket) => socket.state$)), { requireSync: true });
  /** `connecting`, `open`, `reconnecting`, `closing` or `closed`, for a status badge. */
  readonly status: Signal<SocketStatus> = computed(() => this.state().status);
  /** Whether the socket is open. */
  readonly connected: Signal<boolean> = computed(() => this.status() === 'open');
  /** Whether "Reconnect now" would do something: a reconnect is waiting, or the socket gave up. */
  readonly canReconnect: Signal<boolean> = computed(() => {
    const state = this.state();
    return state.status === 'reconnecting' || (state.status === 'closed' && state.gaveUp);
  });
  /** The latest messages from the server, oldest first. */
  readonly messages: Signal<readonly ChatMessage[]> = this.latest.asReadonly();
  /** The error the current socket gave up with (say, a close code the policy stops on), or `undefined`. */
  readonly error: Signal<unknown> = this.failure.asReadonly();
  /** The messages of the current socket as an Observable, for RxJS pipelines. Errors when a socket gives up. */
  readonly messages$: Observable<ChatMessage> = this.socket$.pipe(switchMap((socket) => socket.messages$));

  constructor() {
    const keep = this.config.keep ?? 100;
    this.socket$
      .pipe(
        // A give-up ends that socket's messages, not this stream: the error goes to the `error` signal.
        switchMap((socket) => socket.messages$.pipe(catchError((error: unknown) => (this.failure.set(error), EMPTY)))),
        takeUntilDestroyed(),
      )
      .subscribe((message) => this.latest.update((list) => [...list, message].slice(-keep)));
    inject(DestroyRef).onDestroy(() => this.socket$.value.close(1000, 'application destroyed'));
  }

  /** "Reconnect now": ends a reconnect's backoff wait, or starts a new socket once the current one gave up. */
  reconnectNow(): void {
    const socket = this.socket$.value;
    if (socket.retryNow()) return;
    const state = socket.state;
    if (state.status === 'closed' && state.gaveUp) {
      this.failure.set(undefined);
      this.socket$.next(this.open());
    }
  }

  /** Sends a message: at once when open, otherwise queued and sent, in order, on the next open. */
  send(message: ChatMessage): void {
    this.socket$.value.send(message);
  }

  private open(): Socket<ChatMessage, ChatMessage> {
    return connect<ChatMessage, ChatMessage>(this.config.url, {
      transport: this.config.transport,
      scheduler: this.config.scheduler,
      reconnect: { backoff: exponentialBackoff({ initialDelay: 500, maxDelay: 15_000, jitter: 'full' }) },
    });
  }
}
