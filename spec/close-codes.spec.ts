import { expect } from 'chai';
import {
  CloseCode,
  closePolicy,
  defaultCloseAction,
  defaultClosePolicy,
  defaultStatusAction,
  describeCloseCode,
  isRetryable,
  retryAfterOf,
} from '../src/close-codes';
import {
  AuthError,
  CodecError,
  ConnectError,
  ConnectionClosedError,
  ConnectTimeoutError,
  HandshakeError,
  HeartbeatTimeoutError,
  InvalidOptionsError,
  InvalidUrlError,
  RequestTimeoutError,
} from '../src/errors';
import { MAX_DELAY } from '../src/time';

const closed = (code: number): ConnectionClosedError => new ConnectionClosedError(code, '', code !== 1006);
const runtimeError = (code: string): Error => Object.assign(new Error(`runtime ${code}`), { code });
const connectError = (code?: string): ConnectError =>
  new ConnectError('wss://example.test', code === undefined ? undefined : runtimeError(code));

describe('close policy', () => {
  describe('the default table', () => {
    for (const code of [1000, 1001, 1005, 1006, 1011, 1012, 1013, 1014]) {
      it(`should retry close code ${code}`, () => {
        expect(defaultCloseAction(code)).to.equal('retry');
        expect(defaultClosePolicy(closed(code))).to.equal('retry');
        expect(isRetryable(closed(code))).to.equal(true);
      });
    }

    for (const code of [1002, 1003, 1007, 1008, 1009, 1010, 1015]) {
      it(`should stop on close code ${code}`, () => {
        expect(defaultCloseAction(code)).to.equal('stop');
        expect(defaultClosePolicy(closed(code))).to.equal('stop');
        expect(isRetryable(closed(code))).to.equal(false);
      });
    }

    it('should stop on reserved and unassigned codes (1004, 1016, 2999)', () => {
      for (const code of [1004, 1016, 2999]) expect(defaultClosePolicy(closed(code)), String(code)).to.equal('stop');
    });

    it('should stop on every application code 3000-4999 unless listed', () => {
      for (let code = 3000; code <= 4999; code++) {
        if (defaultClosePolicy(closed(code)) !== 'stop') expect.fail(`close code ${code} is retried`);
      }
    });

    for (const code of ['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'ETIMEDOUT', 'EHOSTUNREACH', 'EAI_AGAIN']) {
      it(`should retry a ConnectError caused by ${code}`, () => {
        expect(defaultClosePolicy(connectError(code))).to.equal('retry');
      });
    }

    it('should retry a ConnectError with no runtime code', () => {
      expect(defaultClosePolicy(connectError())).to.equal('retry');
      expect(defaultClosePolicy(new ConnectError('ws://x', 'a string cause'))).to.equal('retry');
    });

    for (const code of [
      'CERT_HAS_EXPIRED',
      'DEPTH_ZERO_SELF_SIGNED_CERT',
      'SELF_SIGNED_CERT_IN_CHAIN',
      'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
      'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
      'ERR_TLS_CERT_ALTNAME_INVALID',
      'CERT_NOT_YET_VALID',
    ]) {
      it(`should stop on a ConnectError caused by the TLS certificate error ${code}`, () => {
        expect(defaultClosePolicy(connectError(code))).to.equal('stop');
      });
    }

    it('should retry a ConnectTimeoutError and a HeartbeatTimeoutError', () => {
      expect(defaultClosePolicy(new ConnectTimeoutError(10_000))).to.equal('retry');
      expect(defaultClosePolicy(new HeartbeatTimeoutError(5_000))).to.equal('retry');
    });

    it('should retry handshake statuses 408, 429, every 5xx, and 0 (hidden by a browser)', () => {
      expect(defaultStatusAction(0)).to.equal('retry');
      expect(defaultClosePolicy(new HandshakeError(408))).to.equal('retry');
      expect(defaultClosePolicy(new HandshakeError(429))).to.equal('retry');
      for (let status = 500; status <= 599; status++) {
        if (defaultClosePolicy(new HandshakeError(status)) !== 'retry') expect.fail(`status ${status} is not retried`);
      }
    });

    it('should stop on every other handshake 4xx, and on 1xx, 2xx, 3xx and 600', () => {
      for (let status = 400; status <= 499; status++) {
        if (status === 408 || status === 429) continue;
        if (defaultClosePolicy(new HandshakeError(status)) !== 'stop') expect.fail(`status ${status} is retried`);
      }
      for (const status of [100, 200, 301, 302, 600]) {
        expect(defaultStatusAction(status), String(status)).to.equal('stop');
      }
    });

    it('should stop on errors no reconnect can cure, and on anything that is not an rxnova connection error', () => {
      for (const error of [
        new InvalidUrlError('ftp://x', 'bad scheme'),
        new InvalidOptionsError('bad'),
        new AuthError('expired'),
        new CodecError('decode', new SyntaxError('json')),
        new RequestTimeoutError(1000, 7),
        new TypeError('a bug'),
        runtimeError('ECONNREFUSED'), // a raw runtime error that was not wrapped in ConnectError
        'a string',
        undefined,
        null,
      ]) {
        expect(defaultClosePolicy(error), String(error)).to.equal('stop');
        expect(isRetryable(error), String(error)).to.equal(false);
      }
    });
  });

  describe('overrides', () => {
    it('should override the action of a close code, both ways', () => {
      const policy = closePolicy({ codes: { 4429: 'retry', 1001: 'stop' } });
      expect(policy(closed(4429))).to.equal('retry');
      expect(policy(closed(1001))).to.equal('stop');
      expect(policy(closed(1006))).to.equal('retry');
      expect(policy(closed(4000))).to.equal('stop');
    });

    it('should override the action of a handshake status, both ways', () => {
      const policy = closePolicy({ statuses: { 401: 'retry', 503: 'stop' } });
      expect(policy(new HandshakeError(401))).to.equal('retry');
      expect(policy(new HandshakeError(503))).to.equal('stop');
      expect(policy(new HandshakeError(502))).to.equal('retry');
      expect(policy(new HandshakeError(403))).to.equal('stop');
    });

    it('should override by rxnova error code, before the code and status tables', () => {
      const policy = closePolicy({
        errors: { RXNOVA_ERR_CONNECTION_CLOSED: 'stop', RXNOVA_ERR_AUTH: 'retry' },
        codes: { 1006: 'retry' },
      });
      expect(policy(closed(1006))).to.equal('stop');
      expect(policy(new AuthError('expired'))).to.equal('retry');
      expect(policy(new ConnectTimeoutError(1))).to.equal('retry');
    });

    it('should override by the runtime code of a ConnectError\'s cause', () => {
      const policy = closePolicy({ errors: { DEPTH_ZERO_SELF_SIGNED_CERT: 'retry', ENOTFOUND: 'stop' } });
      expect(policy(connectError('DEPTH_ZERO_SELF_SIGNED_CERT'))).to.equal('retry');
      expect(policy(connectError('ENOTFOUND'))).to.equal('stop');
      expect(policy(connectError('ECONNREFUSED'))).to.equal('retry');
      expect(policy(connectError('CERT_HAS_EXPIRED'))).to.equal('stop');
    });

    it('should let an override of RXNOVA_ERR_CONNECT win over the runtime code', () => {
      const policy = closePolicy({ errors: { RXNOVA_ERR_CONNECT: 'stop', ECONNREFUSED: 'retry' } });
      expect(policy(connectError('ECONNREFUSED'))).to.equal('stop');
    });

    it('should leave the default policy unchanged', () => {
      closePolicy({ codes: { 1006: 'stop' } });
      expect(defaultClosePolicy(closed(1006))).to.equal('retry');
    });

    it('should reject an action other than retry or stop with an InvalidOptionsError naming the entry', () => {
      const bad = [
        { codes: { 4000: 'maybe' } },
        { statuses: { 503: 'later' } },
        { errors: { ECONNREFUSED: 'RETRY' } },
      ] as unknown as Parameters<typeof closePolicy>[0][];
      const names = ['4000', '503', 'ECONNREFUSED'];
      bad.forEach((config, i) => {
        expect(() => closePolicy(config)).to.throw(InvalidOptionsError, names[i]!);
      });
    });
  });

  describe('describeCloseCode', () => {
    it('should describe every code of the CloseCode enum by its name', () => {
      const names: [number, string][] = [
        [CloseCode.NormalClosure, 'Normal Closure'],
        [CloseCode.GoingAway, 'Going Away'],
        [CloseCode.ProtocolError, 'Protocol Error'],
        [CloseCode.UnsupportedData, 'Unsupported Data'],
        [CloseCode.Reserved, 'Reserved'],
        [CloseCode.NoStatusReceived, 'No Status Received'],
        [CloseCode.AbnormalClosure, 'Abnormal Closure'],
        [CloseCode.InvalidFramePayloadData, 'Invalid Frame Payload Data'],
        [CloseCode.PolicyViolation, 'Policy Violation'],
        [CloseCode.MessageTooBig, 'Message Too Big'],
        [CloseCode.MandatoryExtension, 'Mandatory Extension'],
        [CloseCode.InternalError, 'Internal Error'],
        [CloseCode.ServiceRestart, 'Service Restart'],
        [CloseCode.TryAgainLater, 'Try Again Later'],
        [CloseCode.BadGateway, 'Bad Gateway'],
        [CloseCode.TLSHandshake, 'TLS Handshake'],
        [CloseCode.Unauthorized, 'Unauthorized'],
        [CloseCode.Forbidden, 'Forbidden'],
        [CloseCode.Timeout, 'Timeout'],
      ];
      for (const [code, name] of names) expect(describeCloseCode(code).startsWith(name), String(code)).to.equal(true);
      expect(describeCloseCode(1012)).to.equal('Service Restart: the service is restarting');
    });

    it('should describe the ranges of codes it does not name', () => {
      expect(describeCloseCode(999)).to.match(/^Unused/);
      expect(describeCloseCode(1016)).to.match(/^Reserved/);
      expect(describeCloseCode(2999)).to.match(/^Reserved/);
      expect(describeCloseCode(3001)).to.match(/^Registered/);
      expect(describeCloseCode(3999)).to.match(/^Registered/);
      expect(describeCloseCode(4000)).to.match(/^Private Use/);
      expect(describeCloseCode(4999)).to.match(/^Private Use/);
    });

    it('should call numbers that cannot be close codes invalid', () => {
      for (const code of [-1, 5000, 1000.5, NaN, Infinity]) {
        expect(describeCloseCode(code), String(code)).to.equal(`Invalid: ${code} is not a close code`);
      }
    });
  });

  describe('retryAfterOf', () => {
    const now = Date.parse('2024-05-01T12:00:00Z');

    it('should read delta-seconds from a 503 or a 429, in milliseconds', () => {
      expect(retryAfterOf(new HandshakeError(503, { 'retry-after': '120' }), now)).to.equal(120_000);
      expect(retryAfterOf(new HandshakeError(429, { 'retry-after': '0' }), now)).to.equal(0);
      expect(retryAfterOf(new HandshakeError(429, { 'retry-after': ' 7 ' }), now)).to.equal(7_000);
    });

    it('should measure an HTTP date against the given now', () => {
      const header = { 'retry-after': 'Wed, 01 May 2024 12:00:30 GMT' };
      expect(retryAfterOf(new HandshakeError(503, header), now)).to.equal(30_000);
      expect(retryAfterOf(new HandshakeError(503, header), now + 10_000)).to.equal(20_000);
      const rfc850 = { 'retry-after': 'Wednesday, 01-May-24 12:00:30 GMT' };
      expect(retryAfterOf(new HandshakeError(429, rfc850), now)).to.equal(30_000);
    });

    it('should cap a hint longer than a timer can wait at MAX_DELAY (2^31 - 1 ms)', () => {
      expect(retryAfterOf(new HandshakeError(503, { 'retry-after': '3000000' }), now)).to.equal(MAX_DELAY);
      expect(retryAfterOf(new HandshakeError(503, { 'retry-after': '2147483' }), now)).to.equal(2_147_483_000);
      expect(retryAfterOf(new HandshakeError(503, { 'retry-after': '2147484' }), now)).to.equal(MAX_DELAY);
      expect(retryAfterOf(new HandshakeError(429, { 'retry-after': '9'.repeat(400) }), now)).to.equal(MAX_DELAY);
      expect(retryAfterOf(new HandshakeError(429, { 'retry-after': 'Fri, 01 Jan 2100 00:00:00 GMT' }), now)).to.equal(MAX_DELAY);
    });

    it('should give 0 for an HTTP date in the past', () => {
      const header = { 'retry-after': 'Wed, 01 May 2024 11:59:00 GMT' };
      expect(retryAfterOf(new HandshakeError(503, header), now)).to.equal(0);
    });

    it('should give undefined without the header, for other statuses, for other errors, and for garbage', () => {
      expect(retryAfterOf(new HandshakeError(503), now)).to.equal(undefined);
      expect(retryAfterOf(new HandshakeError(500, { 'retry-after': '5' }), now)).to.equal(undefined);
      expect(retryAfterOf(new HandshakeError(301, { 'retry-after': '5' }), now)).to.equal(undefined);
      expect(retryAfterOf(closed(1013), now)).to.equal(undefined);
      expect(retryAfterOf(new Error('x'), now)).to.equal(undefined);
      expect(retryAfterOf(new HandshakeError(503, { 'retry-after': 'soon' }), now)).to.equal(undefined);
      expect(retryAfterOf(new HandshakeError(503, { 'retry-after': '-5' }), now)).to.equal(undefined);
      expect(retryAfterOf(new HandshakeError(503, { 'retry-after': '1.5' }), now)).to.equal(undefined);
    });
  });
});
