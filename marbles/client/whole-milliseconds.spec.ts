import { expect } from 'chai';
import { SchedulerLike } from 'rxjs';
import { marbles } from 'rxjs-marbles/mocha';
import { BackoffStrategy } from '../../src/backoff/backoff';
import { seededRandom } from '../../src/backoff/seeded-random';
import { connect } from '../../src/client/connect';
import { logTo } from '../../src/client/log-to';
import type { SocketState } from '../../src/client/state';
import { TestScript, TestTransport } from '../../src/testing/test-transport';

type Reconnecting = Extract<SocketState, { status: 'reconnecting' }>;

/**
 * A socket whose first `drops` connections open after 5 ms and drop at 10 ms
 * (after their start); records the reconnecting states, the scheduled delays and the log
 * lines of `logTo`.
 */
function run(m: { scheduler: SchedulerLike; flush(): void }, drops: number, options: Parameters<typeof connect>[1]) {
  const script: TestScript = (s, i) => {
    s.open({ after: 5 });
    if (i < drops) s.drop({ after: 10 });
  };
  const transport = new TestTransport({ scheduler: m.scheduler, script });
  const socket = connect<unknown, unknown>('ws://example.test/feed', { transport, scheduler: m.scheduler, heartbeat: false, ...options });
  const states: Reconnecting[] = [];
  socket.state$.subscribe((state) => {
    if (state.status === 'reconnecting') states.push(state);
  });
  const scheduled: number[] = [];
  socket.events$.subscribe((event) => {
    if (event.type === 'reconnect-scheduled') scheduled.push(event.delay);
  });
  const lines: string[] = [];
  socket.events$.subscribe(logTo({ warn: (message: string) => lines.push(message) }, { level: 'warn' }));
  m.scheduler.schedule(() => socket.close(), 100_000);
  m.flush();
  return { states, scheduled, lines, startedAt: transport.sockets.map((s) => s.startedAt) };
}

describe('whole milliseconds in reconnect delays, state$ and logs (marbles)', () => {
  it(
    'should wait whole milliseconds drawn from a seeded random source with the default backoff',
    marbles((m) => {
      const { states, scheduled, lines, startedAt } = run(m, 2, { random: seededRandom(42) });
      // exponentialBackoff() (full jitter, 1 s doubling) with seededRandom(42): 602, then 897 (see spec/backoff).
      expect(states.map((s) => s.delay)).to.deep.equal([602, 897]);
      expect(scheduled).to.deep.equal([602, 897]);
      expect(startedAt).to.deep.equal([0, 10 + 602, 10 + 602 + 10 + 897]);
      expect(lines.map((l) => l.replace(/\):.*/, ')'))).to.deep.equal([
        '[rxnova] reconnecting in 602 ms (attempt 1)',
        '[rxnova] reconnecting in 897 ms (attempt 2)',
      ]);
    }),
  );

  it(
    "should round a user's fractional backoff up to whole milliseconds in state$, events$ and the log line",
    marbles((m) => {
      const backoff: BackoffStrategy = () => 685.6241799682424;
      const { states, scheduled, lines, startedAt } = run(m, 1, { reconnect: { backoff } });
      expect(states.map((s) => s.delay)).to.deep.equal([686]);
      expect(scheduled).to.deep.equal([686]);
      expect(startedAt).to.deep.equal([0, 10 + 686]);
      expect(lines).to.have.length(1);
      expect(lines[0]).to.match(/^\[rxnova\] reconnecting in 686 ms \(attempt 1\): /);
    }),
  );
});
