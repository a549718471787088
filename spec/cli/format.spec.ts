/**
 * What `rxnova` prints, in process: messages on stdout, states on stderr,
 * `--rpc` lines parsed and their responses printed against the request.
 */
import { expect } from 'chai';
import { errorText, formatMessage, formatRpcOutcome, formatState, parseJson, parseRpcLine } from '../../src/cli/format';
import { ConnectionClosedError, RemoteError } from '../../src/errors';

/** The message of the Error that `run` throws. */
function thrownBy(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).to.be.an.instanceOf(Error);
    return (error as Error).message;
  }
  throw new Error('it did not throw');
}

describe('the output of rxnova (src/cli/format.ts)', () => {
  describe('formatMessage()', () => {
    it('should pretty-print a text message that is JSON, with two spaces', () => {
      expect(formatMessage('{"a":[1,2],"b":"x"}', false)).to.equal('{\n  "a": [\n    1,\n    2\n  ],\n  "b": "x"\n}');
      expect(formatMessage(' 42 ', false)).to.equal('42');
      expect(formatMessage('null', false)).to.equal('null');
      expect(formatMessage('false', false)).to.equal('false');
    });

    it('should print a text message that is not JSON as it came', () => {
      expect(formatMessage('hello there', false)).to.equal('hello there');
      expect(formatMessage('{"a":', false)).to.equal('{"a":');
      expect(formatMessage('', false)).to.equal('');
    });

    it('should print every text message as it came with raw', () => {
      expect(formatMessage('{ "a" : 1 }', true)).to.equal('{ "a" : 1 }');
      expect(formatMessage(' 42 ', true)).to.equal(' 42 ');
      expect(formatMessage('hello', true)).to.equal('hello');
    });

    it('should print a binary message as UTF-8 text, never reformatted', () => {
      expect(formatMessage(new TextEncoder().encode('héllo ✓'), false)).to.equal('héllo ✓');
      expect(formatMessage(new TextEncoder().encode('{"a":1}'), false)).to.equal('{"a":1}');
      expect(formatMessage(new TextEncoder().encode('{"a":1}'), true)).to.equal('{"a":1}');
    });

    it('should print only the bytes of a binary message that is a view into a larger buffer', () => {
      const whole = new TextEncoder().encode('<<inside>>');
      const view = whole.subarray(2, 8);
      expect(view.byteOffset).to.equal(2);
      expect(formatMessage(view, false)).to.equal('inside');
    });

    it('should print a decoded value as pretty JSON, or as one line with raw', () => {
      expect(formatMessage({ a: [1], b: null }, false)).to.equal('{\n  "a": [\n    1\n  ],\n  "b": null\n}');
      expect(formatMessage({ a: [1], b: null }, true)).to.equal('{"a":[1],"b":null}');
      expect(formatMessage(7, false)).to.equal('7');
    });

    it('should print a value JSON cannot show as its string', () => {
      expect(formatMessage(undefined, false)).to.equal('undefined');
      expect(formatMessage(undefined, true)).to.equal('undefined');
    });
  });

  describe('parseJson()', () => {
    it('should wrap any JSON value, including null and false', () => {
      expect(parseJson('null')).to.deep.equal({ json: null });
      expect(parseJson('false')).to.deep.equal({ json: false });
      expect(parseJson('0')).to.deep.equal({ json: 0 });
      expect(parseJson('""')).to.deep.equal({ json: '' });
      expect(parseJson('{"a":[1]}')).to.deep.equal({ json: { a: [1] } });
    });

    it('should give undefined for text that is not JSON', () => {
      expect(parseJson('not json')).to.equal(undefined);
      expect(parseJson('')).to.equal(undefined);
      expect(parseJson("{'a':1}")).to.equal(undefined);
    });
  });

  describe('formatState()', () => {
    it('should show the first connection without an attempt number, and a reconnect with it', () => {
      expect(formatState({ status: 'connecting', attempt: 0, url: 'ws://h:1/' })).to.equal('connecting to ws://h:1/');
      expect(formatState({ status: 'connecting', attempt: 3, url: 'ws://h:1/' })).to.equal('connecting to ws://h:1/ (attempt 3)');
    });

    it('should show an open socket with the chosen subprotocol, when there is one', () => {
      expect(formatState({ status: 'open', attempt: 0, url: 'ws://h:1/', protocol: '' })).to.equal('open ws://h:1/');
      expect(formatState({ status: 'open', attempt: 2, url: 'ws://h:1/', protocol: 'v2.chat' })).to.equal('open ws://h:1/ (protocol v2.chat)');
    });

    it('should redact the secrets of the URL it shows', () => {
      const url = 'wss://ann:hunter2@h:1/p?token=abc&room=7';
      expect(formatState({ status: 'connecting', attempt: 0, url })).to.equal('connecting to wss://h:1/p?token=[redacted]&room=7');
      expect(formatState({ status: 'open', attempt: 0, url, protocol: '' })).to.equal('open wss://h:1/p?token=[redacted]&room=7');
    });

    it('should show a reconnect wait with its delay, its attempt and the error that caused it', () => {
      const error = new ConnectionClosedError(1006, '', false);
      expect(formatState({ status: 'reconnecting', attempt: 1, delay: 250, error })).to.equal(`reconnecting in 250 ms (attempt 1): ${error.message}`);
      expect(formatState({ status: 'reconnecting', attempt: 4, delay: 0, error: 'down' })).to.equal('reconnecting in 0 ms (attempt 4): down');
    });

    it('should show a closing socket with its code, and its reason when there is one', () => {
      expect(formatState({ status: 'closing', code: 1000, reason: '' })).to.equal('closing with 1000');
      expect(formatState({ status: 'closing', code: 4001, reason: 'bye now' })).to.equal('closing with 4001 "bye now"');
    });

    it('should show a closed socket with its code and reason when it had them', () => {
      expect(formatState({ status: 'closed', requested: true, gaveUp: false })).to.equal('closed');
      expect(formatState({ status: 'closed', code: 1000, reason: '', requested: true, gaveUp: false })).to.equal('closed with 1000');
      expect(formatState({ status: 'closed', code: 1001, reason: 'away', requested: false, gaveUp: false })).to.equal('closed with 1001 "away"');
      expect(formatState({ status: 'closed', reason: 'odd', requested: true, gaveUp: false })).to.equal('closed "odd"');
    });

    it('should show a socket that gave up with the error that ended it, not its code', () => {
      const error = new ConnectionClosedError(1008, 'policy', true);
      expect(formatState({ status: 'closed', code: 1008, reason: 'policy', error, requested: false, gaveUp: true })).to.equal(`gave up: ${error.message}`);
      expect(formatState({ status: 'closed', error: 'no more', requested: false, gaveUp: true })).to.equal('gave up: no more');
    });
  });

  describe('errorText()', () => {
    it("should give an error's message, and anything else as a string", () => {
      expect(errorText(new Error('boom'))).to.equal('boom');
      expect(errorText(new RemoteError(1, 'x'))).to.equal('rxnova: remote error 1: x');
      expect(errorText('plain')).to.equal('plain');
      expect(errorText(42)).to.equal('42');
      expect(errorText(undefined)).to.equal('undefined');
    });
  });

  describe('parseRpcLine()', () => {
    it('should read a method alone, with no params', () => {
      expect(parseRpcLine('public/get_time')).to.deep.equal({ method: 'public/get_time' });
      expect(parseRpcLine('ping')).not.to.have.property('params');
    });

    it('should read a method and a JSON array or object of params', () => {
      expect(parseRpcLine('sum [1, 2]')).to.deep.equal({ method: 'sum', params: [1, 2] });
      expect(parseRpcLine('greet {"name": "Ann"}')).to.deep.equal({ method: 'greet', params: { name: 'Ann' } });
      expect(parseRpcLine('none []')).to.deep.equal({ method: 'none', params: [] });
    });

    it('should ignore whitespace around the line and between the method and the params', () => {
      expect(parseRpcLine('  ping  ')).to.deep.equal({ method: 'ping' });
      expect(parseRpcLine(' sum \t [1, 2] ')).to.deep.equal({ method: 'sum', params: [1, 2] });
    });

    it('should read params whose strings hold a line or paragraph separator (U+2028, U+2029), which stdin does not split on', () => {
      expect(parseRpcLine('echo ["a\u2028b", "c\u2029d"]')).to.deep.equal({ method: 'echo', params: ['a\u2028b', 'c\u2029d'] });
    });

    it('should refuse an empty line, saying what a line should be', () => {
      for (const line of ['', '   ', '\t']) {
        expect(thrownBy(() => parseRpcLine(line)), JSON.stringify(line)).to.equal('an --rpc line is `method [json-params]`, got an empty line');
      }
    });

    it('should refuse params that are not a JSON array or object, quoting them', () => {
      for (const params of ['5', '"x"', 'null', 'true', '[1, 2', 'a b c']) {
        expect(thrownBy(() => parseRpcLine(`sum ${params}`)), params).to.equal(`the params of sum must be a JSON array or object, got ${params}`);
      }
      expect(thrownBy(() => parseRpcLine(' sum \t 5 ')), 'whitespace around them').to.equal('the params of sum must be a JSON array or object, got 5');
    });
  });

  describe('formatRpcOutcome()', () => {
    const request = { method: 'sum', params: [1, 2] };

    it('should print a result against its request, pretty or on one line with raw', () => {
      expect(formatRpcOutcome(request, { result: 3 }, true)).to.equal('{"method":"sum","params":[1,2],"result":3}');
      expect(formatRpcOutcome(request, { result: 3 }, false)).to.equal('{\n  "method": "sum",\n  "params": [\n    1,\n    2\n  ],\n  "result": 3\n}');
      expect(formatRpcOutcome({ method: 'ping' }, { result: null }, true)).to.equal('{"method":"ping","result":null}');
    });

    it("should print a server's error with its code and message, and its data when it has some", () => {
      expect(formatRpcOutcome(request, { error: new RemoteError(-32601, 'no method sum') }, true)).to.equal(
        '{"method":"sum","params":[1,2],"error":{"code":-32601,"message":"rxnova: remote error -32601: no method sum"}}',
      );
      expect(formatRpcOutcome(request, { error: new RemoteError('E42', 'bad', { field: 'a' }) }, true)).to.equal(
        '{"method":"sum","params":[1,2],"error":{"code":"E42","message":"rxnova: remote error E42: bad","data":{"field":"a"}}}',
      );
      expect(formatRpcOutcome(request, { error: new RemoteError(1, 'n', null) }, true)).to.equal(
        '{"method":"sum","params":[1,2],"error":{"code":1,"message":"rxnova: remote error 1: n","data":null}}',
      );
    });

    it('should print any other error with its message only', () => {
      expect(formatRpcOutcome(request, { error: new Error('timed out') }, true)).to.equal('{"method":"sum","params":[1,2],"error":{"message":"timed out"}}');
      expect(formatRpcOutcome(request, { error: 'gone' }, false)).to.equal('{\n  "method": "sum",\n  "params": [\n    1,\n    2\n  ],\n  "error": {\n    "message": "gone"\n  }\n}');
    });
  });
});
