/**
 * Summarises a V8 CPU profile written by `npm run bench -- --profile=ROW`:
 * the functions with the most self time, and the rxnova functions with their
 * self and total (inclusive) time.
 *
 *   npx ts-node --transpile-only bench/profile-summary.ts bench/results/profiles/text-rxnova-0.cpuprofile [top] [per]
 */
import * as fs from 'fs';
import * as path from 'path';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}
interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly hitCount?: number;
  readonly children?: readonly number[];
}
interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly startTime: number;
  readonly endTime: number;
}

function label(frame: CallFrame): string {
  const file = frame.url === '' ? '' : ` ${frame.url.replace(/^file:\/\//, '').replace(/^.*\/(node_modules|\.build-\d+)\//, (_, dir: string) => `${dir.startsWith('.build') ? 'build' : dir}/`)}:${frame.lineNumber + 1}`;
  return `${frame.functionName || '(anonymous)'}${file}`;
}

/** `per`: also print the total time of rxnova's functions divided by this count (e.g. messages or reconnect cycles), in µs. */
export function summarizeProfile(file: string, top = 25, per?: number): string {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const total = profile.samples.length;
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  // Inclusive time: each node's subtree hits, counted once per distinct function on the path.
  const walk = (node: ProfileNode, onPath: Set<string>): number => {
    const key = label(node.callFrame);
    const hits = node.hitCount ?? 0;
    self.set(key, (self.get(key) ?? 0) + hits);
    const fresh = !onPath.has(key);
    if (fresh) onPath.add(key);
    let sum = hits;
    for (const child of node.children ?? []) sum += walk(byId.get(child)!, onPath);
    if (fresh) {
      onPath.delete(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + sum);
    }
    return sum;
  };
  walk(profile.nodes[0]!, new Set());
  const usPerSample = (profile.endTime - profile.startTime) / total;
  const pct = (n: number): string =>
    `${((100 * n) / total).toFixed(1).padStart(5)}%${per === undefined ? '' : ` ${((n * usPerSample) / per).toFixed(1).padStart(6)} µs`}`;
  const lines = [`${path.basename(file)}: ${total} samples`, '', 'self time, top functions:'];
  for (const [key, hits] of [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`  ${pct(hits)}  ${key}`);
  lines.push('', 'rxnova functions (self, total):');
  for (const [key, hits] of [...inclusive.entries()].filter(([key]) => key.includes('build/src/')).sort((a, b) => b[1] - a[1]).slice(0, top)) {
    lines.push(`  ${pct(self.get(key) ?? 0)} ${pct(hits)}  ${key}`);
  }
  return lines.join('\n');
}

if (require.main === module) {
  const [file, top, per] = process.argv.slice(2);
  if (file === undefined) {
    console.error('usage: profile-summary.ts FILE.cpuprofile [top] [count to divide the time by]');
    process.exit(2);
  }
  console.log(summarizeProfile(file, top === undefined ? 25 : Number(top), per === undefined ? undefined : Number(per)));
}
