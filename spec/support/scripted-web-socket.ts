/**
 * A scripted WHATWG WebSocket for specs of the Transport seam itself: it
 * opens no connection, records how it was constructed and called, and lets
 * the spec fire `onopen`, `onmessage`, `onerror` and `onclose` by hand.
 */
import type { CloseEventLike, MessageEventLike, WebSocketConstructorLike, WebSocketLike } from '../../src/transport/web-socket';

export interface ScriptedOptions {
  /** Give the socket a `terminate()`, as `ws` has. */
  readonly terminate?: boolean;
  /** What `extensions` reports (`undefined`: the property is absent, as in some implementations). */
  readonly extensions?: string;
  /** Codes `close()` throws for (as browsers do for codes other than 1000 and 3000-4999). */
  readonly refuseClose?: readonly number[];
}

export interface ScriptedWebSocket extends WebSocketLike {
  /** The arguments the constructor was called with (its `arguments`, so their count shows). */
  readonly constructedWith: unknown[];
  /** The arguments of each `close()` call, including refused ones. */
  readonly closes: unknown[][];
  /** How many times `terminate()` was called. */
  terminated: number;
  /** What `send()` was given. */
  readonly sent: Array<string | ArrayBufferView>;
  readyState: number;
  protocol: string;
  /** Fires `onopen` (readyState becomes OPEN). */
  open(protocol?: string): void;
  /** Fires `onmessage` with `data`. */
  message(data: unknown): void;
  /** Fires `onerror` with `event`. */
  error(event: unknown): void;
  /** Fires `onclose` (readyState becomes CLOSED). */
  closed(code: number, reason?: string, wasClean?: boolean): void;
}

export interface Scripted {
  /** The constructor to pass as the `WebSocket` option. */
  readonly WebSocket: WebSocketConstructorLike;
  /** Every socket constructed so far, oldest first. */
  readonly sockets: ScriptedWebSocket[];
  /** The newest socket (fails when none was constructed). */
  last(): ScriptedWebSocket;
}

export function scriptedWebSocket(options: ScriptedOptions = {}): Scripted {
  const sockets: ScriptedWebSocket[] = [];

  class Socket implements ScriptedWebSocket {
    binaryType = 'blob';
    readyState = 0;
    bufferedAmount = 0;
    protocol = '';
    onopen: ((event: unknown) => void) | null = null;
    onmessage: ((event: MessageEventLike) => void) | null = null;
    onerror: ((event: unknown) => void) | null = null;
    onclose: ((event: CloseEventLike) => void) | null = null;
    readonly constructedWith: unknown[];
    readonly closes: unknown[][] = [];
    terminated = 0;
    readonly sent: Array<string | ArrayBufferView> = [];
    terminate?: () => void;

    constructor(...args: unknown[]) {
      this.constructedWith = args;
      if ('extensions' in options) Object.defineProperty(this, 'extensions', { value: options.extensions, enumerable: true });
      if (options.terminate === true) this.terminate = () => void this.terminated++;
      sockets.push(this);
    }

    send(data: string | ArrayBufferView): void {
      this.sent.push(data);
    }

    close(...args: unknown[]): void {
      this.closes.push(args);
      const refused = options.refuseClose;
      if (refused !== undefined && typeof args[0] === 'number' && refused.includes(args[0])) {
        throw new Error(`close code ${String(args[0])} refused`);
      }
      this.readyState = 2;
    }

    open(protocol = ''): void {
      this.readyState = 1;
      this.protocol = protocol;
      this.onopen?.({ type: 'open' });
    }

    message(data: unknown): void {
      this.onmessage?.({ data });
    }

    error(event: unknown): void {
      this.onerror?.(event);
    }

    closed(code: number, reason = '', wasClean = true): void {
      this.readyState = 3;
      this.onclose?.({ code, reason, wasClean });
    }
  }

  return {
    WebSocket: Socket as unknown as WebSocketConstructorLike,
    sockets,
    last: () => {
      const socket = sockets[sockets.length - 1];
      if (socket === undefined) throw new Error('no socket was constructed');
      return socket;
    },
  };
}
