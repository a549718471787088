/**
 * A WHATWG WebSocket that behaves as browsers do where they differ from `ws`
 * used as a WHATWG constructor: error events say nothing (no message, no
 * cause, no HTTP status), and `close()` refuses codes other than 1000 and
 * 3000-4999. Built on `ws`, so it talks to real servers.
 */
import WebSocket from 'ws';
import type { CloseEventLike, MessageEventLike, WebSocketConstructorLike, WebSocketLike } from '../../src/transport/web-socket';

export interface BrowserLikeOptions {
  /** Deliver binary messages as something that is not an ArrayBuffer (as a Blob would be). */
  readonly binaryAsBlob?: boolean;
}

export function browserLikeWebSocket(options: BrowserLikeOptions = {}): WebSocketConstructorLike {
  return class BrowserLikeWebSocket implements WebSocketLike {
    binaryType = 'blob';
    onopen: ((event: unknown) => void) | null = null;
    onmessage: ((event: MessageEventLike) => void) | null = null;
    onerror: ((event: unknown) => void) | null = null;
    onclose: ((event: CloseEventLike) => void) | null = null;
    private readonly inner: WebSocket;

    constructor(url: string, protocols?: string | string[]) {
      this.inner = new WebSocket(url, protocols);
      this.inner.binaryType = 'arraybuffer';
      this.inner.on('open', () => this.onopen?.({ type: 'open' }));
      this.inner.on('message', (data: WebSocket.RawData, isBinary: boolean) => {
        const binary = options.binaryAsBlob || this.binaryType !== 'arraybuffer' ? { size: (data as ArrayBuffer).byteLength } : data;
        this.onmessage?.({ data: isBinary ? binary : Buffer.from(data as ArrayBuffer).toString() });
      });
      this.inner.on('error', () => this.onerror?.({ type: 'error' }));
      this.inner.addEventListener('close', (event) => this.onclose?.({ code: event.code, reason: event.reason, wasClean: event.wasClean }));
    }

    get readyState(): number {
      return this.inner.readyState;
    }
    get bufferedAmount(): number {
      return this.inner.bufferedAmount;
    }
    get protocol(): string {
      return this.inner.protocol;
    }
    get extensions(): string {
      return this.inner.extensions;
    }
    send(data: string | ArrayBufferView): void {
      this.inner.send(data);
    }
    close(code?: number, reason?: string): void {
      if (code !== undefined && code !== 1000 && (code < 3000 || code > 4999)) {
        throw new Error(`InvalidAccessError: Failed to execute 'close' on 'WebSocket': The close code must be either 1000, or between 3000 and 4999. ${code} is neither.`);
      }
      this.inner.close(code, reason);
    }
  };
}
