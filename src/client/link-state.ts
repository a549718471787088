import { BehaviorSubject, Observable } from 'rxjs';
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
export class LinkState {
  phase: Phase = 'idle';
  /** Opened connections so far: the number of the current one while it is open. */
  connection = 0;
  private readonly subject = new BehaviorSubject<SocketState>({ status: 'closed', requested: false, gaveUp: false });
  readonly state$: Observable<SocketState>;

  constructor() {
    const subject = this.subject;
    this.state$ = new Observable<SocketState>((subscriber) => {
      // A completed BehaviorSubject replays nothing: after the end, give the final state, then complete.
      if (subject.isStopped) {
        subscriber.next(subject.getValue());
        subscriber.complete();
        return undefined;
      }
      return subject.subscribe(subscriber);
    });
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
