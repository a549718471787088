/**
 * The error classes as users branch on them and read them: every class has its name, its stable code and a message
 * that starts with `rxnova: ` and says the state; causes are kept but not enumerable; URLs are redacted; and
 * isRxnovaError() recognises errors from another copy of the package by their code.
 */
import { expect } from 'chai';
import {
  AuthError,
  CodecError,
  ConnectError,
  ConnectTimeoutError,
  ConnectionClosedError,
  HandshakeError,
  HeartbeatTimeoutError,
  InvalidFrameError,
  InvalidOptionsError,
  InvalidUrlError,
  MessageDroppedError,
  NotOpenError,
  OutboxFullError,
  RemoteError,
  RequestTimeoutError,
  RxnovaError,
  SocketClosedError,
  UnsupportedFrameError,
  errorCodeOf,
  isRxnovaError,
} from '../src/errors';

describe('errors', () => {
  describe('every class', () => {
    const cases: Array<[RxnovaError, string, string, string]> = [
      [new ConnectionClosedError(4000, 'bye', true), 'ConnectionClosedError', 'RXNOVA_ERR_CONNECTION_CLOSED', 'rxnova: connection closed: code 4000 "bye", clean'],
      [new HandshakeError(503), 'HandshakeError', 'RXNOVA_ERR_HANDSHAKE', 'rxnova: handshake failed: HTTP status 503'],
      [new ConnectError('ws://h/'), 'ConnectError', 'RXNOVA_ERR_CONNECT', 'rxnova: could not connect to ws://h/: unknown error'],
      [new ConnectTimeoutError(500), 'ConnectTimeoutError', 'RXNOVA_ERR_CONNECT_TIMEOUT', 'rxnova: connect timed out after 500 ms: readyState CONNECTING'],
      [new HeartbeatTimeoutError(300), 'HeartbeatTimeoutError', 'RXNOVA_ERR_HEARTBEAT_TIMEOUT', 'rxnova: heartbeat timed out: no frame within 300 ms of a ping, readyState OPEN'],
      [new NotOpenError('CLOSING'), 'NotOpenError', 'RXNOVA_ERR_NOT_OPEN', 'rxnova: socket is not open: readyState CLOSING'],
      [new SocketClosedError('send()'), 'SocketClosedError', 'RXNOVA_ERR_SOCKET_CLOSED', 'rxnova: send(): the socket is closed (close() was called)'],
      [new InvalidUrlError('foo', 'not an absolute URL'), 'InvalidUrlError', 'RXNOVA_ERR_INVALID_URL', 'rxnova: invalid WebSocket URL "foo": not an absolute URL'],
      [new InvalidFrameError('bad'), 'InvalidFrameError', 'RXNOVA_ERR_INVALID_FRAME', 'rxnova: invalid frame: bad'],
      [new InvalidOptionsError('bad'), 'InvalidOptionsError', 'RXNOVA_ERR_INVALID_OPTIONS', 'rxnova: invalid options: bad'],
      [new UnsupportedFrameError('ping', 'no API'), 'UnsupportedFrameError', 'RXNOVA_ERR_UNSUPPORTED_FRAME', 'rxnova: unsupported frame "ping": no API'],
      [new CodecError('decode', new Error('bad JSON')), 'CodecError', 'RXNOVA_ERR_CODEC', 'rxnova: could not decode message: bad JSON'],
      [new OutboxFullError(3, 40, 'maxSize 3'), 'OutboxFullError', 'RXNOVA_ERR_OUTBOX_FULL', 'rxnova: outbox is full (3 messages, 40 bytes; limit maxSize 3): message not accepted'],
      [new MessageDroppedError('closed'), 'MessageDroppedError', 'RXNOVA_ERR_MESSAGE_DROPPED', 'rxnova: message dropped before it was written (the socket closed)'],
      [new RequestTimeoutError(1000), 'RequestTimeoutError', 'RXNOVA_ERR_REQUEST_TIMEOUT', 'rxnova: request timed out after 1000 ms'],
      [new RemoteError(-32601, 'Method not found'), 'RemoteError', 'RXNOVA_ERR_REMOTE', 'rxnova: remote error -32601: Method not found'],
      [new AuthError('token refused'), 'AuthError', 'RXNOVA_ERR_AUTH', 'rxnova: authentication failed: token refused'],
    ];

    it('should have its class name, its stable code and a message that says the state', () => {
      for (const [error, name, code, message] of cases) {
        expect(error, name).to.be.instanceOf(RxnovaError);
        expect(error, name).to.be.instanceOf(Error);
        expect(error.name, name).to.equal(name);
        expect(error.code, name).to.equal(code);
        expect(error.message, name).to.equal(message);
      }
    });

    it('should have no cause property when none was given', () => {
      for (const [error, name] of cases) {
        // A codec or a connect failure always has one (it may be undefined).
        if (error instanceof CodecError || error instanceof ConnectError) continue;
        expect('cause' in error, name).to.equal(false);
      }
    });
  });

  describe('causes', () => {
    it('should keep the cause, not enumerable and writable, as a built-in error does', () => {
      const cause = new Error('ECONNRESET');
      const error = new ConnectionClosedError(1006, '', false, cause);
      expect(error.cause).to.equal(cause);
      expect(Object.keys(error)).not.to.include('cause');
      const descriptor = Object.getOwnPropertyDescriptor(error, 'cause');
      expect(descriptor).to.include({ enumerable: false, writable: true, configurable: true });
    });

    it('should keep a cause that is undefined when a codec threw undefined', () => {
      const error = new CodecError('encode', undefined);
      expect('cause' in error).to.equal(true);
      expect(error.cause).to.equal(undefined);
      expect(error.message).to.equal('rxnova: could not encode message: undefined');
    });

    it('should give AuthError a cause only when one was given', () => {
      const cause = new Error('401');
      expect(new AuthError('refused', cause).cause).to.equal(cause);
      expect('cause' in new AuthError('refused')).to.equal(false);
      expect(new AuthError('refused', 'no').cause).to.equal('no');
    });
  });

  describe('ConnectionClosedError', () => {
    it('should leave out an empty reason and say when the close was not clean', () => {
      const error = new ConnectionClosedError(1006, '', false);
      expect(error.message).to.equal('rxnova: connection closed: code 1006, not clean');
      expect(error).to.include({ closeCode: 1006, reason: '', wasClean: false });
    });

    it('should capture no stack, and leave Error.stackTraceLimit as it was', () => {
      const before = Error.stackTraceLimit;
      const error = new ConnectionClosedError(1000, '', true);
      expect(Error.stackTraceLimit).to.equal(before);
      expect(error.stack).to.equal(`${error.name}: ${error.message}`);
      expect(new InvalidFrameError('x').stack).to.include('\n    at ');
    });

    it('should not add Error.stackTraceLimit where the runtime has none', () => {
      const descriptor = Object.getOwnPropertyDescriptor(Error, 'stackTraceLimit')!;
      delete (Error as { stackTraceLimit?: number }).stackTraceLimit;
      try {
        new ConnectionClosedError(1000, '', true);
        expect(Object.getOwnPropertyDescriptor(Error, 'stackTraceLimit')).to.equal(undefined);
      } finally {
        Object.defineProperty(Error, 'stackTraceLimit', descriptor);
      }
    });
  });

  describe('HandshakeError', () => {
    it('should add the detail after the status, and keep the headers', () => {
      const error = new HandshakeError(429, { 'retry-after': '5' }, 'Too Many Requests');
      expect(error.message).to.equal('rxnova: handshake failed: HTTP status 429: Too Many Requests');
      expect(error.status).to.equal(429);
      expect(error.headers).to.deep.equal({ 'retry-after': '5' });
      expect(new HandshakeError(0).headers).to.deep.equal({});
      expect(new HandshakeError(500, {}, '').message).to.equal('rxnova: handshake failed: HTTP status 500');
    });
  });

  describe('ConnectError', () => {
    it("should say the cause's message and keep the runtime's error code", () => {
      const cause = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
      const error = new ConnectError('ws://127.0.0.1:1/', cause);
      expect(error.message).to.equal('rxnova: could not connect to ws://127.0.0.1:1/: connect ECONNREFUSED 127.0.0.1:1');
      expect(error.causeCode).to.equal('ECONNREFUSED');
      expect(error.cause).to.equal(cause);
      expect(error.permanent).to.equal(false);
    });

    it('should print a cause that is not an Error as a string, and have no causeCode without a string code', () => {
      const error = new ConnectError('ws://h/', 'refused');
      expect(error.message).to.equal('rxnova: could not connect to ws://h/: refused');
      expect(error.causeCode).to.equal(undefined);
      expect(new ConnectError('ws://h/', { code: 5 }).causeCode).to.equal(undefined);
    });

    it('should say that reconnecting cannot help when the failure is permanent', () => {
      const error = new ConnectError('ws://h/', new Error('no WebSocket'), true);
      expect(error.permanent).to.equal(true);
      expect(error.message).to.equal(
        'rxnova: could not connect to ws://h/: no WebSocket (the WebSocket constructor threw: reconnecting cannot help)',
      );
    });

    it('should redact the URL and secrets in the cause message', () => {
      const error = new ConnectError('wss://ann:pw@h/feed', new Error('failed at wss://h/?token=abc'));
      expect(error.message).to.equal('rxnova: could not connect to wss://h/feed: failed at wss://h/?token=[redacted]');
    });
  });

  describe('ConnectTimeoutError', () => {
    it('should name the redacted URL when given one', () => {
      const error = new ConnectTimeoutError(2000, 'wss://h/?token=abc');
      expect(error.message).to.equal('rxnova: connect timed out after 2000 ms (wss://h/?token=[redacted]): readyState CONNECTING');
      expect(error.timeout).to.equal(2000);
    });
  });

  describe('SocketClosedError', () => {
    it('should say why the socket is closed when it gave up', () => {
      expect(new SocketClosedError('request()', 'it gave up').message).to.equal('rxnova: request(): the socket is closed (it gave up)');
    });
  });

  describe('InvalidUrlError', () => {
    it('should show the redacted URL and keep the raw one hidden: not enumerable and not writable', () => {
      const error = new InvalidUrlError('ws://h/?token=abc#x', 'a WebSocket URL must not have a fragment');
      expect(error.url).to.equal('ws://h/?token=[redacted]#x');
      expect(error.rawUrl).to.equal('ws://h/?token=abc#x');
      const descriptor = Object.getOwnPropertyDescriptor(error, 'rawUrl');
      expect(descriptor).to.include({ enumerable: false, writable: false, configurable: true });
      expect(JSON.stringify(error)).not.to.include('abc');
    });
  });

  describe('MessageDroppedError', () => {
    it('should say why the message was dropped, for each reason', () => {
      expect(new MessageDroppedError('overflow').message).to.equal('rxnova: message dropped before it was written (the outbox overflowed)');
      expect(new MessageDroppedError('expired').message).to.equal('rxnova: message dropped before it was written (its ttl passed)');
      expect(new MessageDroppedError('expired').reason).to.equal('expired');
    });
  });

  describe('RequestTimeoutError and RemoteError', () => {
    it('should name the request id when there is one, 0 included', () => {
      expect(new RequestTimeoutError(500, 'r7').message).to.equal('rxnova: request r7 timed out after 500 ms');
      expect(new RequestTimeoutError(500, 0).message).to.equal('rxnova: request 0 timed out after 500 ms');
      expect(new RequestTimeoutError(500, 0)).to.include({ timeout: 500, id: 0 });
    });

    it("should keep the server's error code and data", () => {
      const error = new RemoteError('E_LIMIT', 'slow down', { retry: 5 });
      expect(error).to.include({ remoteCode: 'E_LIMIT' });
      expect(error.data).to.deep.equal({ retry: 5 });
    });
  });

  describe('isRxnovaError()', () => {
    it('should recognise any rxnova error, and one of a given code', () => {
      const error = new NotOpenError('CLOSED');
      expect(isRxnovaError(error)).to.equal(true);
      expect(isRxnovaError(error, 'RXNOVA_ERR_NOT_OPEN')).to.equal(true);
      expect(isRxnovaError(error, 'RXNOVA_ERR_AUTH')).to.equal(false);
    });

    it('should recognise an error from another copy of the package by its RXNOVA_ERR_ code', () => {
      const foreign = Object.assign(new Error('rxnova: socket is not open'), { code: 'RXNOVA_ERR_NOT_OPEN' });
      expect(isRxnovaError(foreign)).to.equal(true);
      expect(isRxnovaError(foreign, 'RXNOVA_ERR_NOT_OPEN')).to.equal(true);
      expect(isRxnovaError(foreign, 'RXNOVA_ERR_CODEC')).to.equal(false);
    });

    it('should refuse other errors and values', () => {
      expect(isRxnovaError(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))).to.equal(false);
      expect(isRxnovaError(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }), 'ECONNREFUSED' as never)).to.equal(false);
      expect(isRxnovaError(new Error('x'))).to.equal(false);
      expect(isRxnovaError({ code: 7 })).to.equal(false);
      expect(isRxnovaError(null)).to.equal(false);
      expect(isRxnovaError('RXNOVA_ERR_NOT_OPEN')).to.equal(false);
    });
  });

  describe('errorCodeOf()', () => {
    it('should return the string code of an error-like value, and undefined otherwise', () => {
      expect(errorCodeOf({ code: 'EPIPE' })).to.equal('EPIPE');
      expect(errorCodeOf({ code: 32 })).to.equal(undefined);
      expect(errorCodeOf(null)).to.equal(undefined);
      expect(errorCodeOf('EPIPE')).to.equal(undefined);
    });
  });
});
