/**
 * The two built-in protocol adapters as functions: what they send, what they recognise, and how they check their
 * options. (Their behaviour on a socket is in json-rpc.spec.ts and json-topics.spec.ts.)
 */
import { expect } from 'chai';
import { RemoteError } from '../../src/errors';
import { jsonRpc, JsonRpcMessage } from '../../src/protocols/json-rpc';
import { jsonTopics, JsonTopicsMessage } from '../../src/protocols/json-topics';
import { invalidOptionsMessage } from '../support/invalid-options';

describe('jsonRpc() as an adapter', () => {
  const rpc = jsonRpc();

  it("should be named 'json-rpc' and refuse every empty or non-string name option, naming it", () => {
    expect(rpc.name).to.equal('json-rpc');
    for (const option of ['subscribeMethod', 'unsubscribeMethod', 'channelsParam', 'notificationMethod', 'topicField', 'dataField', 'expiresInField', 'pingMethod']) {
      expect(invalidOptionsMessage(() => jsonRpc({ [option]: '' }))).to.equal(`rxnova: invalid options: jsonRpc: ${option} must be a non-empty string, got ""`);
      expect(invalidOptionsMessage(() => jsonRpc({ [option]: 7 as never }))).to.equal(`rxnova: invalid options: jsonRpc: ${option} must be a non-empty string, got 7`);
    }
  });

  it('should subscribe with the channel in the channels list, merged into object params and ignoring other params', () => {
    expect(rpc.subscribe!('ticker', undefined)).to.deep.equal({ jsonrpc: '2.0', method: 'public/subscribe', params: { channels: ['ticker'] } });
    expect(rpc.unsubscribe!('ticker', { depth: 5 })).to.deep.equal({ jsonrpc: '2.0', method: 'public/unsubscribe', params: { depth: 5, channels: ['ticker'] } });
    expect(rpc.subscribe!('ticker', null)).to.deep.equal({ jsonrpc: '2.0', method: 'public/subscribe', params: { channels: ['ticker'] } });
    expect(rpc.subscribe!('ticker', 'raw')).to.deep.equal({ jsonrpc: '2.0', method: 'public/subscribe', params: { channels: ['ticker'] } });
    const custom = jsonRpc({ subscribeMethod: 'sub', channelsParam: 'topics' });
    expect(custom.subscribe!('a', undefined)).to.deep.equal({ jsonrpc: '2.0', method: 'sub', params: { topics: ['a'] } });
  });

  it('should route notifications of its method by the topic field, and nothing else', () => {
    const note: JsonRpcMessage = { jsonrpc: '2.0', method: 'subscription', params: { channel: 'ticker', data: 42 } };
    expect(rpc.topicOf!(note)).to.equal('ticker');
    expect(rpc.channelData!(note)).to.equal(42);
    expect(rpc.topicOf!({ ...note, method: 'heartbeat' })).to.equal(undefined);
    expect(rpc.topicOf!({ jsonrpc: '2.0', method: 'subscription', params: { channel: 7 } })).to.equal(undefined);
    expect(rpc.topicOf!({ jsonrpc: '2.0', method: 'subscription', params: null } as never)).to.equal(undefined);
    expect(rpc.channelData!({ jsonrpc: '2.0', method: 'subscription' })).to.equal(undefined);
  });

  it('should give an id only to responses (a result or an error), numeric or string', () => {
    expect(rpc.withId!({ method: 'get' } as never, 3)).to.deep.equal({ method: 'get', jsonrpc: '2.0', id: 3 });
    expect(rpc.idOf!({ jsonrpc: '2.0', id: 3, result: 1 })).to.equal(3);
    expect(rpc.idOf!({ jsonrpc: '2.0', id: 'a', error: { code: 1, message: 'x' } })).to.equal('a');
    expect(rpc.idOf!({ jsonrpc: '2.0', id: 3, method: 'server/request' } as never), 'a request from the server').to.equal(undefined);
    expect(rpc.idOf!({ jsonrpc: '2.0', id: null, result: 1 } as never)).to.equal(undefined);
  });

  it('should turn an error object into RemoteError with its code, message and data, and a result into the value', () => {
    expect(rpc.resultOf!({ jsonrpc: '2.0', id: 1, result: { t: 1 } })).to.deep.equal({ ok: true, value: { t: 1 } });
    expect(rpc.resultOf!({ jsonrpc: '2.0', id: 1, result: 0, error: null } as never)).to.deep.equal({ ok: true, value: 0 });
    const failed = rpc.resultOf!({ jsonrpc: '2.0', id: 1, error: { code: -32601, message: 'not found', data: { m: 'x' } } });
    expect(failed).to.deep.equal({ ok: false, error: new RemoteError(-32601, 'not found', { m: 'x' }) });
    // chai compares errors by name, message and code only: the data is checked on its own.
    expect(((failed as { error: unknown }).error as RemoteError).data).to.deep.equal({ m: 'x' });
  });

  it('should read an auth answer: an error refuses, a result accepts with the expiry in ms, anything else is not the answer', () => {
    expect(rpc.authResult!({ jsonrpc: '2.0', id: 1, error: { code: 13004, message: 'invalid_credentials' } })).to.deep.equal({ ok: false, reason: 'invalid_credentials' });
    expect(rpc.authResult!({ jsonrpc: '2.0', id: 1, result: { expires_in: 900 } })).to.deep.equal({ ok: true, expiresIn: 900_000 });
    expect(rpc.authResult!({ jsonrpc: '2.0', id: 1, result: { expires_in: 'soon' } })).to.deep.equal({ ok: true });
    expect(rpc.authResult!({ jsonrpc: '2.0', id: 1, result: { expires_in: Infinity } })).to.deep.equal({ ok: true });
    expect(rpc.authResult!({ jsonrpc: '2.0', id: 1, result: null, error: null } as never)).to.deep.equal({ ok: true });
    expect(rpc.authResult!({ jsonrpc: '2.0', method: 'subscription' })).to.equal(undefined);
    expect(jsonRpc({ expiresInField: 'ttl' }).authResult!({ jsonrpc: '2.0', id: 1, result: { ttl: 2 } })).to.deep.equal({ ok: true, expiresIn: 2000 });
  });

  it('should ping with pingMethod and recognise its answer as the pong, and have no ping without it', () => {
    expect(rpc.ping).to.equal(undefined);
    const pinging = jsonRpc({ pingMethod: 'public/test' });
    const ping = pinging.ping!() as JsonRpcMessage;
    expect(ping).to.deep.equal({ jsonrpc: '2.0', id: 'rxnova-ping', method: 'public/test' });
    expect(pinging.isPong!({ jsonrpc: '2.0', id: 'rxnova-ping', result: {} })).to.equal(true);
    expect(pinging.isPong!({ jsonrpc: '2.0', id: 1, result: {} })).to.equal(false);
  });
});

