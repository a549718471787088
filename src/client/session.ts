import { identity, MonoTypeOperatorFunction, Observable, Observer, Subscriber, Subscription, TeardownLogic, Unsubscribable } from 'rxjs';
import { ConnectionClosedError, SocketClosedError } from '../errors';
import { closeFrame, Frame } from '../frame';
import { redactUrl } from '../redact';
import { reconnectWith, ReconnectAttempt } from '../operators/reconnect';
import type { TransportConnection, TransportRequest } from '../transport/transport';
import { Attempt, CloseRecord } from './attempt';
import type { PerAttempt } from './connect-options';
import type { SocketCore } from './core';
import type { SocketState } from './state';
import { scheduleIn } from './timers';
import { handBack } from './write-queue';

function resolve<T>(value: PerAttempt<T>): T {
  return typeof value === 'function' ? (value as () => T)() : value;
}

/** The attempts: each subscription is one connection attempt (`reconnect()` resubscribes); a module-level subscribe function, no closure. */
class Attempts<In, Out> extends Observable<void> {
  constructor(readonly session: Session<In, Out>) {
    super(subscribeAttempt);
  }
}

function subscribeAttempt(this: Observable<void>, subscriber: Subscriber<void>): TeardownLogic {
  return (this as Attempts<unknown, unknown>).session.attempt(subscriber);
}

/**
 * What ends a reconnect wait early: `retryNow()`, and the values of the user's `reconnect.retryOn`. Its subscription
 * lasts as long as one wait. An error of `retryOn` is reported (`callback-error`, source `reconnect.retryOn`) and ends
 * only that trigger, never the socket.
 */
class WaitEnd<In, Out> extends Observable<void> {
  constructor(readonly session: Session<In, Out>) {
    super(subscribeWaitEnd);
  }
}

function subscribeWaitEnd(this: Observable<void>, subscriber: Subscriber<void>): TeardownLogic {
  const session = (this as WaitEnd<unknown, unknown>).session;
  session.waiting = subscriber;
  const user = session.userRetryOn?.subscribe({
    next: () => subscriber.next(),
    error: (error: unknown) => session.retryOnFailed(error),
  });
  return () => {
    if (session.waiting === subscriber) session.waiting = undefined;
    user?.unsubscribe();
  };
}

/** One run of the session (from start to its end): the observer of the attempts, and the owner of the session's timers. */
class Run<In, Out> implements Observer<void>, Unsubscribable {
  subscription: Subscription | undefined = undefined;
  private owned: Subscription | undefined = undefined;
  constructor(private readonly session: Session<In, Out>) {}
  /** Timers of the run (the lazy grace period, the close handshake deadline), made on first use. */
  get timers(): Subscription {
    return (this.owned ??= new Subscription());
  }
  next(): void {}
  error(error: unknown): void {
    this.session.onRunError(this, error);
  }
  complete(): void {
    this.session.onRunEnd(this);
  }
  unsubscribe(): void {
    this.owned?.unsubscribe();
    this.subscription?.unsubscribe();
  }
}

/**
 * @internal The session: the sequence of connection attempts, piped through
 * `reconnect()` (the rxjs `retry`-based operator, with the socket's backoff,
 * close policy and scheduler). It starts and stops runs, counts lazy
 * consumers (closing after a grace period once the last one leaves), closes
 * on request, and ends the socket when reconnection gives up.
 */
export class Session<In, Out> {
  /** The current attempt, while it lasts. */
  current: Attempt<In, Out> | undefined = undefined;
  /** How the last connection closed, for the final state. */
  lastClose: CloseRecord | undefined = undefined;
  /** The error the socket ended with, once it gave up. */
  terminalError: unknown = undefined;
  /** `close()` was called: the code and reason asked for. */
  closeRequest: { readonly code: number; readonly reason: string } | undefined = undefined;
  private run: Run<In, Out> | undefined = undefined;
  private readonly attempts$: Observable<void>;
  private nextAttempt = 0;
  /** With a fixed url, protocols and headers one transport connection serves every attempt. */
  private readonly fixedRequest: boolean;
  private fixedConn: TransportConnection | undefined = undefined;
  // Stryker disable next-line StringLiteral: equivalent, read only once fixedConn is set, and set with it
  private fixedUrl = '';
  private consumers = 0;
  private grace: Subscription | undefined = undefined;
  /** While a reconnect waits: what ends the wait at once (see {@link retryNow}). */
  waiting: Subscriber<void> | undefined = undefined;

