/**
 * rxnova in a real browser: an app bundled by esbuild from the `rxnova`
 * entry runs in headless Chromium (Debian's, driven by playwright-core)
 * on the browser's own WebSocket, against a `ws` server on 127.0.0.1.
 *
 * Run with `npm run test:browser` (needs /usr/bin/chromium;
 * scripts/ci/browser.sh installs it). Every wait is for a state, an event
 * or a message, bounded; nothing sleeps.
 */
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import type { EventRecord, HarnessGlobal, Message, SocketRecord, SocketSpec, StateRecord } from './app';
import { Browser, bundleApp, EchoServer, FileServer, launchChromium, serveFiles, startEchoServer } from './support';

/** How long any one wait in the page may take before the spec fails with what the page saw. */
const WITHIN = 10_000;

/** The spec's handle on the page's harness: each call is one `page.evaluate`. */
class PageHarness {
  constructor(private readonly page: Page) {}

  open(id: string, spec: SocketSpec): Promise<void> {
    return this.page.evaluate(({ id, spec }) => (globalThis as unknown as HarnessGlobal).harness.open(id, spec), { id, spec });
  }

  send(id: string, message: Message): Promise<void> {
    return this.page.evaluate(({ id, message }) => (globalThis as unknown as HarnessGlobal).harness.send(id, message), { id, message });
  }

  close(id: string, code: number, reason: string): Promise<void> {
    return this.page.evaluate(({ id, code, reason }) => (globalThis as unknown as HarnessGlobal).harness.close(id, code, reason), { id, code, reason });
  }

  retryNow(id: string): Promise<boolean> {
    return this.page.evaluate((id) => (globalThis as unknown as HarnessGlobal).harness.retryNow(id), id);
  }

  fire(target: 'window' | 'document', type: string): Promise<void> {
    return this.page.evaluate(({ target, type }) => (globalThis as unknown as HarnessGlobal).harness.fire(target, type), { target, type });
  }

  record(id: string): Promise<SocketRecord> {
    return this.page.evaluate((id) => (globalThis as unknown as HarnessGlobal).harness.record(id), id);
  }

  waitForState(id: string, status: StateRecord['status'], count = 1): Promise<SocketRecord> {
    return this.page.evaluate(
      ({ id, status, count, within }) => (globalThis as unknown as HarnessGlobal).harness.waitForState(id, status, count, within),
      { id, status, count, within: WITHIN },
    );
  }

  waitForEvent(id: string, type: EventRecord['type'], count = 1): Promise<SocketRecord> {
    return this.page.evaluate(
      ({ id, type, count, within }) => (globalThis as unknown as HarnessGlobal).harness.waitForEvent(id, type, count, within),
      { id, type, count, within: WITHIN },
    );
  }

  waitForMessages(id: string, count: number): Promise<SocketRecord> {
    return this.page.evaluate(
      ({ id, count, within }) => (globalThis as unknown as HarnessGlobal).harness.waitForMessages(id, count, within),
      { id, count, within: WITHIN },
    );
  }
}

