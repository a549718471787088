/**
 * The `rxnova` command as a child process (its TypeScript source through
 * `node -r esbuild-register`, so no build is needed), and a real `ws` server
 * on 127.0.0.1 to drive it against. Specs wait for lines of the child's
 * output (`waitFor`), not for time.
 */
import { ChildProcess, spawn } from 'node:child_process';
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import WebSocket, { RawData, WebSocketServer } from 'ws';

const root = path.resolve(__dirname, '../..');
const MAIN = path.join(root, 'src/cli/main.ts');

/** A running `rxnova`. `dispose()` kills it if it still runs. */
export interface CliChild {
  readonly child: ChildProcess;
  /** Everything written to stdout / stderr so far. */
  readonly out: { stdout: string; stderr: string };
  /** Writes `line` and a newline to stdin. */
  send(line: string): void;
  /** Ends stdin. */
  end(): void;
  /** Waits until the stream's text matches `pattern`; rejects after `timeoutMs` with what was printed. */
  waitFor(stream: 'stdout' | 'stderr', pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** The exit code (or the signal's name). */
  readonly exit: Promise<number | string>;
  dispose(): void;
}

/** Starts `rxnova args...`. */
export function runCli(args: readonly string[]): CliChild {
  const child = spawn(process.execPath, ['-r', 'esbuild-register', MAIN, ...args], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
  const out = { stdout: '', stderr: '' };
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out.stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (out.stderr += chunk));
  child.stdin!.on('error', () => undefined); // a child that exited early closes its stdin
  const exit = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  return {
    child,
    out,
    send: (line) => void child.stdin!.write(`${line}\n`),
    end: () => void child.stdin!.end(),
    waitFor(stream, pattern, timeoutMs = 5000) {
      return new Promise<RegExpMatchArray>((resolve, reject) => {
        const check = (): boolean => {
          const match = pattern.exec(out[stream]);
          if (match === null) return false;
          done();
          resolve(match);
          return true;
        };
        const gone = (): void => {
          // Output and exit may race: look once more after the streams have flushed.
          setImmediate(() => {
            if (check()) return;
            done();
            reject(new Error(`rxnova exited before its ${stream} matched ${pattern}\n${dump(out)}`));
          });
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`timed out after ${timeoutMs} ms waiting for ${stream} to match ${pattern}\n${dump(out)}`));
        }, timeoutMs);
        const source = stream === 'stdout' ? child.stdout! : child.stderr!;
        const done = (): void => {
          clearTimeout(timer);
          source.off('data', check);
          child.off('exit', gone);
        };
        source.on('data', check);
        child.once('exit', gone);
        check();
      });
    },
    exit,
    dispose: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

function dump(out: { stdout: string; stderr: string }): string {
  return `--- stdout:\n${out.stdout}--- stderr:\n${out.stderr}`;
}

/** A `ws` server on 127.0.0.1 that records what it sees and can be stopped and started again on the same port. */
export interface TestServer {
  readonly port: number;
  readonly url: string;
  /** Text messages received, over every connection, in order. */
  readonly received: string[];
  /** The upgrade request headers of every connection. */
  readonly headers: IncomingHttpHeaders[];
  /** The subprotocol chosen for every connection (`''` for none). */
  readonly protocols: string[];
  /** The open connections. */
  readonly clients: Set<WebSocket>;
  /** Ends every connection without a close frame (1006 for the client) and stops listening. */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  start(): Promise<void>;
}

/** What the server answers to a message: a frame's text, or nothing. */
export type Reply = (text: string, socket: WebSocket) => string | undefined;

/** Echoes every message. */
export const echo: Reply = (text) => text;

/** Starts a server that answers each text message with `reply(text)` (echo by default). */
export async function startServer(reply: Reply = echo): Promise<TestServer> {
  let wss: WebSocketServer | undefined;
  const server = {
    port: 0,
    url: '',
    received: [] as string[],
    headers: [] as IncomingHttpHeaders[],
    protocols: [] as string[],
    clients: new Set<WebSocket>(),
    start: () =>
      new Promise<void>((resolve, reject) => {
        const next = new WebSocketServer({ host: '127.0.0.1', port: server.port, handleProtocols: (offered) => offered.values().next().value ?? false });
        wss = next;
        next.once('error', reject);
        next.once('listening', () => {
          server.port = (next.address() as AddressInfo).port;
          server.url = `ws://127.0.0.1:${server.port}`;
          resolve();
        });
        next.on('connection', (socket, request) => {
          server.clients.add(socket);
          server.headers.push(request.headers);
          server.protocols.push(socket.protocol);
          socket.on('close', () => server.clients.delete(socket));
          socket.on('message', (data: RawData, isBinary) => {
            if (isBinary) return;
            const text = data.toString();
            server.received.push(text);
            const answer = reply(text, socket);
            if (answer !== undefined) socket.send(answer);
          });
        });
      }),
    stop: () =>
      new Promise<void>((resolve) => {
        for (const client of server.clients) client.terminate();
        server.clients.clear();
        if (wss === undefined) resolve();
        else wss.close(() => resolve());
        wss = undefined;
      }),
  };
  await server.start();
  return server;
}

/** A JSON-RPC 2.0 responder: `sum` adds its params, anything else is "method not found". */
export const jsonRpcResponder: Reply = (text) => {
  const request = JSON.parse(text) as { id?: number; method?: string; params?: unknown };
  if (request.id === undefined) return undefined;
  if (request.method === 'sum' && Array.isArray(request.params)) {
    return JSON.stringify({ jsonrpc: '2.0', id: request.id, result: (request.params as number[]).reduce((a, b) => a + b, 0) });
  }
  return JSON.stringify({ jsonrpc: '2.0', id: request.id, error: { code: -32601, message: `no method ${String(request.method)}` } });
};
