/**
 * RealtimeService under TestBed, zoneless, with no server and no real time:
 * a TestTransport from 'rxnova/testing' plays the server, and a virtual-time
 * scheduler (rxjs TestScheduler, used outside run()) drives every delay.
 */
import './dom.js'; // jsdom, before Angular
import '@angular/compiler'; // JIT, for TestBed's testing module
import { provideZonelessChangeDetection } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { BrowserTestingModule, platformBrowserTesting } from '@angular/platform-browser/testing';
import assert from 'node:assert/strict';
import { afterEach, before, beforeEach, describe, it } from 'node:test';
import { TestScheduler } from 'rxjs/testing';
import { ConnectionClosedError } from 'rxnova';
import { TestSocket, TestTransport } from 'rxnova/testing';
import { ChatComponent } from '../src/chat.component.js';
import { provideRealtime, RealtimeService } from '../src/realtime.service.js';

/** Runs every action due up to `ms` from now on the virtual clock, and moves the clock there. */
function advance(scheduler: TestScheduler, ms: number): void {
  const until = scheduler.now() + ms;
  scheduler.maxFrames = until;
  scheduler.flush();
  scheduler.frame = until;
}

describe('RealtimeService', () => {
  let scheduler: TestScheduler;
  let transport: TestTransport;

  before(() => {
    TestBed.initTestEnvironment(BrowserTestingModule, platformBrowserTesting());
  });

  beforeEach(() => {
    scheduler = new TestScheduler((actual, expected) => assert.deepEqual(actual, expected));
    // The browser's transport cannot send ping frames or headers; the test one plays the same part.
    transport = new TestTransport({ scheduler, capabilities: { ping: false, headers: false } });
    TestBed.configureTestingModule({
      providers: [provideZonelessChangeDetection(), provideRealtime({ url: 'wss://chat.example.test/socket', transport, scheduler })],
    });
  });

  afterEach(() => {
    TestBed.resetTestingModule();
  });

  /** The server's side of the newest socket. */
  function server(): TestSocket {
    const socket = transport.last;
    assert.ok(socket, 'no socket was opened');
    return socket;
  }

  it('should open and show each server message in the messages signal', () => {
    const realtime = TestBed.inject(RealtimeService);
    assert.equal(realtime.status(), 'connecting');

    advance(scheduler, 1);
    assert.equal(realtime.status(), 'open');
    assert.equal(realtime.connected(), true);

    server().receive(JSON.stringify({ user: 'ann', text: 'hello' }));
    server().receive(JSON.stringify({ user: 'bob', text: 'hi ann' }));
    assert.deepEqual(realtime.messages(), [
      { user: 'ann', text: 'hello' },
      { user: 'bob', text: 'hi ann' },
    ]);
  });

  it('should show reconnecting after a server drop, then open again on a new socket', () => {
    const realtime = TestBed.inject(RealtimeService);
    advance(scheduler, 1);
    assert.equal(realtime.status(), 'open');

    server().drop();
    assert.equal(realtime.status(), 'reconnecting');
    assert.equal(realtime.connected(), false);

    advance(scheduler, 1_000); // past the first backoff delay (at most 500 ms with full jitter)
    assert.equal(realtime.status(), 'open');
    assert.equal(transport.sockets.length, 2);
  });

  it('should send at once while open, and queue what is sent while down until the next open', () => {
    const realtime = TestBed.inject(RealtimeService);
    realtime.send({ user: 'me', text: 'queued' });
    advance(scheduler, 1);
    realtime.send({ user: 'me', text: 'direct' });
    assert.deepEqual(
      transport.written.map((write) => write.frame),
      [
        { type: 'text', data: JSON.stringify({ user: 'me', text: 'queued' }) },
        { type: 'text', data: JSON.stringify({ user: 'me', text: 'direct' }) },
      ],
    );
  });

  it('should show closed and the error when the server closes with a code the close policy stops on', () => {
    const realtime = TestBed.inject(RealtimeService);
    advance(scheduler, 1);
    server().close(4001, 'banned');
    const state = realtime.state();
    assert.ok(state.status === 'closed', `status ${state.status}`);
    assert.deepEqual([state.code, state.reason, state.gaveUp, state.requested], [4001, 'banned', true, false]);
    const error = realtime.error();
    assert.ok(error instanceof ConnectionClosedError);
    assert.equal(error.closeCode, 4001);
    advance(scheduler, 60_000);
    assert.equal(transport.sockets.length, 1);
  });

  it('should end the backoff wait at once with reconnectNow()', () => {
    const realtime = TestBed.inject(RealtimeService);
    advance(scheduler, 1);
    server().drop();
    assert.equal(realtime.status(), 'reconnecting');
    assert.equal(realtime.canReconnect(), true);
    realtime.reconnectNow();
    assert.equal(realtime.status(), 'connecting');
    advance(scheduler, 1); // the new socket opens after 1 ms, whatever the backoff had drawn
    assert.equal(realtime.status(), 'open');
    assert.equal(transport.sockets.length, 2);
  });

  it('should start a new socket with reconnectNow() after the last one gave up, and carry on with its messages', () => {
    const realtime = TestBed.inject(RealtimeService);
    advance(scheduler, 1);
    server().close(4001, 'banned');
    assert.equal(realtime.status(), 'closed');
    assert.ok(realtime.error() instanceof ConnectionClosedError);
    assert.equal(realtime.canReconnect(), true);

    realtime.reconnectNow();
    assert.equal(realtime.error(), undefined);
    advance(scheduler, 1);
    assert.equal(realtime.status(), 'open');
    assert.equal(transport.sockets.length, 2);
    server().receive(JSON.stringify({ user: 'ann', text: 'welcome back' }));
    assert.deepEqual(realtime.messages(), [{ user: 'ann', text: 'welcome back' }]);
    realtime.send({ user: 'me', text: 'thanks' });
    assert.deepEqual(server().writtenTexts, [JSON.stringify({ user: 'me', text: 'thanks' })]);
  });

  it('should show "Reconnect now" only while it can do something, and reconnect when it is clicked', async () => {
    const fixture = TestBed.createComponent(ChatComponent);
    const view = fixture.nativeElement as HTMLElement;
    const button = (): HTMLButtonElement | null => view.querySelector<HTMLButtonElement>('button.reconnect');
    advance(scheduler, 1);
    await fixture.whenStable();
    assert.equal(button(), null);
    server().close(4001, 'banned');
    await fixture.whenStable();
    assert.ok(button());
    button()!.click();
    advance(scheduler, 1);
    await fixture.whenStable();
    assert.equal(view.querySelector('.status')?.textContent?.trim(), 'open');
    assert.equal(button(), null);
  });

  it('should close the socket with 1000 when the application is destroyed', () => {
    TestBed.inject(RealtimeService);
    advance(scheduler, 1);
    const socket = server();
    assert.equal(socket.readyState, 'OPEN');

    TestBed.resetTestingModule(); // destroys the root injector, as destroying the application does
    advance(scheduler, 5_000);
    assert.equal(socket.readyState, 'CLOSED');
    assert.equal(socket.closedBy, 'client');
    assert.equal(socket.closeCode, 1000);
    assert.equal(transport.sockets.length, 1);
  });

  it('should render the status and the messages, and send what the user types', async () => {
    const fixture = TestBed.createComponent(ChatComponent);
    fixture.componentRef.setInput('user', 'me');
    const view = fixture.nativeElement as HTMLElement;
    const status = (): string => view.querySelector('.status')?.textContent?.trim() ?? '';
    await fixture.whenStable();
    assert.equal(status(), 'connecting');

    advance(scheduler, 1);
    await fixture.whenStable();
    assert.equal(status(), 'open');
    assert.equal(view.querySelector('.status')?.classList.contains('online'), true);

    server().receive(JSON.stringify({ user: 'ann', text: 'hello' }));
    await fixture.whenStable();
    assert.deepEqual(
      [...view.querySelectorAll('li')].map((item) => item.textContent?.trim()),
      ['ann hello'],
    );

    const input = view.querySelector('input');
    assert.ok(input);
    input.value = 'hi ann';
    view.querySelector<HTMLButtonElement>('button.send')?.click();
    await fixture.whenStable();
    assert.equal(input.value, '');
    assert.deepEqual(transport.written.map((write) => write.frame), [{ type: 'text', data: JSON.stringify({ user: 'me', text: 'hi ann' }) }]);
  });
});
