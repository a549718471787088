/**
 * Secrets never reach a log line or an error message: every secret-looking
 * query parameter and field name, userinfo in URLs, and values nested deeper
 * than the depth cap, fed through logTo() and through InvalidUrlError.
 */
import { expect } from 'chai';
import type { SocketEvent } from '../src/client/events';
import { LogLevel, logTo } from '../src/client/log-to';
import { ConnectError, ConnectTimeoutError, InvalidUrlError } from '../src/errors';
import { isSecretName, REDACT_MAX_DEPTH, REDACTED, REDACTED_TOO_DEEP, redactUrl, redactValue } from '../src/redact';
import { normalizeUrl } from '../src/transport/url';

/** Every name the rule must catch, as they appear in the wild. */
const SECRET_NAMES = [
  'token', 'access_token', 'refresh_token', 'id_token', 'X-Auth-Token',
  'secret', 'client_secret', 'SECRET',
  'password', 'Password', 'new_password', 'passwd',
  'signature', 'X-Amz-Signature', 'sig',
  'credential', 'X-Amz-Credential', 'credentials',
  'session', 'sessionid', 'PHPSESSID', 'session_key',
  'auth', 'Authorization', 'proxy-authorization', 'oauth_verifier',
  'apikey', 'api-key', 'api_key', 'apiKey', 'X-API-KEY',
  'code', 'CODE',
  'cookie', 'Set-Cookie', 'jwt', 'key', 'private_key', 'AWSAccessKeyId',
  'privatekey', 'private-key', 'access_key', 'access-key',
];

/** Names the rule must leave alone, so logs stay useful. */
const PUBLIC_NAMES = ['room', 'user', 'id', 'lang', 'page', 'channel', 'timeout', 'reason', 'url'];

/** A distinct secret value per name, so a leak names its parameter. */
const secretOf = (name: string): string => `S3CR3T-${name.replace(/[^A-Za-z0-9]/g, '')}-${name.length}`;

function fakeLogger() {
  const lines: string[] = [];
  const logger: { [L in LogLevel]?: (message: string, details?: Record<string, unknown>) => void } = {};
  for (const level of ['debug', 'info', 'warn', 'error'] as const) {
    logger[level] = (message, details) => lines.push(message + ' ' + JSON.stringify(details));
  }
  return { logger, lines };
}

function urlWithEverySecret(): string {
  const query = [...SECRET_NAMES, ...PUBLIC_NAMES].map((name) => `${encodeURIComponent(name)}=${secretOf(name)}`).join('&');
  return `wss://ann:${secretOf('userinfo')}@example.test/feed?${query}`;
}

/** An object nested `levels` deep with a secret in a public-named field at the bottom. */
function nested(levels: number, leaf: unknown): unknown {
  let value = leaf;
  for (let i = 0; i < levels; i++) value = { level: value };
  return value;
}

function expectNoSecret(text: string): void {
  for (const name of SECRET_NAMES) expect(text, `the value of ${name}`).not.to.include(secretOf(name));
  expect(text, 'the userinfo password').not.to.include(secretOf('userinfo'));
  expect(text).not.to.include('ann:');
}

