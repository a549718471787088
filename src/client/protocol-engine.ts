import { Observable, Subject, Subscription } from 'rxjs';
import { ConnectionClosedError, InvalidOptionsError, OutboxFullError, RequestTimeoutError, SocketClosedError } from '../errors';
import { checkDuration } from '../time';
import type { Attempt } from './attempt';
import { authenticate, AuthHost, ResolvedAuth, resolveAuth } from './auth';
import { ChannelEntry, ChannelRegistry, channelKey } from './channels';
import { encodeFrame } from './codec';
import { userCodeFailed } from './inbound';
import type { ProtocolEngine, SocketCore } from './core';
import type { DropReason, OutboxEntry } from './outbox';
import type { Protocol } from './protocol';
import { InFlightPolicy, Pending, RequestOptions, RequestRegistry } from './requests';
import { scheduleIn } from './timers';
import { pushControl, sizeOf, unshiftAll } from './write-queue';

/**
 * @internal The protocol machinery of one socket: channels (reference-counted,
 * restored after every reconnect), correlated requests, the auth round. Made
 * by the adapter's engine factory, so a socket without a protocol adapter
 * does not carry this code. Its registries are made on first use.
 */
export class Engine<In, Out> implements ProtocolEngine<In, Out>, AuthHost<In, Out> {
  readonly protocol: Protocol<In, Out>;
  awaitingAuth: ((message: In) => boolean) | undefined = undefined;
  private reqs: RequestRegistry<In, Out> | undefined = undefined;
  private chans: ChannelRegistry | undefined = undefined;
  private readonly correlated: boolean;
  readonly auth: ResolvedAuth<Out> | undefined;

  constructor(readonly core: SocketCore<In, Out>) {
    const auth = core.config.auth;
    this.auth = auth === undefined ? undefined : resolveAuth(auth);
    this.protocol = core.config.protocol!;
    this.correlated = this.protocol.withId !== undefined && this.protocol.idOf !== undefined;
  }

  get requests(): RequestRegistry<In, Out> {
    return (this.reqs ??= new RequestRegistry<In, Out>());
  }

  private get channels(): ChannelRegistry {
    return (this.chans ??= new ChannelRegistry());
  }

  authenticate(attempt: Attempt<In, Out>, ready: () => void): void {
    if (this.auth === undefined) ready();
    else authenticate(this, attempt, false, ready);
  }

  onReady(): void {
    const { queue } = this.core;
    // In-flight requests to send again go to the front of the outbox; the live channels' subscribes into the
    // control lane, which is written before the outbox. One drain (by the caller) writes them in that order.
    const resends = this.reqs?.takeResends();
    if (resends !== undefined && resends.length > 0) {
      unshiftAll(queue, resends.map((pending): OutboxEntry<Out> => ({ message: pending.message, ticket: pending, cost: 0, frame: pending.frame, bytes: pending.bytes, expiresAt: Infinity })));
    }
    const chans = this.chans;
    if (this.protocol.subscribe !== undefined && chans !== undefined && chans.size > 0) {
      for (const entry of chans.all()) this.sendChannel(entry, 'subscribe', false);
    }
  }

  onConnectionLost(error: ConnectionClosedError): void {
    this.awaitingAuth = undefined;
    this.reqs?.connectionLost(error);
  }

  end(error: unknown): void {
    this.reqs?.failAll(error ?? new SocketClosedError('request()'));
    this.chans?.endAll(error);
  }

  // ---- inbound -------------------------------------------------------------------------------

