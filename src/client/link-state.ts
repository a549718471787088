import { BehaviorSubject, Observable, Subscriber, TeardownLogic } from 'rxjs';
import type { SocketState } from './state';

/**
 * Where the socket is in its life, as one value (it replaces a set of
 * booleans that had to agree):
 * - `idle`: no connection and none wanted (a lazy socket with no consumer, before its first one);
 * - `connecting`: an attempt is dialling, or a reconnect is scheduled;
 * - `authenticating`: the socket is open and the auth round runs: only the auth message may be written;
 * - `open`: open and authenticated: the write queue may write;
 * - `closing`: a requested close (final, or a lazy release) is under way;
 * - `ended`: final, after `close()` or giving up.
 */
export type Phase = 'idle' | 'connecting' | 'authenticating' | 'open' | 'closing' | 'ended';

/**
 * @internal The link state: the phase, the count of opened connections (a
 * channel message belongs to one), and `state$`, which it feeds.
 */
/** `state$` subscribes through a module-level function (the link state is that Observable): no closure per socket. */
function subscribeState(this: Observable<SocketState>, subscriber: Subscriber<SocketState>): TeardownLogic {
  const subject = (this as LinkState).subject;
  // A completed BehaviorSubject replays nothing: after the end, give the final state, then complete.
  if (subject.isStopped) {
    subscriber.next(subject.getValue());
    subscriber.complete();
    return undefined;
  }
  return subject.subscribe(subscriber);
}

export class LinkState extends Observable<SocketState> {
  phase: Phase = 'idle';
  /** Opened connections so far: the number of the current one while it is open. */
  connection = 0;
  /** @internal */
  readonly subject = new BehaviorSubject<SocketState>({ status: 'closed', requested: false, gaveUp: false });

  /** As an Observable it is `state$`: the states, replaying the current one; after the end, the final one (then complete). */
  constructor() {
    super(subscribeState);
  }

  /** The current state. */
  get state(): SocketState {
    return this.subject.getValue();
  }

  /** Whether the socket has ended for good. */
  get ended(): boolean {
    return this.phase === 'ended';
  }

  set(state: SocketState): void {
    this.subject.next(state);
  }

  /** The final state: emitted, then `state$` completes. */
  end(state: SocketState): void {
    this.phase = 'ended';
    this.subject.next(state);
    this.subject.complete();
  }
}
