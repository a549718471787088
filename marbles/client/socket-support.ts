/** Shared by the client marble specs: a socket with no protocol and no heartbeat on a TestTransport. */
import type { SchedulerLike } from 'rxjs';
import { constantBackoff } from '../../src/backoff/constant-backoff';
import { connect } from '../../src/client/connect';
import type { ConnectOptions } from '../../src/client/connect-options';
import type { Socket } from '../../src/client/socket';
import { TestScript, TestTransport } from '../../src/testing/test-transport';

/** A socket on `scheduler` with no heartbeat and a 20 ms constant backoff (both overridable in `options`). */
export function plainSocket<Msg>(scheduler: SchedulerLike, script: TestScript, options: ConnectOptions<Msg, Msg> = {}) {
  const transport = new TestTransport({ scheduler, script });
  const socket: Socket<Msg, Msg> = connect<Msg, Msg>('ws://example.test/feed', {
    transport,
    scheduler,
    heartbeat: false,
    reconnect: { backoff: constantBackoff(20) },
    ...options,
  });
  return { transport, socket };
}
