import { Observable } from 'rxjs';
import { InvalidOptionsError } from '../errors';

/** An event a trigger passes on (a DOM `Event` in a browser); typed without the DOM library, so Node projects compile. */
export interface TriggerEvent {
  /** The event's type, such as `'online'`. */
  readonly type: string;
}

/** The part of an `EventTarget` the triggers use (a `window`, a `document`, or a fake in tests). */
export interface TriggerTarget {
  /** Adds `listener` for events of `type`. */
  addEventListener(type: string, listener: (event: TriggerEvent) => void): void;
  /** Removes what `addEventListener` added. */
  removeEventListener(type: string, listener: (event: TriggerEvent) => void): void;
}

/** @internal Checks a trigger's target once, when the factory is called, and names what to pass instead. */
export function checkTarget(factory: string, target: unknown, what: string): TriggerTarget {
  const candidate = target as Partial<TriggerTarget> | null | undefined;
  if (typeof candidate !== 'object' || candidate === null || typeof candidate.addEventListener !== 'function' || typeof candidate.removeEventListener !== 'function') {
    throw new InvalidOptionsError(
      `${factory} needs an EventTarget to listen on (${what}); got ${candidate === null ? 'null' : typeof candidate}. Outside a browser, pass one (in tests, a fake such as new EventTarget())`,
    );
  }
  return candidate as TriggerTarget;
}

/** @internal Emits each `type` event of `target`, while subscribed. */
export function eventsOf(target: TriggerTarget, type: string, accept: () => boolean): Observable<TriggerEvent> {
  return new Observable<TriggerEvent>((subscriber) => {
    const listener = (event: TriggerEvent): void => {
      if (accept()) subscriber.next(event);
    };
    target.addEventListener(type, listener);
    return () => target.removeEventListener(type, listener);
  });
}

const always = (): boolean => true;

/**
 * A reconnect trigger for browsers: emits each time the network comes back
 * (the `online` event of `target`). Give it to `reconnect: { retryOn }`, and
 * a socket waiting to reconnect dials at once instead of finishing its
 * backoff. Going offline changes nothing by itself (the heartbeat decides
 * whether the connection died), and while the socket is open or connecting
 * the trigger is not even listened to.
 *
 * ```text
 * window:    ----offline------online-----
 * online():  ---------------------o------
 * ```
 *
 * @param target - where to listen. @default globalThis (the window, in a browser)
 * @throws InvalidOptionsError when `target` is not an EventTarget (for example in Node, without one given).
 * @example
 * ```ts
 * const socket = connect('wss://example.com/feed', { reconnect: { retryOn: merge(online(), visible()) } });
 * ```
 */
export function online(target: TriggerTarget = globalThis as unknown as TriggerTarget): Observable<TriggerEvent> {
  return eventsOf(checkTarget('online()', target, 'a window'), 'online', always);
}
