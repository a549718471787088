import { Observable } from 'rxjs';
import { checkTarget, eventsOf, TriggerEvent, TriggerTarget } from './online';

/** A `document`, as far as {@link visible} needs one. */
export interface VisibilityTarget extends TriggerTarget {
  /** `'visible'` when the page can be seen. */
  readonly visibilityState: string;
}

/**
 * A reconnect trigger for browsers: emits each time the page becomes visible
 * again (a `visibilitychange` event of `document` after which its
 * `visibilityState` is `'visible'`). Give it to `reconnect: { retryOn }`: a
 * user coming back to a tab does not wait out a long backoff. Becoming
 * hidden changes nothing by itself, and while the socket is open or
 * connecting the trigger is not even listened to.
 *
 * ```text
 * document:   ----hidden-------visible-----
 * visible():  ---------------------v-------
 * ```
 *
 * @param document - where to listen. @default globalThis.document
 * @throws InvalidOptionsError when there is no such document (for example in Node, without one given).
 * @example
 * ```ts
 * const socket = connect('wss://example.com/feed', { reconnect: { retryOn: visible() } });
 * ```
 */
export function visible(document: VisibilityTarget = (globalThis as { document?: VisibilityTarget }).document as VisibilityTarget): Observable<TriggerEvent> {
  const target = checkTarget('visible()', document, 'a document') as VisibilityTarget;
  return eventsOf(target, 'visibilitychange', () => target.visibilityState === 'visible');
}
