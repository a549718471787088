/**
 * `rxnova` in process: `runCli()` with a test's streams and interrupt in
 * place of the process's (`start`), and a fixture that cleans up after each
 * test (`inProcessCli`): a run still going is interrupted and awaited, ws
 * clients and servers are closed, so nothing outlives its test.
 */
import { EventEmitter } from 'node:events';
import { PassThrough, Writable } from 'node:stream';
import WebSocket, { RawData } from 'ws';
import { CliIO, runCli } from '../../src/cli/run';
import { Reply, TestServer, startServer } from './support';

/** One in-process run of `rxnova`: its streams, what it printed, and its exit code. */
export interface Run {
  readonly out: { stdout: string; stderr: string };
  /** Writes `line` and a newline to stdin. */
  send(line: string): void;
  /** Ends stdin. */
  end(): void;
  /** Calls the handler the runner gave to `onInterrupt` (what SIGINT or SIGTERM does); once. */
  interrupt(): void;
  /** Waits until the stream's text matches `pattern`; rejects if the run ends first, with what was printed. */
  waitFor(stream: 'stdout' | 'stderr', pattern: RegExp): Promise<RegExpMatchArray>;
  readonly exit: Promise<number>;
  readonly done: boolean;
}

export function start(argv: readonly string[]): Run {
  const out = { stdout: '', stderr: '' };
  const written = new EventEmitter();
  const collect = (stream: 'stdout' | 'stderr'): Writable =>
    new Writable({
      decodeStrings: false,
      write(chunk: string | Buffer, _encoding, callback) {
        out[stream] += String(chunk);
        written.emit('write');
        callback();
      },
    });
  const stdin = new PassThrough();
  let handler: (() => void) | undefined;
  let done = false;
  const io: CliIO = { stdin, stdout: collect('stdout'), stderr: collect('stderr'), onInterrupt: (h) => (handler = h) };
  const exit = runCli(argv, io).then((code) => {
    done = true;
    written.emit('exit');
    return code;
  });
  return {
    out,
    send: (line) => void stdin.write(`${line}\n`),
    end: () => void stdin.end(),
    interrupt() {
      const h = handler;
      handler = undefined;
      h?.();
    },
    waitFor(stream, pattern) {
      return new Promise<RegExpMatchArray>((resolve, reject) => {
        const check = (): void => {
          const match = pattern.exec(out[stream]);
          if (match !== null) {
            stop();
            resolve(match);
          } else if (done) {
            stop();
            reject(new Error(`rxnova ended before its ${stream} matched ${pattern}\n--- stdout:\n${out.stdout}--- stderr:\n${out.stderr}`));
          }
        };
        const stop = (): void => {
          written.off('write', check);
          written.off('exit', check);
        };
        written.on('write', check);
        written.on('exit', check);
        check();
      });
    },
    exit,
    get done() {
      return done;
    },
  };
}

/** Resolves with the next message a ws client receives, and whether it was binary. */
export function nextMessage(client: WebSocket): Promise<{ data: RawData; isBinary: boolean }> {
  return new Promise((resolve) => client.once('message', (data, isBinary) => resolve({ data, isBinary })));
}

export function opened(client: WebSocket): Promise<void> {
  return new Promise((resolve, reject) => {
    client.once('open', () => resolve());
    client.once('error', reject);
  });
}

export function closed(client: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => client.once('close', (code, reason) => resolve({ code, reason: String(reason) })));
}

/** Runs of rxnova, test servers and ws clients for the tests of the enclosing `describe`, cleaned up after each test. */
export function inProcessCli(): {
  rxnova(...argv: string[]): Run;
  server(reply?: Reply): Promise<TestServer>;
  client(url: string, protocols?: string[]): WebSocket;
} {
  const runs: Run[] = [];
  const servers: TestServer[] = [];
  const clients: WebSocket[] = [];

  afterEach(async () => {
    for (const ws of clients.splice(0)) ws.terminate();
    for (const run of runs.splice(0)) {
      if (!run.done) {
        run.interrupt();
        run.end();
      }
      await run.exit;
    }
    await Promise.all(servers.splice(0).map((s) => s.stop()));
  });

  return {
    rxnova(...argv) {
      const run = start(argv);
      runs.push(run);
      return run;
    },
    async server(reply) {
      const started = await startServer(reply);
      servers.push(started);
      return started;
    },
    client(url, protocols) {
      const ws = new WebSocket(url, protocols);
      clients.push(ws);
      return ws;
    },
  };
}
