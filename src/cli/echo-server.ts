/**
 * `rxnova --echo-server [port]`: a local `ws` echo server on 127.0.0.1, to
 * try the command line against. It prints its URL on stdout, echoes every
 * message as it came (text as text, binary as binary), accepts the first
 * subprotocol a client offers, and stops on SIGINT or SIGTERM.
 * @packageDocumentation
 */
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { EXIT, ExitCode } from './args';
import type { CliIO } from './run';

/** Runs the echo server until interrupted (exit 0), or until it fails to listen (exit 1). */
export function runEchoServer(port: number, io: CliIO): Promise<ExitCode> {
  return new Promise<ExitCode>((resolve) => {
    const server = new WebSocketServer({
      host: '127.0.0.1',
      port,
      handleProtocols: (offered) => offered.values().next().value ?? false,
    });
    let connections = 0;
    server.on('listening', () => {
      io.stdout.write(`ws://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
      io.stderr.write('[rxnova] echo server listening; Ctrl-C stops it\n');
    });
    server.on('connection', (socket) => {
      const id = (connections += 1);
      io.stderr.write(`[rxnova] client ${id} connected${socket.protocol ? ` (protocol ${socket.protocol})` : ''}\n`);
      socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary }));
      socket.on('close', (code) => io.stderr.write(`[rxnova] client ${id} left with ${code}\n`));
    });
    server.on('error', (error) => {
      io.stderr.write(`rxnova: the echo server cannot listen on 127.0.0.1:${port}: ${error.message}\n`);
      server.close();
      resolve(EXIT.failed);
    });
    io.onInterrupt(() => {
      // Going away (1001) tells clients to reconnect elsewhere or later.
      for (const client of server.clients) client.close(1001, 'echo server stopping');
      server.close(() => resolve(EXIT.ok));
    });
  });
}
