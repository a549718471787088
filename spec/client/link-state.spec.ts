import { expect } from 'chai';
import { LinkState } from '../../src/client/link-state';
import type { SocketState } from '../../src/client/state';

describe('LinkState', () => {
  it('should start idle, not ended, with a closed state that nobody asked for', () => {
    const link = new LinkState();
    expect(link.phase).to.equal('idle');
    expect(link.ended).to.equal(false);
    expect(link.connection).to.equal(0);
    expect(link.state).to.deep.equal({ status: 'closed', requested: false, gaveUp: false });
  });

  it('should not count as ended in any phase but ended', () => {
    const link = new LinkState();
    for (const phase of ['idle', 'connecting', 'authenticating', 'open', 'closing'] as const) {
      link.phase = phase;
      expect(link.ended, phase).to.equal(false);
    }
  });

  it('should replay the current state to a new subscriber and emit each state set after', () => {
    const link = new LinkState();
    const seen: SocketState[] = [];
    link.set({ status: 'connecting', attempt: 1 } as SocketState);
    link.subscribe((state) => seen.push(state));
    link.set({ status: 'closed', requested: true, gaveUp: false });
    expect(seen.map((s) => s.status)).to.deep.equal(['connecting', 'closed']);
  });

  it('should end for good: phase ended, the final state emitted and state$ completed, even for a late subscriber', () => {
    const link = new LinkState();
    const final: SocketState = { status: 'closed', requested: true, gaveUp: false };
    let completed = false;
    link.subscribe({ complete: () => (completed = true) });
    link.end(final);
    expect(link.phase).to.equal('ended');
    expect(link.ended).to.equal(true);
    expect(completed).to.equal(true);
    const late: SocketState[] = [];
    let lateCompleted = false;
    link.subscribe({ next: (state) => late.push(state), complete: () => (lateCompleted = true) });
    expect(late).to.deep.equal([final]);
    expect(lateCompleted).to.equal(true);
  });
});
