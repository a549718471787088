/** Every option connect() checks: each bad value gets InvalidOptionsError naming the option and saying what it must be. */
import { expect } from 'chai';
import { connect } from '../../src/client/connect';
import type { ConnectOptions } from '../../src/client/connect-options';
import { TestTransport } from '../../src/testing/test-transport';
import { webSocketTransport } from '../../src/transport/web-socket';
import { jsonTopics } from '../../src/protocols/json-topics';
import { invalidOptionsMessage } from '../support/invalid-options';

const PREFIX = 'rxnova: invalid options: ';
/** A lazy socket (nothing is dialled) on a TestTransport, with `options` over it. */
const make = (options: Record<string, unknown>) => () =>
  connect('ws://example.test', { transport: new TestTransport(), lazy: true, ...options } as ConnectOptions<unknown, unknown>);

describe('connect() options', () => {
  it('should refuse options that are not an object', () => {
    for (const [options, got] of [
      [null, 'null'],
      ['fast', 'string'],
    ] as const) {
      expect(invalidOptionsMessage(() => connect('ws://example.test', options as never))).to.equal(`${PREFIX}options must be an object, got ${got}`);
    }
  });

  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['auth without a protocol', { auth: () => ({}) }, 'options.auth needs options.protocol, which recognises the answer'],
    ['a negative request timeout', { requests: { timeout: -1 } }, 'options.requests.timeout must be'],
    ['an unknown inFlight policy', { requests: { inFlight: 'twice' } }, `options.requests.inFlight must be 'fail' or 'resend', got "twice"`],
    ['a messagesIncludeChannels that is not a boolean', { messagesIncludeChannels: 'yes' }, 'options.messagesIncludeChannels must be a boolean, got string'],
    ['a transport without open()', { transport: { capabilities: {} } }, 'options.transport must be a Transport (an object with open() and capabilities)'],
    ['a transport that is null', { transport: null }, 'options.transport must be a Transport'],
    ['a transport without capabilities', { transport: { open: () => undefined } }, 'options.transport must be a Transport'],
    ['a transport whose capabilities are not an object', { transport: { open: () => undefined, capabilities: 'ping' } }, 'options.transport must be a Transport'],
    ['a transport that is a function', { transport: Object.assign(() => undefined, { open: () => undefined, capabilities: {} }) }, 'options.transport must be a Transport'],
    ['a codec that is null', { codec: null }, 'options.codec must have encode() and decode()'],
    ['a codec that is a string', { codec: 'json' }, 'options.codec must have encode() and decode()'],
    ['a codec without decode()', { codec: { name: 'x', encode: String } }, 'options.codec must have encode() and decode()'],
    ['a codec without encode()', { codec: { name: 'x', decode: String } }, 'options.codec must have encode() and decode()'],
    ['an unknown decodeErrors', { decodeErrors: 'maybe' }, `options.decodeErrors must be 'skip' or 'fatal', got "maybe"`],
    ['a lazy that is a string', { lazy: 'yes' }, 'options.lazy must be a boolean or { closeDelay }, got string'],
    ['a lazy that is null', { lazy: null }, 'options.lazy must be a boolean or { closeDelay }, got null'],
    ['a negative lazy closeDelay', { lazy: { closeDelay: -1 } }, 'options.lazy.closeDelay must be'],
    ['a zero poll interval', { backpressure: { pollInterval: 0 } }, 'options.backpressure.pollInterval must be'],
    ['a zero high-water mark', { backpressure: { highWaterMark: 0 } }, 'options.backpressure.highWaterMark must be a positive number of bytes, got 0'],
    ['a high-water mark that is a string', { backpressure: { highWaterMark: '1mb' } }, 'options.backpressure.highWaterMark must be a positive number of bytes, got 1mb'],
    ['a zero heartbeat interval', { heartbeat: { interval: 0 } }, 'options.heartbeat.interval must be'],
    ['a zero heartbeat timeout', { heartbeat: { timeout: 0 } }, 'options.heartbeat.timeout must be'],
    ['a zero stall timeout', { heartbeat: { stallTimeout: 0 } }, 'options.heartbeat.stallTimeout must be'],
    ['an isPong that is not a function', { heartbeat: { isPong: 'pong' } }, 'options.heartbeat.isPong must be a function, got string'],
    ['a reconnect that is a string', { reconnect: 'always' }, 'options.reconnect must be a reconnect config, a number of attempts or false, got always'],
    ['a reconnect that is null', { reconnect: null }, 'options.reconnect must be a reconnect config, a number of attempts or false, got null'],
    ['a negative connect timeout', { connectTimeout: -1 }, 'options.connectTimeout must be'],
    ['a negative close timeout', { closeTimeout: -1 }, 'options.closeTimeout must be'],
  ];
  for (const [what, options, message] of cases) {
    it(`should refuse ${what}, naming the option`, () => {
      expect(invalidOptionsMessage(make(options)).startsWith(PREFIX + message), invalidOptionsMessage(make(options))).to.equal(true);
    });
  }

  it('should accept the edge values: Infinity request timeout, zero connect and close timeouts, lazy { closeDelay: 0 }, a count of attempts', () => {
    for (const options of [
      { requests: { timeout: Infinity, inFlight: 'resend' } },
      { connectTimeout: 0, closeTimeout: 0 },
      { lazy: { closeDelay: 0 } },
      { lazy: false },
      { reconnect: 3 },
      { reconnect: false },
      { decodeErrors: 'fatal' },
      { messagesIncludeChannels: false },
    ]) {
      expect(make(options), JSON.stringify(options)).to.not.throw();
    }
  });

  it('should ask for an application ping when the transport cannot send ping frames and a heartbeat is asked for, and run none when it is not', () => {
    const cannotPing = () => new TestTransport({ capabilities: { ping: false } });
    expect(invalidOptionsMessage(() => connect('ws://example.test', { transport: cannotPing(), lazy: true, heartbeat: { interval: 1000 } }))).to.equal(
      `${PREFIX}options.heartbeat needs a ping message: transport "test" cannot send ping frames, so give heartbeat.ping (an application-level ping) and heartbeat.isPong, or set heartbeat: false`,
    );
    expect(() => connect('ws://example.test', { transport: cannotPing(), lazy: true })).to.not.throw();
    expect(() => connect('ws://example.test', { transport: cannotPing(), lazy: true, heartbeat: { ping: 'ping', isPong: (m) => m === 'pong' } })).to.not.throw();
    // The protocol's application ping is used where the transport cannot ping: no error with a heartbeat option.
    expect(() => connect('ws://example.test', { transport: cannotPing(), lazy: true, protocol: jsonTopics(), heartbeat: { interval: 1000 } })).to.not.throw();
  });

  it('should refuse headers on a transport that cannot send them, saying what to do instead', () => {
    const transport = webSocketTransport({ WebSocket: class {} as never });
    expect(invalidOptionsMessage(() => connect('ws://example.test', { transport, lazy: true, headers: { Authorization: 'x' } }))).to.equal(
      `${PREFIX}options.headers cannot be sent by transport "web-socket" (browsers allow no custom headers on a WebSocket upgrade): pass credentials in the URL or an auth message, or use wsTransport() from 'rxnova/node'`,
    );
  });
});
