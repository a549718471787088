/**
 * The page the browser spec runs: an app built on the `rxnova` entry (the
 * WHATWG transport on the browser's own `WebSocket`), bundled by esbuild.
 * It exposes a small harness on `globalThis.harness` that the spec drives
 * with `page.evaluate`: open sockets, send, close, and wait for states,
 * events and messages, which it records in plain, serialisable form.
 *
 * No DOM typings: the harness reaches the page only through `globalThis`.
 */
import { merge } from 'rxjs';
import { connect, constantBackoff, online, Socket, SocketEvent, SocketState, visible } from '../../src/index';

/** A message of the echo server's JSON protocol. */
export interface Message {
  readonly type: string;
  readonly [key: string]: unknown;
}

/** How the spec asks for a socket. */
export interface SocketSpec {
  readonly url: string;
  /** Constant backoff between reconnects, in ms. */
  readonly reconnectDelay: number;
  /** Close codes the policy should treat differently from the default. */
  readonly codes?: Readonly<Record<number, 'retry' | 'stop'>>;
  /** An application-level heartbeat: `{ type: 'ping' }` answered by `{ type: 'pong' }`. */
  readonly heartbeat?: { readonly interval: number; readonly timeout: number };
  /** Reconnect at once on the page's own `online` and `visibilitychange` events (`online()`, `visible()` with their defaults). */
  readonly triggers?: boolean;
}

/** An error as the page saw it. */
export interface ErrorRecord {
  readonly name: string;
  readonly code?: string;
  readonly closeCode?: number;
  readonly reason?: string;
  readonly wasClean?: boolean;
  readonly message: string;
}

/** A state as `state$` reported it. */
export interface StateRecord {
  readonly status: SocketState['status'];
  readonly attempt?: number;
  readonly code?: number;
  readonly reason?: string;
  readonly wasClean?: boolean;
  readonly requested?: boolean;
  readonly gaveUp?: boolean;
  readonly error?: ErrorRecord;
}

/** An event of `events$` (data events left out), as the page saw it. */
export interface EventRecord {
  readonly type: SocketEvent['type'];
  readonly code?: number;
  readonly reason?: string;
  readonly wasClean?: boolean;
  readonly initiator?: string;
  readonly rtt?: number;
  readonly error?: ErrorRecord;
}

/** Everything recorded about one socket. */
export interface SocketRecord {
  readonly states: StateRecord[];
  readonly events: EventRecord[];
  readonly messages: Message[];
  /** The error `messages$` ended with, if it did. */
  messagesError?: ErrorRecord;
  messagesComplete: boolean;
}

/** What the page offers the spec. */
export interface Harness {
  open(id: string, spec: SocketSpec): void;
  send(id: string, message: Message): void;
  close(id: string, code?: number, reason?: string): void;
  /** `socket.retryNow()`. */
  retryNow(id: string): boolean;
  /** Dispatches a plain event of `type` on the window or the document, as the browser would. */
  fire(target: 'window' | 'document', type: string): void;
  record(id: string): SocketRecord;
  /** Resolves with the record once `state$` has emitted `status` `count` times; rejects after `within` ms. */
  waitForState(id: string, status: SocketState['status'], count: number, within: number): Promise<SocketRecord>;
  /** Resolves with the record once `events$` has emitted `type` `count` times; rejects after `within` ms. */
  waitForEvent(id: string, type: SocketEvent['type'], count: number, within: number): Promise<SocketRecord>;
  /** Resolves with the record once `messages$` has delivered `count` messages; rejects after `within` ms. */
  waitForMessages(id: string, count: number, within: number): Promise<SocketRecord>;
}

/** The page's global scope as the spec sees it. */
export interface HarnessGlobal {
  harness: Harness;
}

function errorRecord(error: unknown): ErrorRecord | undefined {
  if (error === undefined) return undefined;
  if (typeof error !== 'object' || error === null) return { name: typeof error, message: String(error) };
  const e = error as { name?: unknown; code?: unknown; closeCode?: unknown; reason?: unknown; wasClean?: unknown; message?: unknown };
  return {
    name: String(e.name),
    message: String(e.message),
    ...(typeof e.code === 'string' ? { code: e.code } : {}),
    ...(typeof e.closeCode === 'number' ? { closeCode: e.closeCode } : {}),
    ...(typeof e.reason === 'string' ? { reason: e.reason } : {}),
    ...(typeof e.wasClean === 'boolean' ? { wasClean: e.wasClean } : {}),
  };
}

function stateRecord(state: SocketState): StateRecord {
  switch (state.status) {
    case 'connecting':
      return { status: state.status, attempt: state.attempt };
    case 'open':
      return { status: state.status, attempt: state.attempt };
    case 'reconnecting':
      return { status: state.status, attempt: state.attempt, error: errorRecord(state.error) };
    case 'closing':
      return { status: state.status, code: state.code, reason: state.reason };
    case 'closed':
      return {
        status: state.status,
        code: state.code,
        reason: state.reason,
        wasClean: state.wasClean,
        requested: state.requested,
        gaveUp: state.gaveUp,
        error: errorRecord(state.error),
      };
  }
}

