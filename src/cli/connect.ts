/**
 * `rxnova <url>`: the client side of the command line, on the library's
 * public API only (`connect`, `text` and `jsonRpc` from `rxnova`,
 * `wsTransport` from `rxnova/node`).
 * @packageDocumentation
 */
import { createInterface } from 'node:readline';
import { asapScheduler, merge } from 'rxjs';
import { ConnectionClosedError, InvalidOptionsError, connect, jsonRpc, text } from '../index';
import type { JsonRpcMessage, JsonRpcRequest, Socket, SocketState } from '../index';
import { wsTransport } from '../node';
import { ConnectCommand, EXIT, ExitCode } from './args';
import { errorText, formatMessage, formatRpcOutcome, formatState, parseJson, parseRpcLine } from './format';
import type { CliIO } from './run';

/**
 * Connects and runs until the socket is closed:
 * - each stdin line is sent; an empty line is not sent, but while a
 *   reconnect waits it dials at once (`retryNow()`);
 * - each message is printed on stdout, each state on stderr;
 * - at the end of stdin, once the outbox is empty (and, with `--rpc`, every
 *   request answered), the socket is closed with 1000: exit 0;
 * - SIGINT or SIGTERM close it at once: exit 130;
 * - a socket that gives up exits 1, except a server's clean 1000 close under
 *   `--no-reconnect`, which exits 0, and an option the library refused when
 *   it opened the socket (a bad `--protocol`), which exits 2.
 */
export function runConnect(command: ConnectCommand, io: CliIO): Promise<ExitCode> {
  const { url, headers, protocols, mode, raw, reconnect } = command;
  const options = {
    transport: wsTransport(),
    headers,
    protocols,
    ...(reconnect ? {} : { reconnect: false as const }),
  };
  // connect() throws InvalidUrlError / InvalidOptionsError at once: runCli maps them to exit 2.
  const rpc = mode === 'rpc' ? connect<JsonRpcMessage, JsonRpcRequest>(url, { ...options, protocol: jsonRpc() }) : undefined;
  const plain = rpc === undefined ? connect<string, string>(url, { ...options, codec: text() }) : undefined;
  const socket: Socket<unknown, never> = (rpc ?? plain)! as Socket<unknown, never>;

  return new Promise<ExitCode>((resolve) => {
    let interrupted = false;
    let inputEnded = false;
    let pending = 0; // --rpc requests not yet answered

    const print = (line: string): void => void io.stdout.write(`${line}\n`);
    const note = (line: string): void => void io.stderr.write(`[rxnova] ${line}\n`);

    const lines = createInterface({ input: io.stdin, crlfDelay: Infinity });
    socket.messages$.subscribe({ next: (message) => print(formatMessage(message, raw)), error: () => undefined });

    // Closes once stdin has ended and nothing waits: checked after each write and state (on the
    // asap scheduler, so after the write queue has finished its turn).
    const closeWhenDrained = (): void => {
      if (inputEnded && socket.queued === 0 && pending === 0 && isLive(socket.state)) socket.close();
    };
    const drained = merge(socket.events$, socket.state$).subscribe(() => {
      if (inputEnded) asapScheduler.schedule(closeWhenDrained);
    });

    socket.state$.subscribe((state) => {
      note(formatState(state));
      if (state.status !== 'closed') return;
      drained.unsubscribe();
      lines.close();
      resolve(interrupted ? EXIT.interrupted : exitCodeOf(state));
    });

    lines.on('line', (line) => {
      if (line.trim() === '') {
        // Enter on its own: "reconnect now" while a reconnect waits (said first: the new attempt starts at once).
        if (socket.state.status === 'reconnecting') {
          note('dialling now');
          socket.retryNow();
        }
        return;
      }
      if (!isLive(socket.state)) return;
      try {
        if (rpc !== undefined) {
          const request = parseRpcLine(line);
          pending += 1;
          rpc.request(request).subscribe({
            next: (result) => print(formatRpcOutcome(request, { result }, raw)),
            error: (error: unknown) => {
              pending -= 1;
              print(formatRpcOutcome(request, { error }, raw));
              closeWhenDrained();
            },
            complete: () => {
              pending -= 1;
              closeWhenDrained();
            },
          });
        } else if (mode === 'json') {
          const value = parseJson(line);
          if (value === undefined) note(`not JSON, skipped: ${line}`);
          else plain!.send(JSON.stringify(value.json));
        } else {
          plain!.send(line);
        }
      } catch (error) {
        // A line that cannot be parsed or sent (OutboxFullError) is reported and skipped, never lost in silence.
        note(`not sent: ${errorText(error)}`);
      }
    });
    lines.once('close', () => {
      inputEnded = true;
      closeWhenDrained();
    });

    io.onInterrupt(() => {
      interrupted = true;
      if (isLive(socket.state)) socket.close();
    });
  });
}

/** Whether the socket can still be closed (not already closing or closed). */
function isLive(state: SocketState): boolean {
  return state.status !== 'closing' && state.status !== 'closed';
}

/**
 * 0 for a close this side asked for, or a server's clean 1000 close that ended it (`--no-reconnect`); 2 for an
 * option the transport refused on opening (InvalidOptionsError); 1 otherwise.
 */
function exitCodeOf(state: Extract<SocketState, { status: 'closed' }>): ExitCode {
  if (!state.gaveUp) return EXIT.ok;
  const { error } = state;
  if (error instanceof InvalidOptionsError) return EXIT.usage;
  return error instanceof ConnectionClosedError && error.closeCode === 1000 ? EXIT.ok : EXIT.failed;
}
