/**
 * npm run soak: 1,000 forced disconnects under load against an acknowledging
 * server (see soak-run.ts). Prints lost, duplicates and heap growth per
 * cycle; exits 1 if anything was lost.
 *
 *   npm run soak              # 1,000 disconnects
 *   npm run soak -- 200       # another count
 */
import { runSoak } from './soak-run';

async function main(): Promise<void> {
  const disconnects = Number(process.argv[2] ?? 1000);
  const report = await runSoak({ disconnects });
  console.log(`soak: ${report.disconnects} disconnects in ${(report.ms / 1000).toFixed(1)} s`);
  console.log(`  requests sent ${report.sent}, acknowledged ${report.acknowledged}, lost ${report.lost}, never received by the server ${report.neverReceived}`);
  console.log(`  duplicates at the server ${report.duplicates} (resends of requests whose acknowledgement died with the connection)`);
  console.log(`  heap growth per disconnect ${report.heapPerCycle.toFixed(0)} bytes${typeof (globalThis as { gc?: unknown }).gc === 'function' ? '' : ' (run with node --expose-gc for a GC before each reading)'}`);
  if (report.failures.length > 0) console.log(`  failures: ${report.failures.join('; ')}`);
  process.exit(report.lost === 0 && report.disconnects === disconnects ? 0 : 1);
}

void main();
