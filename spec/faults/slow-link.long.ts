// The long runs of issue 12's slow link, outside `npm test` (about 2.5 minutes): `npm run test:long`, which CI runs.
import { slowLink, idleBlackHole } from './support/slow-link';

describe('a slow link at 8 KB/s with the default heartbeat (long)', function () {
  this.timeout(240_000);

  it('should keep a proxy forwarding 8 KB/s open for 2 minutes of continuous sending', async () => {
    await slowLink({ bytesPerSecond: 8192, sendFor: 120_000, messageSize: 1024, heartbeat: undefined, detectWithin: undefined });
  });

  it('should find an idle proxy that stops forwarding within interval + timeout (20 s)', async () => {
    await idleBlackHole(undefined, 20_000 + 3000);
  });
});