function eventRecord(event: SocketEvent): EventRecord | undefined {
  switch (event.type) {
    case 'sent':
    case 'received':
      return undefined;
    case 'closed':
      return { type: event.type, code: event.code, reason: event.reason, wasClean: event.wasClean, initiator: event.initiator, error: errorRecord(event.error) };
    case 'reconnect-scheduled':
    case 'gave-up':
      return { type: event.type, error: errorRecord(event.error) };
    case 'rtt':
      return { type: event.type, rtt: event.rtt };
    default:
      return { type: event.type };
  }
}

const sockets = new Map<string, Socket<Message, Message>>();
const records = new Map<string, SocketRecord>();
const waiters = new Set<() => void>();

function wake(): void {
  for (const waiter of [...waiters]) waiter();
}

function recordOf(id: string): SocketRecord {
  const record = records.get(id);
  if (record === undefined) throw new Error(`harness: no socket '${id}'`);
  return record;
}

function socketOf(id: string): Socket<Message, Message> {
  const socket = sockets.get(id);
  if (socket === undefined) throw new Error(`harness: no socket '${id}'`);
  return socket;
}

/** Resolves once `done(record)` holds, re-checked after everything the socket reports; rejects after `within` ms with what was seen. */
function waitUntil(id: string, what: string, within: number, done: (record: SocketRecord) => boolean): Promise<SocketRecord> {
  const record = recordOf(id);
  return new Promise((resolve, reject) => {
    const check = (): void => {
      if (!done(record)) return;
      finish();
      resolve(record);
    };
    const timer = setTimeout(() => {
      finish();
      reject(new Error(`harness: '${id}' did not reach ${what} within ${within} ms; states ${JSON.stringify(record.states)}; events ${JSON.stringify(record.events)}`));
    }, within);
    const finish = (): void => {
      clearTimeout(timer);
      waiters.delete(check);
    };
    waiters.add(check);
    check();
  });
}

const harness: Harness = {
  open(id, spec) {
    if (sockets.has(id)) throw new Error(`harness: socket '${id}' exists`);
    const socket = connect<Message, Message>(spec.url, {
      reconnect: {
        backoff: constantBackoff(spec.reconnectDelay),
        ...(spec.codes ? { policy: { codes: spec.codes } } : {}),
        // The page's window and document, found by the triggers themselves.
        ...(spec.triggers ? { retryOn: merge(online(), visible()) } : {}),
      },
      ...(spec.heartbeat
        ? {
            heartbeat: {
              interval: spec.heartbeat.interval,
              timeout: spec.heartbeat.timeout,
              ping: { type: 'ping' },
              isPong: (message: Message) => message.type === 'pong',
            },
          }
        : {}),
    });
    const record: SocketRecord = { states: [], events: [], messages: [], messagesComplete: false };
    sockets.set(id, socket);
    records.set(id, record);
    socket.events$.subscribe((event) => {
      const summary = eventRecord(event);
      if (summary === undefined) return;
      record.events.push(summary);
      wake();
    });
    socket.state$.subscribe((state) => {
      record.states.push(stateRecord(state));
      wake();
    });
    socket.messages$.subscribe({
      next: (message) => {
        record.messages.push(message);
        wake();
      },
      error: (error: unknown) => {
        record.messagesError = errorRecord(error);
        wake();
      },
      complete: () => {
        record.messagesComplete = true;
        wake();
      },
    });
  },
  send(id, message) {
    socketOf(id).send(message);
  },
  close(id, code, reason) {
    socketOf(id).close(code, reason);
  },
  retryNow(id) {
    return socketOf(id).retryNow();
  },
  fire(target, type) {
    const page = globalThis as unknown as { document: { dispatchEvent(event: unknown): boolean }; dispatchEvent(event: unknown): boolean; Event: new (type: string) => unknown };
    (target === 'window' ? page : page.document).dispatchEvent(new page.Event(type));
  },
  record: recordOf,
  waitForState(id, status, count, within) {
    return waitUntil(id, `state '${status}' ×${count}`, within, (r) => r.states.filter((s) => s.status === status).length >= count);
  },
  waitForEvent(id, type, count, within) {
    return waitUntil(id, `event '${type}' ×${count}`, within, (r) => r.events.filter((e) => e.type === type).length >= count);
  },
  waitForMessages(id, count, within) {
    return waitUntil(id, `${count} messages`, within, (r) => r.messages.length >= count);
  },
};

(globalThis as unknown as HarnessGlobal).harness = harness;
