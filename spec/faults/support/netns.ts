/**
 * A network namespace of the fault specs' own, for the faults that need the
 * kernel: an iptables DROP rule that black-holes a live connection, and a
 * `tc tbf` slow link. As root only (see /work/shared/TESTING-WITH-REAL-PEERS.md).
 *
 * The lab is a namespace `rxnova-<pid>-<n>` joined to this one by a veth
 * pair (`rxh<pid>n<n>` here, `rxn<pid>n<n>` there) on a /30 of 10.200.0.0/16
 * no other interface uses; a ws echo server runs inside it
 * (netns_echo_server.js, started with `ip netns exec`). `dispose()` removes
 * all of it, and is safe to call after a failed or partial setup.
 */
import { ChildProcess, execFileSync, spawn } from 'child_process';
import { join } from 'path';
import { createInterface } from 'readline';

/** Runs a command, returning its stdout; throws with its stderr. */
function run(command: string, args: readonly string[]): string {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`${command} ${args.join(' ')} failed: ${stderr.trim() || (error as Error).message}`);
  }
}

/** Runs a command, ignoring a failure (for cleanup). */
function attempt(command: string, args: readonly string[]): void {
  try {
    run(command, args);
  } catch {
    // already gone
  }
}

/** Why a lab cannot be made here, or `undefined` when it can (root, and ip, iptables and tc present). */
export function netnsUnavailable(): string | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return 'not running as root';
  for (const tool of ['ip', 'iptables', 'tc']) {
    try {
      run('sh', ['-c', `command -v ${tool}`]);
    } catch {
      return `${tool} is not installed (apt-get install -y --no-install-recommends ${tool === 'ip' || tool === 'tc' ? 'iproute2' : tool})`;
    }
  }
  return undefined;
}

/** The ws echo server inside the lab. */
export interface LabServer {
  readonly port: number;
  /** `ws://<lab address>:<port>/`. */
  readonly url: string;
  /** The text messages it received, over every connection, in arrival order. */
  readonly got: string[];
  /** Bytes of the binary messages it received. */
  bytes(): number;
  /** Connections it accepted. */
  opens(): number;
  stop(): Promise<void>;
}

export interface NetnsLab {
  /** The namespace's name. */
  readonly name: string;
  /** The address of the lab's end of the veth pair. */
  readonly address: string;
  /** Starts a ws echo server inside the namespace. */
  startEchoServer(): Promise<LabServer>;
  /** Drops every TCP packet that reaches `port` inside the namespace (iptables INPUT DROP), or stops dropping. */
  blackHole(port: number, on: boolean): void;
  /** Limits what this side sends into the lab to `rate` (a tc rate: `64kbit`, `2mbit`) with a tbf qdisc, or removes the limit. */
  throttle(rate: string | undefined): void;
  /** Stops the servers and removes the veth pair and the namespace. Idempotent. */
  dispose(): Promise<void>;
}

let labs = 0;

/** A /30 in 10.200.0.0/16 that no interface of this namespace uses yet (host addresses .1 and .2 of it). */
function freeSubnet(): { here: string; there: string } {
  const used = run('ip', ['-4', '-o', 'addr', 'show']);
  for (let i = 0; i < 64; i++) {
    const third = (process.pid + labs * 7 + i) % 250;
    const here = `10.200.${third}.1`;
    if (!used.includes(`10.200.${third}.`)) return { here, there: `10.200.${third}.2` };
  }
  throw new Error('no free 10.200.x.0/30 subnet for the lab');
}

/** Makes a lab; on any failure it removes what it made and throws with the reason. */
export async function createNetnsLab(): Promise<NetnsLab> {
  const n = labs++;
  const name = `rxnova-${process.pid}-${n}`;
  const outside = `rxh${process.pid}n${n}`;
  const inside = `rxn${process.pid}n${n}`;
  const servers = new Set<ChildProcess>();
  const inLab = (command: string, ...args: string[]): string => run('ip', ['netns', 'exec', name, command, ...args]);
  const dispose = async (): Promise<void> => {
    await Promise.all(
      [...servers].map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGKILL');
          }),
      ),
    );
    servers.clear();
    attempt('ip', ['link', 'del', outside]);
    attempt('ip', ['netns', 'del', name]);
  };
  try {
    const { here, there } = freeSubnet();
    run('ip', ['netns', 'add', name]);
    inLab('ip', 'link', 'set', 'lo', 'up');
    run('ip', ['link', 'add', outside, 'type', 'veth', 'peer', 'name', inside]);
    run('ip', ['link', 'set', inside, 'netns', name]);
    run('ip', ['addr', 'add', `${here}/30`, 'dev', outside]);
    run('ip', ['link', 'set', outside, 'up']);
    inLab('ip', 'addr', 'add', `${there}/30`, 'dev', inside);
    inLab('ip', 'link', 'set', inside, 'up');
    // iptables must work in there too (the nft backend, a kernel with nf_tables).
    inLab('iptables', '-S', 'INPUT');
    return {
      name,
      address: there,
      startEchoServer: async () => {
        const child = spawn('ip', ['netns', 'exec', name, process.execPath, join(__dirname, 'netns_echo_server.js'), there], { stdio: ['pipe', 'pipe', 'pipe'] });
        servers.add(child);
        const got: string[] = [];
        let bytes = 0;
        let opens = 0;
        let stderr = '';
        child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
        const port = await new Promise<number>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`the lab's echo server did not start: ${stderr}`)), 10_000);
          child.once('exit', (code) => {
            clearTimeout(timer);
            reject(new Error(`the lab's echo server exited with ${String(code)}: ${stderr.trim()}`));
          });
          createInterface({ input: child.stdout! }).on('line', (line) => {
            const fact = JSON.parse(line) as { port?: number; open?: number; got?: string; bytes?: number };
            if (fact.port !== undefined) {
              clearTimeout(timer);
              resolve(fact.port);
            } else if (fact.open !== undefined) opens++;
            else if (fact.got !== undefined) got.push(fact.got);
            else if (fact.bytes !== undefined) bytes += fact.bytes;
          });
        });
        return {
          port,
          url: `ws://${there}:${port}/`,
          got,
          bytes: () => bytes,
          opens: () => opens,
          stop: () =>
            new Promise<void>((resolve) => {
              servers.delete(child);
              if (child.exitCode !== null || child.signalCode !== null) return resolve();
              child.once('exit', () => resolve());
              child.kill('SIGKILL');
            }),
        };
      },
      blackHole: (port, on) => {
        inLab('iptables', on ? '-I' : '-D', 'INPUT', '-p', 'tcp', '--dport', String(port), '-j', 'DROP');
      },
      throttle: (rate) => {
        if (rate === undefined) run('tc', ['qdisc', 'del', 'dev', outside, 'root']);
        else run('tc', ['qdisc', 'replace', 'dev', outside, 'root', 'tbf', 'rate', rate, 'burst', '16kb', 'latency', '200ms']);
      },
      dispose,
    };
  } catch (error) {
    await dispose();
    throw error;
  }
}