  route(message: In): boolean {
    const protocol = this.protocol;
    const core = this.core;
    const attempt = this.core.session.current;
    const guard = <T>(source: string, call: () => T): T | typeof FAILED => {
      try {
        return call();
      } catch (error) {
        if (attempt !== undefined) userCodeFailed(core, source, error, attempt);
        return FAILED;
      }
    };
    if (protocol.idOf !== undefined && this.reqs !== undefined) {
      const id = guard('protocol.idOf', () => protocol.idOf!(message));
      if (id === FAILED) return true;
      if (id !== undefined) {
        const settled = guard('protocol.resultOf', () => this.reqs!.settle(id, message, (late) => this.core.telemetry.emit({ type: 'late-response', id: late })));
        if (settled === FAILED || settled) return true;
      }
    }
    const awaiting = this.awaitingAuth;
    if (awaiting !== undefined) {
      const answered = guard('protocol.authResult', () => awaiting(message));
      if (answered === FAILED || answered) return true;
    }
    const channels = this.chans;
    if (channels === undefined || channels.size === 0) return false;
    if (protocol.topicOf !== undefined) {
      const topic = guard('protocol.topicOf', () => protocol.topicOf!(message));
      if (topic === FAILED) return true;
      const entries = topic === undefined ? undefined : channels.ofTopic(topic);
      if (entries !== undefined) {
        const data = protocol.channelData === undefined ? message : guard('protocol.channelData', () => protocol.channelData!(message));
        if (data === FAILED) return true;
        for (const entry of entries) entry.subject.next(data);
        return !this.core.config.messagesIncludeChannels;
      }
    }
    if (protocol.channelError !== undefined) {
      const failure = guard('protocol.channelError', () => protocol.channelError!(message));
      if (failure === FAILED) return true;
      if (failure !== undefined && channels.fail(failure.topic, failure.error)) return true;
    }
    return false;
  }

  // ---- channels ------------------------------------------------------------------------------

  channel<T>(topic: string, params: unknown): Observable<T> {
    if (typeof topic !== 'string' || topic === '') {
      throw new InvalidOptionsError(`channel(topic): topic must be a non-empty string, got ${JSON.stringify(topic)}`);
    }
    const key = channelKey(topic, params);
    const { link, session } = this.core;
    return new Observable<T>((subscriber) => {
      if (link.ended) {
        subscriber.error(session.terminalError ?? new SocketClosedError('channel()'));
        return;
      }
      const { entry, created } = this.channels.acquire(key, topic, params);
      entry.refs++;
      const inner = (entry.subject as Subject<T>).subscribe(subscriber);
      if (created && link.phase === 'open' && this.protocol.subscribe !== undefined) {
        try {
          this.sendChannel(entry, 'subscribe', true);
        } catch (error) {
          // The subscribe could not even be made (a codec or cost function failed, the control lane is full): no channel is
          // left behind. The error goes first: `inner` is this very subscriber (a Subject keeps a Subscriber it is given),
          // so unsubscribing it first would close it and the error would never arrive.
          entry.refs--;
          this.channels.remove(entry);
          subscriber.error(error);
          inner.unsubscribe();
          return;
        }
      }
      session.acquire();
      return () => {
        inner.unsubscribe();
        try {
          if (--entry.refs === 0) this.leave(entry);
        } finally {
          session.release();
        }
      };
    });
  }

  /** The last subscriber of a channel left. */
  private leave(entry: ChannelEntry): void {
    this.channels.remove(entry);
    const queued = entry.queued;
    if (queued !== undefined && !queued.written && !queued.done) {
      // Its subscribe is still waiting in the control lane: the two cancel out, nothing is written.
      queued.done = true;
      this.reqs?.forget(queued as unknown as Pending<In, Out>, false);
      entry.sentOn = 0;
      return;
    }
    // Only the connection that has the subscription needs the unsubscribe; a new one never had it.
    const { link } = this.core;
    if (link.phase === 'open' && entry.sentOn === link.connection && this.protocol.unsubscribe !== undefined) {
      this.sendChannel(entry, 'unsubscribe', true);
    }
  }

  /**
   * Queues a channel's subscribe or unsubscribe in the control lane (before the outbox, under the rate limit and
   * backpressure, no ttl, no overflow policy: it is the socket's own message). With ids it is a tracked request
   * whose error answer fails the channel; its acknowledgement timer belongs to the connection.
   */
  private sendChannel(entry: ChannelEntry, kind: 'subscribe' | 'unsubscribe', drain: boolean): void {
    const { protocol, core } = this;
    const raw = kind === 'subscribe' ? protocol.subscribe!(entry.topic, entry.params) : protocol.unsubscribe!(entry.topic, entry.params);
    let timer: Subscription | undefined;
    const pending = this.pending('control', raw, 'fail', this.correlated, (response) => {
      timer?.unsubscribe();
      const outcome = protocol.resultOf?.(response);
      if (kind === 'subscribe' && outcome !== undefined && !outcome.ok) {
        this.channels.remove(entry);
        // Refused: nothing is subscribed, so its subscribers leaving must not send an unsubscribe.
        entry.sentOn = 0;
        entry.subject.error(outcome.error);
      }
    });
    pushControl(core.queue, pending.message, pending.frame, pending, drain);
    if (kind === 'subscribe') {
      entry.sentOn = core.link.connection;
      entry.queued = pending as unknown as Pending<unknown, unknown>;
    }
    const work = core.session.current?.work;
    if (this.correlated && work !== undefined) {
      this.requests.add(pending);
      // A server need not acknowledge (un)subscribes: stop waiting after the request timeout, quietly.
      timer = scheduleIn(work, core.scheduler, core.config.requestTimeout, () => this.reqs?.forget(pending, false));
    }
  }

