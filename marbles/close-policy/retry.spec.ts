import { marbles } from 'rxjs-marbles/mocha';
import { constantBackoff } from '../../src/backoff/constant-backoff';
import { describeCloseCode } from '../../src/close-codes';
import {
  ConnectError,
  ConnectionClosedError,
  ConnectTimeoutError,
  HandshakeError,
  HeartbeatTimeoutError,
} from '../../src/errors';
import { reconnect } from '../../src/operators/reconnect';

function networkError(code: string): Error {
  return Object.assign(new Error(`connect ${code}`), { code });
}

// Errors worth a reconnect: the source is subscribed again after the backoff.
const retries: [string, unknown][] = [
  ...[1000, 1001, 1005, 1006, 1011, 1012, 1013, 1014].map(
    (code): [string, unknown] => [`close code ${code} (${describeCloseCode(code)})`, new ConnectionClosedError(code, '', code !== 1006)],
  ),
  ...[0, 408, 429, 500, 502, 503, 504, 599].map(
    (status): [string, unknown] => [`handshake status ${status}`, new HandshakeError(status)],
  ),
  ...['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'ETIMEDOUT'].map(
    (code): [string, unknown] => [`a network error (${code})`, new ConnectError('ws://example.test', networkError(code))],
  ),
  ['a connect error with no cause', new ConnectError('ws://example.test')],
  ['a connect timeout', new ConnectTimeoutError(10_000)],
  ['a heartbeat timeout', new HeartbeatTimeoutError(5_000)],
];

describe('close policy: retry (marbles)', () => {
  for (const [what, error] of retries) {
    it(`should reconnect after ${what}`, marbles((m) => {
      const source = m.cold('--a--#', { a: 'open' }, error);
      const subs = [
        '^----!        ',
        '--------^----!',
      ];
      const expected =
        '--a-------a--#';
      // The floors of 1012 and 1013 are removed here: their waits are tested in floors.spec.ts.
      const policy = { floors: { 1012: false, 1013: false } } as const;
      const result = source.pipe(reconnect({ backoff: constantBackoff(3), maxAttempts: 1, scheduler: m.scheduler, policy }));
      m.expect(result).toBeObservable(expected, { a: 'open' }, error);
      m.expect(source).toHaveSubscriptions(subs);
    }));
  }
});
