/**
 * Runs webSocketTransport() on Node's own WHATWG WebSocket (undici), in a
 * child process started with `node --experimental-websocket` by
 * spec/transport/node-web-socket.spec.ts, and prints one JSON line with what
 * happened in each scenario. Argument: a JSON object of URLs.
 */
import { errorCodeOf } from '../../src/errors';
import { binaryFrame, closeFrame, pingFrame, textFrame } from '../../src/frame';
import { webSocketTransport } from '../../src/transport/web-socket';
import type { TransportEvent } from '../../src/transport/transport';
import { record } from './record';

export interface ProbeUrls {
  readonly echo: string;
  readonly serverClose: string;
  readonly complete: string;
  readonly framesError: string;
  readonly refused: string;
  readonly unauthorized: string;
}

export interface ProbeError {
  readonly name: string;
  readonly message: string;
  readonly causeCode?: string;
  readonly closeCode?: number;
  readonly reason?: string;
  readonly wasClean?: boolean;
  readonly same?: boolean;
}

function describeError(error: unknown, expected?: unknown): ProbeError {
  const e = error as Error & { closeCode?: number; reason?: string; wasClean?: boolean; causeCode?: string };
  return {
    name: e.name,
    message: e.message,
    causeCode: e.causeCode ?? errorCodeOf(e),
    closeCode: e.closeCode,
    reason: e.reason,
    wasClean: e.wasClean,
    same: expected === undefined ? undefined : error === expected,
  };
}

function caught(run: () => void): ProbeError | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    return describeError(error);
  }
}

function plain(event: TransportEvent): unknown {
  if (event.type !== 'frame') return event;
  const frame = event.frame;
  return frame.type === 'binary' ? { type: 'frame', frame: { binary: Array.from(frame.data), constructor: frame.data.constructor.name } } : event;
}

async function main(urls: ProbeUrls): Promise<void> {
  const transport = webSocketTransport(); // the global WebSocket: the point of the probe
  const result: Record<string, unknown> = { capabilities: transport.capabilities };

  {
    const connection = transport.open({ url: urls.echo });
    const recording = record(connection.events);
    await recording.opened();
    result.ping = caught(() => connection.frames.next(pingFrame()));
    result.close1001 = caught(() => connection.frames.next(closeFrame(1001)));
    connection.frames.next([textFrame('héllo'), binaryFrame(new Uint8Array([1, 2, 3]))]);
    await recording.frame(2);
    result.echo = { log: recording.log.map(plain), state: connection.state() };
    recording.subscription.unsubscribe();
  }
  {
    const connection = transport.open({ url: urls.serverClose });
    const recording = record(connection.events);
    await recording.opened();
    connection.frames.next(textFrame('close:4000:bye'));
    result.serverClose = { error: describeError(await recording.error()), last: recording.log[recording.log.length - 1] };
  }
  {
    const connection = transport.open({ url: urls.complete });
    const recording = record(connection.events);
    await recording.opened();
    connection.frames.complete();
    result.complete = { end: (await recording.ended).kind, last: recording.log[recording.log.length - 1] };
  }
  {
    const connection = transport.open({ url: urls.framesError });
    const recording = record(connection.events);
    await recording.opened();
    const failure = new Error('upstream failed');
    connection.frames.error(failure);
    result.framesError = describeError(await recording.error(), failure);
  }
  result.refused = describeError(await record(transport.open({ url: urls.refused }).events).error());
  result.unauthorized = describeError(await record(transport.open({ url: urls.unauthorized }).events).error());
  process.stdout.write(JSON.stringify(result) + '\n');
}

main(JSON.parse(process.argv[2]) as ProbeUrls).then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`probe failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
