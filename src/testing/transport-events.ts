/**
 * Builders of expected {@link TransportEvent}s for marble assertions, e.g.
 * `m.expect(events).toBeObservable('o-a-(c#)', { o: openEvent(), a: frameEvent('a'), c: closeEvent(1012) }, error)`.
 * @packageDocumentation
 */
import { Frame, binaryFrame, textFrame } from '../frame';
import type { TransportCloseEvent, TransportFrameEvent, TransportOpenEvent } from '../transport/transport';

/** The event of a socket that opened: `{type:'open', protocol, extensions}`. */
export function openEvent(protocol = '', extensions = ''): TransportOpenEvent {
  return { type: 'open', protocol, extensions };
}

/** The event of a received frame; a string stands for a text frame, a `Uint8Array` for a binary one. */
export function frameEvent(frame: Frame | string | Uint8Array): TransportFrameEvent {
  return {
    type: 'frame',
    frame: typeof frame === 'string' ? textFrame(frame) : frame instanceof Uint8Array ? binaryFrame(frame) : frame,
  };
}

/** The close event, always the last event of a socket. */
export function closeEvent(code = 1000, reason = '', wasClean = true): TransportCloseEvent {
  return { type: 'close', code, reason, wasClean };
}