/** Waits in Node, polling, until `done()` holds; fails after {@link WITHIN} ms naming `what`. */
async function until(what: string, done: () => boolean): Promise<void> {
  const deadline = Date.now() + WITHIN;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function events(record: SocketRecord, type: EventRecord['type']): EventRecord[] {
  return record.events.filter((event) => event.type === type);
}

describe('rxnova in headless Chromium', function () {
  this.timeout(60_000);

  let inputs: readonly string[];
  let code: string;
  let files: FileServer;
  let browser: Browser;
  let page: Page;
  let harness: PageHarness;
  let server: EchoServer;

  before(async () => {
    ({ code, inputs } = await bundleApp());
    files = await serveFiles({
      '/': ['text/html; charset=utf-8', '<!doctype html><html><head><title>rxnova</title><script src="/app.js"></script></head><body></body></html>'],
      '/app.js': ['text/javascript; charset=utf-8', code],
      '/favicon.ico': ['image/x-icon', ''],
    });
    browser = await launchChromium();
    page = browser.page;
    harness = new PageHarness(page);
  });

  after(async () => {
    await browser?.close();
    await files?.close();
  });

  beforeEach(async () => {
    server = await startEchoServer();
    await page.goto(`${files.url}/`);
    expect(await page.evaluate(() => typeof (globalThis as unknown as Partial<HarnessGlobal>).harness)).to.equal('object');
  });

  afterEach(async () => {
    await page.goto('about:blank'); // ends the page's sockets before the server goes
    await server.close();
    expect(browser.pageErrors, 'errors thrown in the page').to.deep.equal([]);
  });

  function spec(extra: Partial<SocketSpec> = {}): SocketSpec {
    return { url: server.url, reconnectDelay: 20, ...extra };
  }

  describe('the bundle', () => {
    it('should contain no trace of ws when an app is bundled from the rxnova entry for the browser', () => {
      expect(inputs.filter((input) => /(^|\/)node_modules\/ws\//.test(input)), 'ws sources in the bundle').to.deep.equal([]);
      expect(inputs.filter((input) => /src\/(node|transport\/ws)\.ts$/.test(input)), 'the Node entry or the ws transport in the bundle').to.deep.equal([]);
      expect(inputs.some((input) => input.endsWith('src/index.ts')), 'the rxnova entry in the bundle').to.equal(true);
      expect(code).not.to.match(/require\(\s*["']ws["']\s*\)/);
      expect(code).not.to.match(/\brequire\(/);
      expect(code).not.to.include('258EAFA5-E914-47DA-95CA-C5AB0DC85B11'); // the handshake GUID every server-side implementation such as ws carries
    });
  });

  describe('echo', () => {
    it('should deliver messages queued before the open, in order, and echo one sent while open', async () => {
      await harness.open('a', spec());
      for (const n of [1, 2, 3]) await harness.send('a', { type: 'echo', n });
      let record = await harness.waitForMessages('a', 3);
      expect(record.messages).to.deep.equal([1, 2, 3].map((n) => ({ type: 'echo', n })));
      expect(record.states.map((s) => s.status)).to.deep.equal(['connecting', 'open']);

      await harness.send('a', { type: 'echo', n: 4 });
      record = await harness.waitForMessages('a', 4);
      expect(record.messages[3]).to.deep.equal({ type: 'echo', n: 4 });
      expect(server.connections).to.have.length(1);
      expect(server.connections[0]!.received).to.deep.equal([1, 2, 3, 4].map((n) => ({ type: 'echo', n })));
    });

    it('should close with the code and reason the app gives and complete messages$ when close() is called', async () => {
      await harness.open('a', spec());
      await harness.waitForState('a', 'open');
      await harness.close('a', 4100, 'logged out');
      const record = await harness.waitForState('a', 'closed');
      expect(record.states.map((s) => s.status)).to.deep.equal(['connecting', 'open', 'closing', 'closed']);
      expect(record.states[3]).to.include({ requested: true, gaveUp: false });
      expect(record.messagesComplete).to.equal(true);
      await until('the server to see the close', () => server.connections[0]?.closed !== undefined);
      expect(server.connections[0]!.closed).to.deep.equal({ code: 4100, reason: 'logged out' });
    });
  });

  describe('reconnect', () => {
    it('should reconnect and echo again when the server closes with 1012 (restarting)', async () => {
      await harness.open('a', spec());
      await harness.waitForState('a', 'open');
      server.connections[0]!.socket.close(1012, 'restarting');
      let record = await harness.waitForState('a', 'open', 2);
      expect(record.states.map((s) => s.status)).to.deep.equal(['connecting', 'open', 'reconnecting', 'connecting', 'open']);
      expect(record.states[2]!.error).to.include({ name: 'ConnectionClosedError', closeCode: 1012, reason: 'restarting', wasClean: true });
      expect(events(record, 'closed')).to.have.length(1);
      expect(events(record, 'closed')[0]).to.include({ code: 1012, reason: 'restarting', wasClean: true, initiator: 'server' });

      await harness.send('a', { type: 'echo', n: 1 });
      record = await harness.waitForMessages('a', 1);
      expect(server.connections).to.have.length(2);
      expect(server.connections[1]!.received).to.deep.equal([{ type: 'echo', n: 1 }]);
    });

    it('should reconnect when the server terminates the connection without a closing handshake', async () => {
      await harness.open('a', spec());
      await harness.waitForState('a', 'open');
      server.connections[0]!.socket.terminate();
      const record = await harness.waitForState('a', 'open', 2);
      expect(record.states.map((s) => s.status)).to.deep.equal(['connecting', 'open', 'reconnecting', 'connecting', 'open']);
      expect(record.states[2]!.error).to.include({ name: 'ConnectionClosedError', closeCode: 1006, wasClean: false });
      expect(events(record, 'closed')[0]).to.include({ code: 1006, wasClean: false, initiator: 'network' });
      expect(server.connections).to.have.length(2);
    });
  });

  describe('reconnect now', () => {
    // A minute of backoff: only a trigger can bring the socket back within the test's time.
    const waiting = async (): Promise<void> => {
      await harness.open('a', spec({ reconnectDelay: 60_000, triggers: true }));
      await harness.waitForState('a', 'open');
      server.connections[0]!.socket.terminate();
      await harness.waitForState('a', 'reconnecting');
    };

    it("should dial at once on the window's online event (online())", async () => {
      await waiting();
      await harness.fire('window', 'offline'); // going offline changes nothing
      await harness.fire('window', 'online');
      const record = await harness.waitForState('a', 'open', 2);
      expect(record.states.map((s) => s.status)).to.deep.equal(['connecting', 'open', 'reconnecting', 'connecting', 'open']);
      expect(server.connections).to.have.length(2);
    });

    it('should dial at once when the page becomes visible (visible())', async () => {
      await waiting();
      await harness.fire('document', 'visibilitychange'); // a headless page is always visible
      await harness.waitForState('a', 'open', 2);
      expect(server.connections).to.have.length(2);
    });

    it('should dial at once on retryNow(), and say false while open', async () => {
      await waiting();
      expect(await harness.retryNow('a')).to.equal(true);
      await harness.waitForState('a', 'open', 2);
      expect(await harness.retryNow('a')).to.equal(false);
      expect(server.connections).to.have.length(2);
    });
  });

  describe('application-level heartbeat', () => {
    const heartbeat = { interval: 100, timeout: 1_000 };

    it('should measure round trips with the app ping and keep pongs out of messages$ while the server answers', async () => {
      await harness.open('a', spec({ heartbeat }));
      const record = await harness.waitForEvent('a', 'rtt', 2);
      expect(events(record, 'rtt').every((event) => typeof event.rtt === 'number' && event.rtt >= 0)).to.equal(true);
      expect(record.messages).to.deep.equal([]);
      expect(server.connections[0]!.received.filter((m) => (m as Message).type === 'ping').length).to.be.at.least(2);
      expect(events(record, 'heartbeat-timeout')).to.deep.equal([]);
    });

    it('should reconnect when the server stops answering the app ping', async () => {
      await harness.open('a', spec({ heartbeat }));
      await harness.waitForEvent('a', 'rtt', 1);
      server.connections[0]!.answerPings = false;
      let record = await harness.waitForState('a', 'open', 2);
      expect(events(record, 'heartbeat-timeout')).to.have.length(1);
      expect(record.states.find((s) => s.status === 'reconnecting')!.error).to.include({ name: 'HeartbeatTimeoutError' });
      const rtts = events(record, 'rtt').length;
      record = await harness.waitForEvent('a', 'rtt', rtts + 1); // the new connection answers
      expect(server.connections).to.have.length(2);
      await until('the silent connection to be closed', () => server.connections[0]!.closed !== undefined);
    });
  });

  describe('close codes as the browser reports them', () => {
    it('should report an application close code and reason on state$ and events$ and reconnect when the policy retries it', async () => {
      await harness.open('a', spec({ codes: { 4000: 'retry' } }));
      await harness.waitForState('a', 'open');
      server.connections[0]!.socket.close(4000, 'maintenance');
      const record = await harness.waitForState('a', 'open', 2);
      expect(events(record, 'closed')[0]).to.include({ code: 4000, reason: 'maintenance', wasClean: true, initiator: 'server' });
      expect(events(record, 'closed')[0]!.error).to.include({ name: 'ConnectionClosedError', closeCode: 4000, reason: 'maintenance' });
      expect(record.states.find((s) => s.status === 'reconnecting')!.error).to.include({ closeCode: 4000, reason: 'maintenance' });
    });

    it('should stop with the code and reason on state$, events$ and messages$ when the close policy stops on the code', async () => {
      await harness.open('a', spec());
      await harness.waitForState('a', 'open');
      server.connections[0]!.socket.close(4001, 'kicked');
      const record = await harness.waitForState('a', 'closed');
      expect(record.states.map((s) => s.status)).to.deep.equal(['connecting', 'open', 'closed']);
      expect(record.states[2]).to.include({ code: 4001, reason: 'kicked', wasClean: true, requested: false, gaveUp: true });
      expect(record.states[2]!.error).to.include({ name: 'ConnectionClosedError', closeCode: 4001, reason: 'kicked' });
      expect(events(record, 'closed')[0]).to.include({ code: 4001, reason: 'kicked', initiator: 'server' });
      expect(events(record, 'gave-up')).to.have.length(1);
      expect(record.messagesError).to.include({ name: 'ConnectionClosedError', closeCode: 4001, reason: 'kicked' });
      expect(server.connections).to.have.length(1);
    });
  });
});