describe('redaction', () => {
  describe('the name rule', () => {
    for (const name of SECRET_NAMES) {
      it(`should treat ${JSON.stringify(name)} as secret`, () => expect(isSecretName(name)).to.equal(true));
    }
    it('should leave ordinary names alone', () => {
      for (const name of PUBLIC_NAMES) expect(isSecretName(name), name).to.equal(false);
    });
    it('should treat code as secret only as the exact name', () => {
      for (const name of ['country_code', 'error_code', 'codec', 'zipcode', 'closeCode']) expect(isSecretName(name), name).to.equal(false);
    });
    it("should add the user's own names, case-insensitive and exact", () => {
      expect(isSecretName('PIN', new Set(['pin']))).to.equal(true);
      expect(isSecretName('pinned', new Set(['pin']))).to.equal(false);
    });
  });

  describe('redactUrl', () => {
    it('should remove userinfo and redact every secret query parameter, keeping the public ones', () => {
      const redacted = redactUrl(urlWithEverySecret());
      expectNoSecret(redacted);
      expect(redacted.startsWith('wss://example.test/feed?')).to.equal(true);
      for (const name of PUBLIC_NAMES) expect(redacted).to.include(`${name}=${secretOf(name)}`);
      expect(redacted).to.include(`X-Amz-Signature=${REDACTED}`);
    });

    it('should redact a token in the fragment and the user-named parameters', () => {
      expect(redactUrl('https://app.test/cb#access_token=abc&state=1')).to.equal(`https://app.test/cb#access_token=${REDACTED}&state=1`);
      expect(redactUrl('ws://h/?pin=1234&room=2', ['PIN'])).to.equal(`ws://h/?pin=${REDACTED}&room=2`);
    });

    it('should remove userinfo from a URL inside a sentence, and from a malformed one', () => {
      expect(redactUrl('could not connect to wss://u:pw@h:8443/x: ECONNREFUSED')).to.equal('could not connect to wss://h:8443/x: ECONNREFUSED');
      expect(redactUrl('ws//u:pw@h/x')).to.equal('ws//h/x');
      expect(redactUrl('u:pw@h/x')).to.equal('h/x');
      expect(redactUrl('wss://u:p@ss@h/')).to.equal('wss://h/');
    });

    it('should remove userinfo written without a scheme after a space, a quote or a bracket, whatever the name length', () => {
      expect(redactUrl('login ann:pw@h failed')).to.equal('login h failed');
      expect(redactUrl('ann:pw@h/x')).to.equal('h/x');
      expect(redactUrl('url="ann:pw@h/x"')).to.equal('url="h/x"');
    });

    it('should decode a parameter name before judging it: %XX escapes, and + as a space', () => {
      expect(redactUrl('ws://h/?%74oken=abc')).to.equal(`ws://h/?%74oken=${REDACTED}`);
      expect(redactUrl('ws://h/?co+de=abc')).to.equal('ws://h/?co+de=abc');
    });

    it('should judge a parameter name that is not valid percent-encoding as it is written', () => {
      expect(redactUrl('ws://h/?token%zz=abc')).to.equal(`ws://h/?token%zz=${REDACTED}`);
    });

    it('should give back a value that is not a string, and skip extra names that are not strings', () => {
      expect(redactUrl(42 as unknown as string)).to.equal(42);
      expect(redactUrl('ws://h/?pin=1', ['PIN', 7 as unknown as string])).to.equal(`ws://h/?pin=${REDACTED}`);
    });

    it("should redact text whose first '=' or '@' is its second character", () => {
      expect(redactUrl('a=1&token=abc')).to.equal(`a=1&token=${REDACTED}`);
      expect(redactUrl('a@ws://u:pw@h/')).to.equal('a@ws://h/');
    });

    it("should keep the ': ' that follows a secret value in a message", () => {
      expect(redactUrl('could not connect to wss://h/?token=abc: connection refused')).to.equal('could not connect to wss://h/?token=[redacted]: connection refused');
      expect(redactUrl('wss://h/?token=abc:')).to.equal('wss://h/?token=[redacted]:');
      expect(redactUrl('wss://h/?token=a:b')).to.equal('wss://h/?token=[redacted]');
    });

    it('should leave text without URLs alone', () => {
      expect(redactUrl('connect ECONNREFUSED 127.0.0.1:80')).to.equal('connect ECONNREFUSED 127.0.0.1:80');
      expect(redactUrl('mail ann@example.test')).to.equal('mail ann@example.test');
    });
  });

  describe('redactValue', () => {
    it('should redact a field by pattern at any depth within the cap, whatever its type', () => {
      const value = { a: { b: { c: { client_secret: 's1', list: [{ sessionid: 42 }, { note: 'ok' }] } } } };
      expect(redactValue(value)).to.deep.equal({ a: { b: { c: { client_secret: REDACTED, list: [{ sessionid: REDACTED }, { note: 'ok' }] } } } });
    });

    it(`should redact, never pass through, what lies deeper than ${REDACT_MAX_DEPTH} levels`, () => {
      const deep = nested(REDACT_MAX_DEPTH + 3, { note: 'hunter2' });
      const text = JSON.stringify(redactValue(deep));
      expect(text).not.to.include('hunter2');
      expect(text).to.include(REDACTED_TOO_DEEP);
      expect(JSON.stringify(redactValue(nested(REDACT_MAX_DEPTH - 1, 'visible')))).to.include('visible');
    });

    it('should keep numeric close codes and error codes, and redact a string code', () => {
      const error = Object.assign(new Error('refused'), { code: 'ECONNREFUSED' });
      expect(redactValue({ code: 1006, error, oauth: { code: 'abc' }, query: { code: 'abc' } })).to.deep.equal({
        code: 1006,
        error: { name: 'Error', message: 'refused', code: 'ECONNREFUSED' },
        oauth: REDACTED,
        query: { code: REDACTED },
      });
    });

    it("should redact the user's own names at any depth within the cap, whatever their type", () => {
      const extra = new Set(['pin', 'code']);
      const value = { a: { b: [{ c: { PIN: 1234, note: 'ok' } }] }, code: 1006, query: 'ws://h/?Pin=99&room=2' };
      expect(redactValue(value, extra)).to.deep.equal({
        a: { b: [{ c: { PIN: REDACTED, note: 'ok' } }] },
        code: REDACTED,
        query: `ws://h/?Pin=${REDACTED}&room=2`,
      });
    });

    it('should cut an object nested exactly REDACT_MAX_DEPTH deep, in objects and in arrays', () => {
      expect(REDACTED_TOO_DEEP).to.equal('[redacted: nested too deep]');
      const cut = JSON.stringify(redactValue(nested(REDACT_MAX_DEPTH, { note: 'visible' })));
      expect(cut).to.include('[redacted: nested too deep]').and.not.to.include('visible');
      expect(JSON.stringify(redactValue(nested(REDACT_MAX_DEPTH - 1, { note: 'visible' })))).to.include('visible');
      let list: unknown = ['hidden'];
      for (let i = 0; i < REDACT_MAX_DEPTH; i++) list = [list];
      expect(JSON.stringify(redactValue(list))).to.include('[redacted: nested too deep]').and.not.to.include('hidden');
    });

    it('should keep null, numbers and booleans as they are', () => {
      expect(redactValue({ a: null, b: 1, c: false, d: undefined })).to.deep.equal({ a: null, b: 1, c: false, d: undefined });
    });

    it('should show binary data as its size, never its bytes', () => {
      expect(redactValue({ bytes: new Uint8Array(3), view: new DataView(new ArrayBuffer(4)), buffer: new ArrayBuffer(5) })).to.deep.equal({
        bytes: '<3 bytes>',
        view: '<4 bytes>',
        buffer: '<5 bytes>',
      });
    });

    it("should keep an error's name and redacted message and drop its stack, even when they are enumerable or named secret", () => {
      const error = new Error('see ws://h/?token=abc');
      for (const key of ['name', 'message'] as const) Object.defineProperty(error, key, { value: error[key], enumerable: true });
      Object.defineProperty(error, 'stack', { value: 'Error: at ws://h/?token=abc', enumerable: true });
      expect(redactValue(error, new Set(['name', 'message']))).to.deep.equal({ name: 'Error', message: `see ws://h/?token=${REDACTED}` });
    });

    it('should show an object met twice, but not inside itself, in full both times', () => {
      const shared = { room: 7 };
      expect(redactValue({ a: shared, b: [shared, shared] })).to.deep.equal({ a: { room: 7 }, b: [{ room: 7 }, { room: 7 }] });
    });

    it('should survive a cycle', () => {
      const loop: Record<string, unknown> = { name: 'loop' };
      loop['self'] = loop;
      expect(redactValue(loop)).to.deep.equal({ name: 'loop', self: '[circular]' });
    });
  });

  describe('through logTo()', () => {
    it('should keep every secret out of the log lines and details of every event', () => {
      const url = urlWithEverySecret();
      const message: Record<string, unknown> = {};
      for (const name of SECRET_NAMES) message[name] = secretOf(name);
      message['nested'] = nested(REDACT_MAX_DEPTH + 2, { note: secretOf('token') });
      message['mid'] = nested(3, Object.fromEntries(SECRET_NAMES.map((name) => [name, secretOf(name)])));
      message['link'] = url;
      message['pin'] = secretOf('token');
      const failure = new Error(`could not connect to ${url}: refused`);
      const events: SocketEvent[] = [
        { type: 'connecting', attempt: 0, url, time: 0 },
        { type: 'opened', attempt: 0, url, protocol: '', connectTime: 1, time: 1 },
        { type: 'dropped', reason: 'closed', message, bytes: 10, time: 2 },
        { type: 'dropped', reason: 'closed', message: JSON.stringify({ link: url }), bytes: 10, time: 3 },
        { type: 'reconnect-scheduled', attempt: 1, delay: 10, error: failure, time: 4 },
        { type: 'gave-up', error: new InvalidUrlError(`${url}#frag`, 'a WebSocket URL must not have a fragment'), time: 5 },
        { type: 'closed', code: 1008, reason: `go to ${url}`, wasClean: true, initiator: 'server', time: 6 },
      ];
      const { logger, lines } = fakeLogger();
      const observer = logTo(logger, { level: 'debug', redact: ['PIN'] });
      for (const event of events) observer.next(event);
      expect(lines).to.have.length(events.length);
      const all = lines.join('\n');
      expectNoSecret(all);
      expect(all).to.include(REDACTED_TOO_DEEP);
      expect(all).to.include('room=');
    });
  });

  describe('InvalidUrlError', () => {
    const bad = urlWithEverySecret() + '#fragment';

    it('should carry the redacted URL in its message, its url and its serialised form', () => {
      let error: unknown;
      try {
        normalizeUrl(bad);
      } catch (thrown) {
        error = thrown;
      }
      expect(error).to.be.instanceOf(InvalidUrlError);
      const invalid = error as InvalidUrlError;
      expect(invalid.message).to.include('must not have a fragment');
      expectNoSecret(invalid.message);
      expectNoSecret(invalid.url);
      expectNoSecret(JSON.stringify(invalid));
      expectNoSecret(JSON.stringify({ ...invalid }));
      expectNoSecret(String(invalid.stack));
    });

    it('should keep the raw URL only in a non-enumerable rawUrl', () => {
      const invalid = new InvalidUrlError(bad, 'a WebSocket URL must not have a fragment');
      expect(invalid.rawUrl).to.equal(bad);
      expect(Object.keys(invalid)).not.to.include('rawUrl');
      expect(Object.getOwnPropertyDescriptor(invalid, 'rawUrl')?.enumerable).to.equal(false);
    });

    it('should redact a URL that does not even parse', () => {
      const error = new InvalidUrlError(`ws//ann:${secretOf('userinfo')}@h/?token=${secretOf('token')}`, 'not an absolute URL');
      expectNoSecret(error.message);
    });
  });
});

describe('connection errors keep secrets out of their messages', () => {
  it('should redact userinfo and secret query parameters in ConnectError and ConnectTimeoutError messages', () => {
    const url = 'wss://alice:s3cret-pass@example.com/feed?api_key=AK123&token=T0K&room=7';
    const messages = [new ConnectError(url, new Error('ECONNREFUSED')).message, new ConnectTimeoutError(100, url).message];
    for (const message of messages) {
      for (const secret of ['s3cret-pass', 'alice', 'AK123', 'T0K']) expect(message, message).not.to.include(secret);
      expect(message).to.include('example.com/feed');
      expect(message).to.include('room=7');
    }
  });
});