  constructor(private readonly core: SocketCore<In, Out>) {
    const { config, link, telemetry } = core;
    this.fixedRequest = typeof config.url !== 'function' && typeof config.protocols !== 'function' && typeof config.headers !== 'function';
    let operator: MonoTypeOperatorFunction<void> = identity;
    const policy = config.reconnect;
    if (policy !== false) {
      const decide = policy.shouldReconnect;
      const notify = policy.onAttempt;
      operator = reconnectWith<void>({
        ...policy,
        // retryNow() and the user's retryOn end a pending wait; subscribed only while one lasts.
        retryOn: new WaitEnd<In, Out>(this),
        // A close this side asked for is never undone by a reconnect, whatever fails during the closing handshake.
        shouldReconnect: (error, attempt) => {
          if (link.phase === 'closing') return false;
          try {
            return decide(error, attempt);
          } catch (thrown) {
            telemetry.userError('reconnect.shouldReconnect', thrown);
            return false;
          }
        },
        onAttempt: (attempt: ReconnectAttempt) => {
          this.onReconnecting(attempt);
          try {
            notify(attempt);
          } catch (thrown) {
            telemetry.userError('reconnect.onAttempt', thrown);
          }
        },
      });
    }
    this.attempts$ = new Attempts<In, Out>(this).pipe(operator);
  }

  /** Starts a run unless one is going or the socket has ended. */
  start(): void {
    const link = this.core.link;
    if (this.run !== undefined || link.ended || this.closeRequest !== undefined) return;
    // Stryker disable next-line StringLiteral: equivalent, no rule tells 'connecting' from the phases it replaces here
    link.phase = 'connecting';
    this.nextAttempt = 0;
    // Set before subscribing: the run may end synchronously inside subscribe().
    const run = new Run<In, Out>(this);
    this.run = run;
    const subscription = this.attempts$.subscribe(run);
    if (this.run === run) run.subscription = subscription;
    else subscription.unsubscribe();
  }

  // ---- attempts ----------------------------------------------------------------------------------

  private request(): TransportRequest {
    const { url, protocols, headers, connectTimeout } = this.core.config;
    const resolvedProtocols = protocols === undefined ? undefined : resolve(protocols);
    const resolvedHeaders = headers === undefined ? undefined : resolve(headers);
    return {
      url: resolve(url),
      ...(resolvedProtocols === undefined ? {} : { protocols: typeof resolvedProtocols === 'string' ? [resolvedProtocols] : resolvedProtocols }),
      ...(resolvedHeaders === undefined ? {} : { headers: resolvedHeaders }),
      handshakeTimeout: connectTimeout,
      scheduler: this.core.scheduler,
    };
  }

  /** @internal One connection attempt: opens a socket for `subscriber`; it emits once when the socket is ready, and errors or completes when it ends. */
  attempt(subscriber: Subscriber<void>): TeardownLogic {
    const core = this.core;
    if (core.link.phase === 'closing') {
      // close() was called while a reconnect was already on its way: no new socket.
      subscriber.complete();
      return;
    }
    this.lastClose = undefined;
    let conn = this.fixedConn;
    let url = this.fixedUrl;
    if (conn === undefined) {
      const request = this.request();
      conn = core.config.transport.open(request);
      url = redactUrl(request.url); // what state$ and events$ show: never the secrets in it
      if (this.fixedRequest) {
        this.fixedConn = conn;
        this.fixedUrl = url;
      }
    }
    const attempt = new Attempt<In, Out>(core, subscriber, conn, this.nextAttempt, url, core.scheduler.now());
    this.current = attempt;
    core.link.set({ status: 'connecting', attempt: attempt.attempt, url });
    core.telemetry.emit({ type: 'connecting', attempt: attempt.attempt, url });
    attempt.start();
    return attempt;
  }

  /** An attempt was torn down: if it was the current one, its connection is gone. */
  onAttemptEnd(attempt: Attempt<In, Out>): void {
    // The attempt, not its connection, is compared: with a fixed request every attempt shares one connection,
    // and rxjs runs an ended attempt's teardown after a synchronous resubscription has started the next one.
    if (this.current !== attempt) return;
    this.current = undefined;
    const { link, queue, engine } = this.core;
    queue.detach();
    // What never left the process goes back to the front of the outbox, before the protocol engine decides on requests.
    const unsent = attempt.seal();
    if (unsent !== undefined) handBack(queue, unsent);
    // Stryker disable next-line ConditionalExpression,EqualityOperator,LogicalOperator,StringLiteral: equivalent, defensive: a requested close has ended the run by then, writeDirect() refuses a socket that is not open, and the next attach clears the control lane
    if (link.phase === 'authenticating' || link.phase === 'open') link.phase = 'connecting';
    engine?.onConnectionLost(attempt.lostError());
  }

