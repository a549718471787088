import { marbles } from 'rxjs-marbles/mocha';
import { constantBackoff } from '../../src/backoff/constant-backoff';
import { ClosePolicyConfig } from '../../src/close-codes';
import { ConnectError, ConnectionClosedError, HandshakeError } from '../../src/errors';
import { reconnect } from '../../src/operators/reconnect';

const selfSigned = Object.assign(new Error('self signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });

// Each override turns the default decision around: [what, policy, error, default decision].
const overrides: [string, ClosePolicyConfig, unknown, 'retry' | 'stop'][] = [
  ['retry the application code 4429', { codes: { 4429: 'retry' } }, new ConnectionClosedError(4429, 'slow down', true), 'stop'],
  ['stop on 1001 Going Away', { codes: { 1001: 'stop' } }, new ConnectionClosedError(1001, '', true), 'retry'],
  ['stop on a handshake 503', { statuses: { 503: 'stop' } }, new HandshakeError(503), 'retry'],
  ['retry a handshake 401', { statuses: { 401: 'retry' } }, new HandshakeError(401), 'stop'],
  ['stop on every connect error', { errors: { RXNOVA_ERR_CONNECT: 'stop' } }, new ConnectError('ws://x', new Error('refused')), 'retry'],
  ['retry a self-signed certificate (by runtime code)', { errors: { DEPTH_ZERO_SELF_SIGNED_CERT: 'retry' } }, new ConnectError('wss://x', selfSigned), 'stop'],
];

describe('close policy: overrides (marbles)', () => {
  for (const [what, policy, error, byDefault] of overrides) {
    it(`should ${what}, where the default policy would ${byDefault}`, marbles((m) => {
      const overridden = m.cold('-#', undefined, error);
      const standard = m.cold('-#', undefined, error);
      const config = { backoff: constantBackoff(2), maxAttempts: 1, scheduler: m.scheduler };
      const retried = { expected: '----#', subs: ['^!   ', '---^!'] };
      const stopped = { expected: '-#   ', subs: ['^!   '] };
      const [withOverride, withDefault] = byDefault === 'stop' ? [retried, stopped] : [stopped, retried];
      m.expect(overridden.pipe(reconnect({ ...config, policy }))).toBeObservable(withOverride.expected, undefined, error);
      m.expect(standard.pipe(reconnect(config))).toBeObservable(withDefault.expected, undefined, error);
      m.expect(overridden).toHaveSubscriptions(withOverride.subs);
      m.expect(standard).toHaveSubscriptions(withDefault.subs);
    }));
  }
});
