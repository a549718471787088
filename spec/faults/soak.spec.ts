import { expect } from 'chai';
import { runSoak } from '../../bench/soak-run';

describe('the soak, short (50 forced disconnects under load)', () => {
  it('should lose no acknowledged-request message across 50 server-side terminations with inFlight: resend', async () => {
    const report = await runSoak({ disconnects: 50, deadline: 15_000 });
    expect(report.failures, 'request failures').to.deep.equal([]);
    expect(report.disconnects).to.equal(50);
    expect(report.lost, `lost of ${report.sent}`).to.equal(0);
    expect(report.neverReceived).to.equal(0);
    // At least once: a duplicate is a resend of a message the server read before it cut the connection without
    // acknowledging it; at most the requests outstanding at each cut.
    expect(report.duplicates).to.be.at.most(report.disconnects * 50);
  });
});