  // ---- requests ------------------------------------------------------------------------------

  request<R>(message: Out, options: RequestOptions): Observable<R> {
    const protocol = this.protocol;
    if (!this.correlated) {
      throw new InvalidOptionsError(
        'request() needs a protocol that correlates responses (withId and idOf): use protocol: jsonRpc() or jsonTopics(), or write your own',
      );
    }
    const { timeout = this.core.config.requestTimeout, inFlight = this.core.config.inFlight } = options;
    checkDuration('request(): timeout', timeout, { infinity: true });
    if (inFlight !== 'fail' && inFlight !== 'resend') {
      throw new InvalidOptionsError(`request(): inFlight must be 'fail' or 'resend', got ${JSON.stringify(inFlight)}`);
    }
    const { link, session, queue, scheduler } = this.core;
    return new Observable<R>((subscriber) => {
      if (link.ended || session.closeRequest !== undefined) {
        subscriber.error(session.terminalError ?? new SocketClosedError('request()'));
        return;
      }
      const timers = new Subscription();
      const pending = this.pending(
        'request',
        message,
        inFlight,
        true,
        (response) => {
          timers.unsubscribe();
          let outcome: ReturnType<NonNullable<typeof protocol.resultOf>>;
          try {
            outcome = protocol.resultOf === undefined ? { ok: true as const, value: response as unknown } : protocol.resultOf(response);
          } catch (error) {
            // The adapter failed on the answer: this request errors with that, and the inbound path reports it.
            subscriber.error(error);
            throw error;
          }
          if (outcome.ok) {
            subscriber.next(outcome.value as R);
            subscriber.complete();
          } else subscriber.error(outcome.error);
        },
        (error) => {
          timers.unsubscribe();
          subscriber.error(error);
        },
      );
      if (timeout !== Infinity) {
        scheduleIn(timers, scheduler, timeout, () => {
          this.requests.forget(pending);
          subscriber.error(new RequestTimeoutError(timeout, pending.id));
        });
      }
      this.requests.add(pending);
      session.acquire();
      try {
        queue.submit(pending.message, pending.frame, pending);
      } catch (error) {
        this.requests.forget(pending);
        subscriber.error(error);
      }
      return () => {
        timers.unsubscribe();
        if (!pending.done) this.requests.forget(pending);
        session.release();
      };
    });
  }

  /** Makes a message awaiting a correlated response (or, uncorrelated, a control message that belongs to one connection). */
  private pending(
    kind: Pending<In, Out>['kind'],
    raw: Out,
    inFlight: InFlightPolicy,
    correlated: boolean,
    onResponse: (message: In) => void,
    onFail: (error: unknown) => void = noop,
  ): Pending<In, Out> {
    const id = correlated ? this.requests.nextId() : 0;
    const message = correlated ? this.protocol.withId!(raw, id) : raw;
    const frame = encodeFrame(this.core.config.codec, message);
    return new Pending<In, Out>(id, kind, message, frame, sizeOf(frame), inFlight, onResponse, onFail, (pending, reason) => this.dropped(pending, reason));
  }

  /** A queued message left unwritten: a request fails with the reason; a control message is forgotten quietly. */
  private dropped(pending: Pending<In, Out>, reason: DropReason): void {
    if (pending.kind !== 'request') {
      pending.done = true;
      this.reqs?.forget(pending, false);
      return;
    }
    this.requests.forget(pending);
    const { queue, config, session } = this.core;
    pending.onFail(
      reason === 'overflow'
        ? new OutboxFullError(queue.queued, queue.outbox.bytes, 'the overflow policy dropped this request')
        : reason === 'expired'
          ? new RequestTimeoutError(config.outbox.ttl, pending.id)
          : (session.terminalError ?? new SocketClosedError('request()')),
    );
  }
}

const FAILED: unique symbol = Symbol('failed');

function noop(): void {}