  private onReconnecting(attempt: ReconnectAttempt): void {
    const { link, telemetry } = this.core;
    this.nextAttempt = attempt.attempt;
    // Stryker disable next-line StringLiteral: equivalent, no rule tells 'connecting' from the phases it replaces here
    link.phase = 'connecting';
    link.set({ status: 'reconnecting', attempt: attempt.attempt, delay: attempt.delay, error: attempt.error });
    telemetry.emit({ type: 'reconnect-scheduled', attempt: attempt.attempt, delay: attempt.delay, error: attempt.error });
  }

  /** The user's `reconnect.retryOn`, if any. */
  get userRetryOn(): Observable<unknown> | undefined {
    const policy = this.core.config.reconnect;
    // Stryker disable next-line ConditionalExpression,BooleanLiteral: equivalent as `false` (the other way is killed), only the reconnect wait reads it, and there is none without a policy
    return policy === false ? undefined : policy.retryOn;
  }

  /** The user's `retryOn` failed: reported (`callback-error`); the socket and its waits go on without it. */
  retryOnFailed(error: unknown): void {
    this.core.telemetry.userError('reconnect.retryOn', error);
  }

  /** `retryNow()`: ends a pending reconnect wait, so the next attempt starts at once; `false` when nothing waits. */
  retryNow(): boolean {
    const waiting = this.waiting;
    if (waiting === undefined) return false;
    waiting.next();
    return true;
  }

  // ---- lazy ----------------------------------------------------------------------------------

  /** A consumer arrived (a `messages$`, `channel()` or `request()` subscriber of a lazy socket). */
  acquire(): void {
    // Stryker disable next-line ConditionalExpression: equivalent alone as `false` (the other way is killed), release() does not count for a socket that is not lazy (a spec checks both)
    if (!this.core.config.lazy) return;
    this.consumers++;
    this.grace?.unsubscribe();
    this.grace = undefined;
    // Stryker disable next-line ConditionalExpression: equivalent as `true` (the other way is killed), start() does nothing while a run goes
    if (this.consumers === 1) this.start();
  }

  /** A consumer left: after the last one, the socket closes once the grace period passes with nobody back. */
  release(): void {
    // Stryker disable next-line ConditionalExpression: equivalent alone as `false` (the other way is killed), acquire() does not count for a socket that is not lazy (a spec checks both)
    if (!this.core.config.lazy) return;
    this.consumers--;
    const run = this.run;
    if (this.consumers !== 0 || run === undefined || this.closeRequest !== undefined || this.core.link.phase === 'closing') return;
    this.grace = scheduleIn(run.timers, this.core.scheduler, this.core.config.lazyCloseDelay, () => {
      this.grace = undefined;
      // Stryker disable next-line ConditionalExpression: equivalent as `true` (the other way is killed), a consumer that arrives cancels the grace timer
      if (this.consumers === 0) this.shutdown(closeFrame(1000));
    });
  }

  // ---- closing -------------------------------------------------------------------------------

  /** `close()`: final. */
  close(code: number, reason: string): void {
    if (this.closeRequest !== undefined || this.core.link.ended) return;
    const frame = closeFrame(code, reason === '' ? undefined : reason);
    this.closeRequest = { code, reason };
    this.shutdown(frame);
  }

  /** Starts a requested close of the current connection (final with close(), or a lazy release). */
  private shutdown(frame: Frame & { type: 'close' }): void {
    const { link, queue } = this.core;
    this.grace?.unsubscribe();
    this.grace = undefined;
    const run = this.run;
    if (run === undefined) {
      this.onRunEnd(undefined);
      return;
    }
    const current = this.current;
    const wasOpen = current !== undefined && (link.phase === 'open' || link.phase === 'authenticating');
    link.phase = 'closing';
    queue.detach();
    // Nothing of the attempt may fail the close any more (heartbeat, auth): only its transport subscription stays.
    current?.quiesce();
    link.set({ status: 'closing', code: frame.code ?? 1000, reason: frame.reason ?? '' });
    if (current !== undefined && wasOpen && current.writeDirect(frame)) {
      // The closing handshake may have finished synchronously; otherwise bound the wait.
      // Stryker disable next-line ConditionalExpression: equivalent as `true` (the other way is killed), no transport ends the handshake inside the write, and the timer checks the run again
      if (this.run === run) {
        scheduleIn(run.timers, this.core.scheduler, this.core.config.closeTimeout, () => {
          // Stryker disable next-line ConditionalExpression: equivalent as `true` (the other way is killed), the run's timers end with it
          if (this.run === run) this.abort();
        });
      }
      return;
    }
    // No open socket to close: the final state is the close asked for, not an earlier connection's.
    this.lastClose = undefined;
    this.abort();
  }

