/** Shared by the protocol marble specs: a jsonTopics() socket on a TestTransport, and a server that answers. */
import type { SchedulerLike } from 'rxjs';
import { constantBackoff } from '../../src/backoff/constant-backoff';
import { connect } from '../../src/client/connect';
import type { ConnectOptions } from '../../src/client/connect-options';
import type { Socket } from '../../src/client/socket';
import type { Frame } from '../../src/frame';
import { JsonTopicsMessage, jsonTopics } from '../../src/protocols/json-topics';
import type { TestSocket } from '../../src/testing/test-socket';
import { TestScript, TestTransport } from '../../src/testing/test-transport';

export type Msg = JsonTopicsMessage;

/** The JSON of every text frame a socket wrote. */
export function sent(socket: TestSocket): Msg[] {
  return socket.writtenTexts.map((text) => JSON.parse(text) as Msg);
}

/** A server that answers auth and subscribe requests 1 ms later. */
export function answering(socket: TestSocket, answer: (message: Msg) => Msg | undefined = (m) => ({ id: m.id, data: {} })): void {
  socket.onWrite((frame: Frame, s) => {
    if (frame.type !== 'text') return;
    const message = JSON.parse(frame.data) as Msg;
    if (message.id === undefined) return;
    const reply = answer(message);
    if (reply !== undefined) s.receive(JSON.stringify(reply), { after: 1 });
  });
}

/** A socket with jsonTopics(), no heartbeat and a 20 ms constant backoff, on `m.scheduler`. */
export function setup(m: { scheduler: SchedulerLike }, script: TestScript, options: ConnectOptions<Msg, Msg> = {}) {
  const transport = new TestTransport({ scheduler: m.scheduler, script });
  const socket: Socket<Msg, Msg> = connect<Msg, Msg>('ws://example.test/feed', {
    transport,
    scheduler: m.scheduler,
    heartbeat: false,
    protocol: jsonTopics(),
    reconnect: { backoff: constantBackoff(20) },
    ...options,
  });
  return { transport, socket };
}
