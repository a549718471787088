/**
 * The built package, shared by the package specs: `scripts/build.js` runs
 * once per test process, however many specs need `dist/`.
 */
import { execFileSync, ExecFileSyncOptions } from 'node:child_process';
import * as path from 'node:path';

/** The repository root: the package as `npm pack` sees it. */
export const root = path.resolve(__dirname, '../..');

let built = false;

/** Builds `dist/` unless this process already did. */
export function buildOnce(): void {
  if (built) return;
  execFileSync(process.execPath, [path.join(root, 'scripts/build.js')], { cwd: root, stdio: 'pipe' });
  built = true;
}

/**
 * Runs `node` with `args` in the repository root (where `rxnova` resolves to
 * the package itself) and returns what it printed; a child that hangs is
 * killed after `timeout` ms and fails the spec instead of hanging it.
 */
export function runNode(args: string[], options: ExecFileSyncOptions & { timeout?: number } = {}): string {
  return execFileSync(process.execPath, args, { cwd: root, encoding: 'utf8', timeout: 30_000, ...options }) as string;
}