describe('jsonTopics() as an adapter', () => {
  const topics = jsonTopics();

  it("should be named 'json-topics' and refuse empty or non-string field names and a bad pingType, naming them", () => {
    expect(topics.name).to.equal('json-topics');
    for (const option of ['typeField', 'topicField', 'dataField', 'idField', 'errorField']) {
      expect(invalidOptionsMessage(() => jsonTopics({ [option]: '' }))).to.equal(`rxnova: invalid options: jsonTopics: ${option} must be a non-empty string, got ""`);
      expect(invalidOptionsMessage(() => jsonTopics({ [option]: 1 as never }))).to.equal(`rxnova: invalid options: jsonTopics: ${option} must be a non-empty string, got 1`);
    }
    for (const pingType of ['', true, 0]) {
      expect(invalidOptionsMessage(() => jsonTopics({ pingType: pingType as never }))).to.equal(
        `rxnova: invalid options: jsonTopics: pingType must be a non-empty string or false, got ${JSON.stringify(pingType)}`,
      );
    }
    expect(jsonTopics({ pingType: false }).ping).to.equal(undefined);
  });

  it('should subscribe and unsubscribe with params only when there are some, in the configured fields', () => {
    expect(topics.subscribe!('prices', undefined)).to.deep.equal({ type: 'subscribe', topic: 'prices' });
    expect(topics.unsubscribe!('prices', undefined)).to.deep.equal({ type: 'unsubscribe', topic: 'prices' });
    expect(topics.subscribe!('prices', { s: 'BTC' })).to.deep.equal({ type: 'subscribe', topic: 'prices', params: { s: 'BTC' } });
    expect(topics.unsubscribe!('prices', { s: 'BTC' })).to.deep.equal({ type: 'unsubscribe', topic: 'prices', params: { s: 'BTC' } });
    expect(jsonTopics({ typeField: 'op', topicField: 'ch' }).subscribe!('x', undefined)).to.deep.equal({ op: 'subscribe', ch: 'x' });
  });

  it('should route pushes by topic, but not responses (with an id) nor channel errors', () => {
    expect(topics.topicOf!({ topic: 'prices', data: 1 })).to.equal('prices');
    expect(topics.channelData!({ topic: 'prices', data: 1 })).to.equal(1);
    expect(topics.topicOf!({ topic: 'prices', id: 4, data: 1 })).to.equal(undefined);
    expect(topics.topicOf!({ topic: 'prices', id: 'r', data: 1 })).to.equal(undefined);
    expect(topics.topicOf!({ type: 'error', topic: 'prices' })).to.equal(undefined);
    expect(topics.topicOf!({ topic: 5 } as never)).to.equal(undefined);
  });

  it('should read a channel error for a topic, with the code and message of its error, and nothing else as one', () => {
    const refused = topics.channelError!({ type: 'error', topic: 'vip', error: { code: 403, message: 'no', data: 1 } });
    expect(refused).to.deep.equal({ topic: 'vip', error: new RemoteError(403, 'no', 1) });
    expect((refused!.error as RemoteError).data).to.equal(1);
    expect(topics.channelError!({ type: 'error', topic: 'vip', error: { code: 'E_PLAN' } })).to.deep.equal({ topic: 'vip', error: new RemoteError('E_PLAN', 'error', undefined) });
    expect(topics.channelError!({ type: 'error', topic: 'vip', error: { code: true, message: 'odd' } } as never)).to.deep.equal({
      topic: 'vip',
      error: new RemoteError('error', 'odd', undefined),
    });
    expect(topics.channelError!({ type: 'error', topic: 'vip', error: 'gone' })).to.deep.equal({ topic: 'vip', error: new RemoteError('error', 'gone') });
    expect(topics.channelError!({ type: 'error', topic: 'vip', id: 1 }), 'an error response to a request').to.equal(undefined);
    expect(topics.channelError!({ type: 'push', topic: 'vip' })).to.equal(undefined);
    expect(topics.channelError!({ type: 'error' })).to.equal(undefined);
  });

  it('should correlate by the id field, numeric or string, and read results, errors and auth answers', () => {
    expect(topics.withId!({ type: 'get' }, 9)).to.deep.equal({ type: 'get', id: 9 });
    expect(topics.idOf!({ id: 9 })).to.equal(9);
    expect(topics.idOf!({ id: 'nine' })).to.equal('nine');
    expect(topics.idOf!({ id: null } as never)).to.equal(undefined);
    expect(topics.resultOf!({ id: 1, data: 'v' })).to.deep.equal({ ok: true, value: 'v' });
    expect(topics.resultOf!({ id: 1, data: 'v', error: null } as never)).to.deep.equal({ ok: true, value: 'v' });
    expect(topics.resultOf!({ id: 1, error: { code: 500, message: 'down' } })).to.deep.equal({ ok: false, error: new RemoteError(500, 'down', undefined) });
    expect(topics.authResult!({ id: 1, error: { code: 401, message: 'bad token' } })).to.deep.equal({ ok: false, reason: 'rxnova: remote error 401: bad token' });
    expect(topics.authResult!({ id: 1, error: null, data: { expires_in: 60 } } as never)).to.deep.equal({ ok: true, expiresIn: 60_000 });
    expect(topics.authResult!({ id: 1, data: null } as never)).to.deep.equal({ ok: true });
    expect(topics.authResult!({ id: 1, data: { expires_in: 'later' } })).to.deep.equal({ ok: true });
  });

  it("should ping with { type: pingType } and take { type: 'pong' } as the answer", () => {
    const message = topics.ping!() as JsonTopicsMessage;
    expect(message).to.deep.equal({ type: 'ping' });
    expect(jsonTopics({ pingType: 'hb', typeField: 'op' }).ping!()).to.deep.equal({ op: 'hb' });
    expect(topics.isPong!({ type: 'pong' })).to.equal(true);
    expect(topics.isPong!({ type: 'ping' })).to.equal(false);
  });
});