  private abort(): void {
    const run = this.run;
    this.run = undefined;
    // Stryker disable next-line OptionalChaining: equivalent, abort() is called only while a run goes
    run?.unsubscribe();
    this.onRunEnd(undefined);
  }

  /** @internal The run failed: reconnection gave up (or a failure ended a requested close). */
  onRunError(run: Run<In, Out>, error: unknown): void {
    if (this.run !== run) return;
    // A failure while closing as asked (the peer never answered, a ping hit the closing socket) ends the close.
    if (this.core.link.phase === 'closing') this.onRunEnd(run);
    else this.giveUp(error);
  }

  /** @internal The run ended as asked (or with no run at all). */
  onRunEnd(run: Run<In, Out> | undefined): void {
    if (run !== undefined && this.run !== run) return;
    this.run?.unsubscribe();
    this.run = undefined;
    this.current = undefined;
    const { link, queue } = this.core;
    // Stryker disable next-line CallExpression: equivalent, shutdown() or the attempt's end has detached the queue already
    queue.detach();
    if (this.closeRequest !== undefined) {
      this.finish();
      return;
    }
    // A lazy release finished: idle until the next consumer.
    // Stryker disable next-line StringLiteral: equivalent, no rule tells 'idle' from 'connecting'
    link.phase = 'idle';
    link.set({ status: 'closed', ...(this.lastClose ?? {}), requested: true, gaveUp: false });
    if (this.consumers > 0) this.start();
  }

  /** The socket ended as asked: final. */
  private finish(): void {
    // Stryker disable next-line ConditionalExpression: equivalent as `false` (the other way is killed), only one run can end as asked, once
    if (this.core.link.ended) return;
    // Stryker disable next-line ObjectLiteral,StringLiteral: equivalent, finish() runs only after close() set the request
    const requested = this.closeRequest ?? { code: 1000, reason: '' };
    const last = this.lastClose;
    this.end(false, undefined, {
      status: 'closed',
      code: last?.code ?? requested.code,
      reason: last?.reason ?? requested.reason,
      wasClean: last?.wasClean ?? true,
      requested: true,
      gaveUp: false,
    });
  }

  /** The socket gave up (reconnection exhausted or the close policy said stop): final. */
  private giveUp(error: unknown): void {
    // Stryker disable next-line OptionalChaining: equivalent, giveUp() runs only for the current run
    this.run?.unsubscribe();
    this.run = undefined;
    this.current = undefined;
    // Stryker disable next-line ConditionalExpression: equivalent as `false` (the other way is killed), no run outlives the end
    if (this.core.link.ended) return;
    this.terminalError = error;
    this.core.telemetry.emit({ type: 'gave-up', error });
    const fromError = error instanceof ConnectionClosedError ? { code: error.closeCode, reason: error.reason, wasClean: error.wasClean } : {};
    this.end(true, error, { status: 'closed', ...(this.lastClose ?? {}), ...fromError, error, requested: false, gaveUp: true });
  }

  /** Final: every waiting message and pending operation ends (`failed` with `error`, or as asked), then the state and the streams. */
  private end(failed: boolean, error: unknown, state: SocketState): void {
    const { link, queue, engine, messages, telemetry } = this.core;
    link.phase = 'ended';
    queue.clear();
    engine?.end(error);
    link.end(state);
    if (failed) messages.error(error);
    else messages.complete();
    telemetry.complete();
  }

  /** The error for using the socket after it ended: after close(), or after it gave up. */
  closedError(operation: string): SocketClosedError {
    const error = this.terminalError;
    return error === undefined
      ? new SocketClosedError(operation)
      : new SocketClosedError(operation, `it gave up: ${error instanceof Error ? error.message : String(error)}`);
  }
}
