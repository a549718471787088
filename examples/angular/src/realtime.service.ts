/**
 * One rxnova socket for the whole Angular application, owned by a root
 * service: the connection state as a signal (`toSignal`), the messages as a
 * signal and as an Observable, and the socket closed when the application
 * is destroyed (`DestroyRef`).
 *
 * It imports from 'rxnova' (the browser's own WebSocket), never from
 * 'rxnova/node', which is for Node and needs `ws`.
 */
import { computed, DestroyRef, inject, Injectable, InjectionToken, Provider, Signal, signal } from '@angular/core';
import { takeUntilDestroyed, toSignal } from '@angular/core/rxjs-interop';
import type { Observable, SchedulerLike } from 'rxjs';
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

  // Eager: the socket opens now and lives as long as the application. Zoneless
  // change detection needs nothing more: signals tell Angular what changed.
  private readonly socket: Socket<ChatMessage, ChatMessage> = connect<ChatMessage, ChatMessage>(this.config.url, {
    transport: this.config.transport,
    scheduler: this.config.scheduler,
    reconnect: { backoff: exponentialBackoff({ initialDelay: 500, maxDelay: 15_000, jitter: 'full' }) },
  });

  private readonly latest = signal<readonly ChatMessage[]>([]);
  private readonly failure = signal<unknown>(undefined);

  /** The connection state (`state$` replays the current one, so the signal has a value at once). */
  readonly state: Signal<SocketState> = toSignal(this.socket.state$, { requireSync: true });
  /** `connecting`, `open`, `reconnecting`, `closing` or `closed`, for a status badge. */
  readonly status: Signal<SocketStatus> = computed(() => this.state().status);
  /** Whether the socket is open. */
  readonly connected: Signal<boolean> = computed(() => this.status() === 'open');
  /** The latest messages from the server, oldest first. */
  readonly messages: Signal<readonly ChatMessage[]> = this.latest.asReadonly();
  /** The error the socket gave up with (say, a close code the policy stops on), or `undefined`. */
  readonly error: Signal<unknown> = this.failure.asReadonly();
  /** The same messages as an Observable, for RxJS pipelines. Errors when the socket gives up. */
  readonly messages$: Observable<ChatMessage> = this.socket.messages$;

  constructor() {
    const keep = this.config.keep ?? 100;
    this.socket.messages$.pipe(takeUntilDestroyed()).subscribe({
      next: (message) => this.latest.update((list) => [...list, message].slice(-keep)),
      error: (error: unknown) => this.failure.set(error),
    });
    inject(DestroyRef).onDestroy(() => this.socket.close(1000, 'application destroyed'));
  }

  /** Sends a message: at once when open, otherwise queued and sent, in order, on the next open. */
  send(message: ChatMessage): void {
    this.socket.send(message);
  }
}
