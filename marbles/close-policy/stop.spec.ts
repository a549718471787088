import { marbles } from 'rxjs-marbles/mocha';
import { constantBackoff } from '../../src/backoff/constant-backoff';
import { describeCloseCode } from '../../src/close-codes';
import {
  AuthError,
  ConnectError,
  ConnectionClosedError,
  HandshakeError,
  InvalidOptionsError,
  InvalidUrlError,
} from '../../src/errors';
import { reconnect } from '../../src/operators/reconnect';

function tlsError(code: string): Error {
  return Object.assign(new Error(`TLS failure ${code}`), { code });
}

// Errors no reconnect can cure end the result at once: the error is passed on
// unchanged in the frame it happened, and the source is not subscribed again.
const stops: [string, unknown][] = [
  ...[1002, 1003, 1007, 1008, 1009, 1010, 1015, 1004, 1016, 2999, 3000, 3003, 3008, 4000, 4429, 4999].map(
    (code): [string, unknown] => [`close code ${code} (${describeCloseCode(code)})`, new ConnectionClosedError(code, 'x', true)],
  ),
  ...[301, 400, 401, 403, 404, 426].map(
    (status): [string, unknown] => [`handshake status ${status}`, new HandshakeError(status)],
  ),
  ['a TLS certificate error (CERT_HAS_EXPIRED)', new ConnectError('wss://example.test', tlsError('CERT_HAS_EXPIRED'))],
  ['a TLS certificate error (DEPTH_ZERO_SELF_SIGNED_CERT)', new ConnectError('wss://example.test', tlsError('DEPTH_ZERO_SELF_SIGNED_CERT'))],
  ['an invalid URL', new InvalidUrlError('http//x', 'no scheme')],
  ['invalid options', new InvalidOptionsError('bad')],
  ['an authentication failure', new AuthError('token expired')],
  ['an error that is not an rxnova error', new TypeError('a bug')],
];

describe('close policy: stop (marbles)', () => {
  for (const [what, error] of stops) {
    it(`should end at once, without resubscribing, on ${what}`, marbles((m) => {
      const source = m.cold('--a--#', { a: 'open' }, error);
      const subs = '^----!';
      const expected = '--a--#';
      const result = source.pipe(reconnect({ backoff: constantBackoff(1), scheduler: m.scheduler }));
      m.expect(result).toBeObservable(expected, { a: 'open' }, error);
      m.expect(source).toHaveSubscriptions(subs);
    }));
  }
});
