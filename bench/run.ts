/**
 * `npm run bench` (full mode, the README figures) and `npm run bench:quick`
 * (under 3 minutes): rxnova against raw ws and the peers, in one sitting.
 *
 * The echo server runs in its own process (bench/server.ts); each
 * measurement runs in a fresh client process (bench/child.ts) holding one
 * client kind, and the kinds take turns run after run (A B C, B C A, ...),
 * so drift on the machine hits them alike. Prints markdown tables of medians,
 * min-max and ratios to raw ws, and writes the same as JSON (and markdown)
 * to bench/results/. Only 127.0.0.1; every wait has a timeout; children are
 * killed on exit.
 *
 * Options:
 *   --quick              short runs (smoke test; CI may run this, never the full mode)
 *   --only=a,b           sections: text,binary,latency,memory,reconnect,idle
 *   --kinds=a,b          client kinds (ws is always kept: it is the baseline)
 *   --runs=N             runs per row (default 3)
 *   --profile=row,row    write a V8 CPU profile of those rows' children to bench/results/profiles/
 *   --profile-interval=N sampling interval of those profiles in microseconds (V8's default: 1000)
 *   --json=FILE          where to write the JSON (default bench/results/bench-<mode>.json)
 *   --pin                clients on CPU 0, echo server on CPU 1 (Linux taskset), for steadier figures on a quiet machine
 */
import { ChildProcess, fork } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { build } from './build';
import type { CodecKind, Kind } from './clients';
import { formatNumber, formatRatio, median, summarize, Summary } from './stats';
import type { ChildMessage, Metrics, Task } from './tasks';

const ROOT = path.resolve(__dirname, '..');
const RESULTS = path.join(ROOT, 'bench', 'results');

// ---- options -----------------------------------------------------------------------------------

function option(name: string): string | undefined {
  const prefix = `--${name}=`;
  const found = process.argv.find((arg) => arg.startsWith(prefix));
  return found?.slice(prefix.length);
}
const QUICK = process.argv.includes('--quick');
const MODE = QUICK ? 'quick' : 'full';
const RUNS = Number(option('runs') ?? 3);
const ONLY = option('only')?.split(',');
const KIND_FILTER = option('kinds')?.split(',');
const PROFILE = new Set(option('profile')?.split(',') ?? []);
const PROFILE_INTERVAL = option('profile-interval');
/** Pin the echo server to CPU 1 and the clients to CPU 0 (Linux `taskset`): steadier figures on a quiet 2-core machine. */
const PIN = process.argv.includes('--pin');

/** fork() options that run the child under `taskset -c CPU` when pinning. */
function pinned(cpu: number, execArgv: string[]): { execPath?: string; execArgv: string[] } {
  return PIN ? { execPath: 'taskset', execArgv: ['-c', String(cpu), process.execPath, ...execArgv] } : { execArgv };
}
const JSON_FILE = option('json') ?? path.join(RESULTS, `bench-${MODE}.json`);

const P = QUICK
  ? {
      throughput: { warmupMs: 200, durationMs: 600 },
      latency: { warmup: 300, samples: 1_500, maxMs: 8_000 },
      memory: { sizes: [1_000, 10_000], runs: 1, bigKinds: ['ws', 'rxnova-transport', 'rxnova', 'rxjs'] as Kind[] },
      reconnect: { cycles: 50 },
      idle: { connections: 10_000, settleMs: 1_500, durationMs: 3_000, runs: 1 },
    }
  : {
      throughput: { warmupMs: 1_000, durationMs: 3_000 },
      latency: { warmup: 2_000, samples: 20_000, maxMs: 30_000 },
      memory: { sizes: [1_000, 10_000], runs: RUNS, bigKinds: undefined },
      reconnect: { cycles: 500 },
      idle: { connections: 10_000, settleMs: 2_500, durationMs: 10_000, runs: RUNS },
    };

// ---- the plan ----------------------------------------------------------------------------------

type Direction = 'higher' | 'lower';
interface MetricSpec {
  readonly key: string;
  readonly label: string;
  readonly unit: string;
  readonly better: Direction;
}
type TaskSpec = Task extends infer T ? (T extends Task ? Omit<T, 'url'> : never) : never;
interface Row {
  readonly id: string;
  readonly label: string;
  readonly task: TaskSpec;
  /** Client and server run with ws's native bufferutil (otherwise WS_NO_BUFFER_UTIL=1 for both). */
  readonly bufferutil?: boolean;
}
interface Section {
  readonly id: string;
  readonly title: string;
  readonly metrics: readonly MetricSpec[];
  readonly rows: readonly Row[];
  readonly runs: number;
  /** Milliseconds a child may take before it is killed. */
  readonly timeoutMs: number;
  readonly note?: string;
}

const LABEL: Record<Kind, string> = {
  ws: 'raw ws 8',
  'rxnova-transport': 'rxnova wsTransport()',
  rxnova: 'rxnova connect()',
  rxjs: 'rxjs webSocket (ws as WebSocketCtor)',
  'reconnecting-websocket': 'reconnecting-websocket 4.4',
  partysocket: 'partysocket 1.3 (partysocket/ws)',
  'websocket-ts': 'websocket-ts 2.3',
};
const PEERS: readonly Kind[] = ['reconnecting-websocket', 'partysocket', 'websocket-ts'];
const base = { telemetry: false } as const;

function row(kind: Kind, codec: CodecKind, task: Omit<TaskSpec, 'kind' | 'codec' | 'telemetry'>, extra: Partial<Row> & { suffix?: string; telemetry?: boolean } = {}): Row {
  const { suffix, telemetry = false, ...rest } = extra;
  return {
    id: `${kind}${suffix ?? ''}`,
    label: LABEL[kind],
    task: { ...base, ...task, kind, codec, telemetry } as TaskSpec,
    ...rest,
  };
}

/**
 * The rows of an echo section, in table order: raw ws, wsTransport(), connect() with the codec,
 * `more` (listed after connect()), rxjs webSocket with identity (de)serializers, then the peers.
 */
function echoRows(codec: 'text' | 'binary', task: Omit<TaskSpec, 'kind' | 'codec' | 'telemetry'>, more: readonly Row[] = []): Row[] {
  return [
    row('ws', codec, task, codec === 'text' ? { label: 'raw ws 8 (strings)' } : {}),
    row('rxnova-transport', codec, task),
    row('rxnova', codec, task, { label: `rxnova connect(), ${codec}()` }),
    ...more,
    row('rxjs', codec, task, { label: 'rxjs webSocket, identity (de)serializer' }),
    ...PEERS.map((kind) => row(kind, codec, task)),
  ];
}

const CPU_PER_MESSAGE: MetricSpec = { key: 'cpuUsPerMsg', label: 'client CPU µs/msg', unit: 'µs', better: 'lower' };

function plan(bufferutilNative: boolean): Section[] {
  const sections: Section[] = [];
  const t = { measure: 'throughput', window: 1_000, maxMessages: 50_000_000, ...P.throughput } as const;
  const text = { ...t, size: 64 };
  sections.push({
    id: 'text',
    title: '64 B text echo, 1 connection, 1,000 in flight',
    metrics: [
      { key: 'msgPerSec', label: 'msg/s', unit: 'msg/s', better: 'higher' },
      CPU_PER_MESSAGE,
    ],
    rows: [
      ...echoRows('text', text, QUICK ? [] : [row('rxnova', 'text', text, { label: 'rxnova connect(), text(), events$ subscribed', suffix: '+events', telemetry: true })]),
      row('ws', 'json', text, { label: 'raw ws 8 + JSON.parse/stringify', suffix: '+json' }),
      row('rxnova', 'json', text, { label: 'rxnova connect(), json()', suffix: '+json' }),
      row('rxjs', 'json', text, { label: 'rxjs webSocket, its default JSON', suffix: '+json' }),
    ],
    runs: RUNS,
    timeoutMs: 60_000,
    note: 'JSON rows carry an object whose JSON text is 64 characters.',
  });
  const bin = { ...t, size: 16 * 1024 };
  sections.push({
    id: 'binary',
    title: '16 KiB binary echo, 1 connection, 1,000 in flight',
    metrics: [
      { key: 'mbPerSec', label: 'MB/s', unit: 'MB/s', better: 'higher' },
      CPU_PER_MESSAGE,
    ],
    rows: [
      ...echoRows('binary', bin),
      ...(bufferutilNative
        ? [
            row('ws', 'binary', bin, { label: 'raw ws 8, with bufferutil', suffix: '+bufferutil', bufferutil: true }),
            row('rxnova-transport', 'binary', bin, { label: 'rxnova wsTransport(), with bufferutil', suffix: '+bufferutil', bufferutil: true }),
            row('rxnova', 'binary', bin, { label: 'rxnova connect(), binary(), with bufferutil', suffix: '+bufferutil', bufferutil: true }),
          ]
        : []),
    ],
    runs: RUNS,
    timeoutMs: 60_000,
    note: 'Every row but the "with bufferutil" ones runs client and server with WS_NO_BUFFER_UTIL=1; ratios are to raw ws without it.',
  });
  const lat = { measure: 'latency', size: 64, ...P.latency } as const;
  sections.push({
    id: 'latency',
    title: 'Round trip, 64 B text, one message in flight',
    metrics: [
      { key: 'p50Us', label: 'p50 µs', unit: 'µs', better: 'lower' },
      { key: 'p99Us', label: 'p99 µs', unit: 'µs', better: 'lower' },
    ],
    rows: echoRows('text', lat),
    runs: RUNS,
    timeoutMs: P.latency.maxMs + 20_000,
  });
  for (const connections of P.memory.sizes) {
    const mem = { measure: 'memory', connections, batch: 500, heartbeat: 0 } as const;
    const kinds: Kind[] = ['ws', 'rxnova-transport', 'rxnova', 'rxjs', ...PEERS];
    const big = connections > 1_000 ? P.memory.bigKinds : undefined;
    sections.push({
      id: `memory-${connections}`,
      title: `Memory per idle connection, ${connections.toLocaleString('en-US')} connections, after a forced GC`,
      metrics: [
        { key: 'heapBytes', label: 'heap', unit: 'B', better: 'lower' },
        { key: 'rssBytes', label: 'RSS', unit: 'B', better: 'lower' },
      ],
      rows: kinds
        .filter((kind) => big === undefined || big.includes(kind))
        .map((kind) =>
          row(kind, 'text', mem, kind === 'rxnova' ? { label: 'rxnova connect(), text(), heartbeat on (default: 10 s protocol pings)' } : {}),
        ),
      runs: P.memory.runs,
      timeoutMs: 180_000,
      note: '(heapUsed or RSS after connecting, minus before) / connections; each kind in its own `node --expose-gc` process.',
    });
  }
  const rc = { measure: 'reconnect', cycles: P.reconnect.cycles, maxMs: 60_000 } as const;
  sections.push({
    id: 'reconnect',
    title: 'Server terminate() to open again, no backoff',
    metrics: [
      { key: 'medianMs', label: 'median ms', unit: 'ms', better: 'lower' },
      { key: 'p90Ms', label: 'p90 ms', unit: 'ms', better: 'lower' },
      { key: 'toDialMs', label: 'terminate → dial ms', unit: 'ms', better: 'lower' },
      { key: 'closeToDialUs', label: "ws 'close' → dial µs", unit: 'µs', better: 'lower' },
      { key: 'dialToOpenMs', label: 'dial → open ms', unit: 'ms', better: 'lower' },
    ],
    rows: [
      row('ws', 'text', rc, { label: "raw ws 8, new WebSocket() in 'close'" }),
      row('rxnova-transport', 'text', rc, { label: 'rxnova wsTransport() + reconnect({ backoff: constantBackoff(0) })' }),
      row('rxnova', 'text', rc, { label: 'rxnova connect(), reconnect: { backoff: constantBackoff(0) }' }),
      row('rxjs', 'text', rc, { label: 'rxjs webSocket + retry()' }),
      ...PEERS.map((kind) => row(kind, 'text', rc, { label: `${LABEL[kind]}, ${kind === 'websocket-ts' ? 'ConstantBackoff(0)' : 'min/maxReconnectionDelay 0'}` })),
    ],
    runs: RUNS,
    timeoutMs: 90_000,
    note: `The server notes the monotonic time just before terminate(); the client the time of its open event; ${P.reconnect.cycles} cycles per run, median per run. "dial" is the moment ws starts the HTTP upgrade request: before it, close detection and the library's own work (ws's 'close' event → dial: the library's synchronous work alone); after it, the handshake.`,
  });
  const idle = { measure: 'idle-cpu', connections: P.idle.connections, batch: 500, heartbeat: 1_000, settleMs: P.idle.settleMs, durationMs: P.idle.durationMs } as const;
  sections.push({
    id: 'idle',
    title: `Idle CPU, ${P.idle.connections.toLocaleString('en-US')} connected sockets, heartbeat every 1 s`,
    metrics: [
      { key: 'cpuPercent', label: 'client CPU % of a core', unit: '%', better: 'lower' },
      { key: 'cpuUsPerSocketSecond', label: 'µs per socket per s', unit: 'µs', better: 'lower' },
    ],
    rows: [
      row('ws', 'text', idle, { label: "raw ws 8, ws README's ping/pong heartbeat (one setInterval per socket)" }),
      row('rxnova', 'text', idle, { label: 'rxnova connect(), heartbeat { interval: 1000, timeout: 1000 }' }),
      row('rxjs', 'text', idle, { label: 'rxjs webSocket + interval(1000) application ping (no deadline)' }),
    ],
    runs: P.idle.runs,
    timeoutMs: 180_000,
    note: 'The peers have no heartbeat and are left out.',
  });
  return sections
    .filter((section) => ONLY === undefined || ONLY.some((name) => section.id === name || section.id.startsWith(`${name}-`)))
    .map((section) => ({
      ...section,
      rows: section.rows.filter((r) => KIND_FILTER === undefined || r.task.kind === 'ws' || KIND_FILTER.includes(r.task.kind)),
    }));
}

// ---- processes ---------------------------------------------------------------------------------

const live = new Set<ChildProcess>();
function killAll(): void {
  for (const child of live) child.kill('SIGKILL');
  live.clear();
}
process.on('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    killAll();
    process.exit(130);
  });
}

function envFor(bufferutil: boolean): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.WS_NO_BUFFER_UTIL;
  if (!bufferutil) env.WS_NO_BUFFER_UTIL = '1';
  return env;
}

interface Server {
  readonly url: string;
  readonly process: ChildProcess;
  request(type: 'drop' | 'count'): Promise<number>;
}

function startServer(buildDir: string, bufferutil: boolean): Promise<Server> {
  const child = fork(path.join(buildDir, 'bench', 'server.js'), [], { ...pinned(1, []), env: envFor(bufferutil), stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  live.add(child);
  child.on('exit', () => live.delete(child));
  let nextId = 0;
  const pending = new Map<number, (count: number) => void>();
  child.on('message', (message: { type: string; id?: number; count?: number }) => {
    if ((message.type === 'dropped' || message.type === 'counted') && message.id !== undefined) {
      pending.get(message.id)?.(message.count ?? 0);
      pending.delete(message.id);
    }
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the echo server did not start in 10 s')), 10_000);
    child.once('message', (message: { type: string; port: number }) => {
      clearTimeout(timer);
      resolve({
        url: `ws://127.0.0.1:${message.port}`,
        process: child,
        request: (type) =>
          new Promise((resolveCount, rejectCount) => {
            const id = nextId++;
            const timeout = setTimeout(() => {
              pending.delete(id);
              rejectCount(new Error(`the echo server did not answer ${type} in 5 s`));
            }, 5_000);
            pending.set(id, (count) => {
              clearTimeout(timeout);
              resolveCount(count);
            });
            child.send({ type, id });
          }),
      });
    });
    child.once('exit', (code) => reject(new Error(`the echo server exited with ${code}`)));
  });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits (bounded) until the server holds no connection, so one measurement does not pay for the last one's teardown. */
async function drain(server: Server): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if ((await server.request('count')) === 0) return;
    await sleep(100);
  }
}

async function runChild(buildDir: string, section: Section, r: Row, server: Server, run: number): Promise<Metrics> {
  const task = { ...r.task, url: server.url } as Task;
  const execArgv = ['--expose-gc'];
  if (PROFILE.has(r.id) || PROFILE.has(`${section.id}:${r.id}`)) {
    const dir = path.join(RESULTS, 'profiles');
    fs.mkdirSync(dir, { recursive: true });
    execArgv.push('--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-name=${section.id}-${r.id}-${run}.cpuprofile`);
    if (PROFILE_INTERVAL !== undefined) execArgv.push(`--cpu-prof-interval=${PROFILE_INTERVAL}`);
  }
  const child = fork(path.join(buildDir, 'bench', 'child.js'), [JSON.stringify(task)], {
    ...pinned(0, execArgv),
    env: envFor(r.bufferutil === true),
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  live.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  exited.then(() => live.delete(child), () => undefined);
  try {
    return await new Promise<Metrics>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out after ${section.timeoutMs} ms`)), section.timeoutMs);
      child.once('message', (message: ChildMessage) => {
        clearTimeout(timer);
        if (message.type === 'result') resolve(message.metrics);
        else reject(new Error(message.message));
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`the child exited (${code ?? signal}) before reporting`));
      });
    });
  } finally {
    // A graceful exit writes the CPU profile; kill it if it lingers.
    if (child.connected) child.disconnect();
    const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(killer);
    await drain(server);
  }
}

// ---- report ------------------------------------------------------------------------------------

interface RowResult {
  readonly id: string;
  readonly label: string;
  readonly runs: Metrics[];
  readonly errors: string[];
  readonly summary: Record<string, Summary & { readonly ratio: number }>;
}
interface SectionResult {
  readonly id: string;
  readonly title: string;
  readonly note: string | undefined;
  readonly metrics: readonly MetricSpec[];
  readonly rows: RowResult[];
}

function summarizeSection(section: Section, results: Map<string, { runs: Metrics[]; errors: string[] }>, runOf: Map<string, Map<number, Metrics>>): SectionResult {
  const baseline = runOf.get('ws');
  const rows = section.rows.map((r) => {
    const { runs, errors } = results.get(r.id)!;
    const summary: RowResult['summary'] = {};
    for (const metric of section.metrics) {
      const s = summarize(runs.map((m) => m[metric.key]!).filter((v) => Number.isFinite(v)));
      // Paired: this row over raw ws of the same run (they ran minutes apart at most), then the median of those.
      const ratios: number[] = [];
      for (const [run, value] of runOf.get(r.id)!) {
        const base = baseline?.get(run)?.[metric.key];
        if (base !== undefined && Number.isFinite(value[metric.key]!) && base > 0) ratios.push(value[metric.key]! / base);
      }
      summary[metric.key] = { ...s, ratio: ratios.length > 0 ? median(ratios) : NaN };
    }
    return { id: r.id, label: r.label, runs, errors, summary };
  });
  return { id: section.id, title: section.title, note: section.note, metrics: section.metrics, rows };
}

function sectionMarkdown(section: SectionResult): string {
  const header = ['client', ...section.metrics.flatMap((m) => [`${m.label} (min–max)`, 'ratio'])];
  const lines = [`### ${section.title}`, '', `| ${header.join(' | ')} |`, `|${header.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`];
  for (const r of section.rows) {
    const cells = [r.label];
    for (const m of section.metrics) {
      const s = r.summary[m.key]!;
      if (s.n === 0) cells.push(`failed: ${r.errors[0] ?? 'no result'}`, '');
      else cells.push(`${formatNumber(s.median, m.unit)} (${formatNumber(s.min, m.unit)}–${formatNumber(s.max, m.unit)})`, formatRatio(s.ratio));
    }
    lines.push(`| ${cells.join(' | ')} |`);
  }
  if (section.note) lines.push('', section.note);
  return lines.join('\n');
}

interface Target {
  readonly target: string;
  readonly goal: string;
  readonly measured: number;
  readonly met: boolean | undefined;
}

function targets(sections: SectionResult[]): Target[] {
  const find = (sectionId: string, rowId: string, key: string): (Summary & { ratio: number }) | undefined =>
    sections.find((s) => s.id === sectionId)?.rows.find((r) => r.id === rowId)?.summary[key];
  const list: Target[] = [];
  const atLeast = (target: string, ratio: number | undefined, goal: number): void => {
    if (ratio !== undefined && !Number.isNaN(ratio)) list.push({ target, goal: `≥ ${goal}`, measured: ratio, met: ratio >= goal });
  };
  const atMost = (target: string, ratio: number | undefined, goal: number): void => {
    if (ratio !== undefined && !Number.isNaN(ratio)) list.push({ target, goal: `≤ ${goal}`, measured: ratio, met: ratio <= goal });
  };
  atLeast('64 B text throughput, connect() text()', find('text', 'rxnova', 'msgPerSec')?.ratio, 0.97);
  atLeast('64 B text throughput, wsTransport()', find('text', 'rxnova-transport', 'msgPerSec')?.ratio, 0.97);
  atLeast('16 KiB binary throughput, connect() binary()', find('binary', 'rxnova', 'mbPerSec')?.ratio, 0.97);
  atLeast('16 KiB binary throughput, wsTransport()', find('binary', 'rxnova-transport', 'mbPerSec')?.ratio, 0.97);
  const json = find('text', 'rxnova+json', 'msgPerSec');
  const rxjsJson = find('text', 'rxjs+json', 'msgPerSec');
  if (json && rxjsJson) atLeast('64 B JSON throughput, connect() json() / rxjs webSocket JSON', json.ratio / rxjsJson.ratio, 1.1);
  atLeast('16 KiB binary with bufferutil, connect() / raw ws without', find('binary', 'rxnova+bufferutil', 'mbPerSec')?.ratio, 2);
  for (const [rowId, name] of [
    ['rxnova', 'connect()'],
    ['rxnova-transport', 'wsTransport()'],
  ] as const) {
    atMost(`latency p50, ${name}`, find('latency', rowId, 'p50Us')?.ratio, 1.05);
    atMost(`latency p99, ${name}`, find('latency', rowId, 'p99Us')?.ratio, 1.05);
  }
  const big = sections.filter((s) => s.id.startsWith('memory-')).map((s) => s.id).sort((a, b) => Number(b.slice(7)) - Number(a.slice(7)))[0];
  if (big !== undefined) {
    const n = Number(big.slice(7)).toLocaleString('en-US');
    atMost(`heap per idle connect() socket (heartbeat on), ${n} connections`, find(big, 'rxnova', 'heapBytes')?.ratio, 1.5);
    atMost(`heap per idle wsTransport() connection, ${n} connections`, find(big, 'rxnova-transport', 'heapBytes')?.ratio, 1.2);
  }
  atMost('reconnect, no backoff, connect()', find('reconnect', 'rxnova', 'medianMs')?.ratio, 1.1);
  atMost('reconnect, no backoff, wsTransport() + reconnect()', find('reconnect', 'rxnova-transport', 'medianMs')?.ratio, 1.1);
  const quiet = find('text', 'rxnova', 'msgPerSec');
  const observed = find('text', 'rxnova+events', 'msgPerSec');
  if (quiet && observed) {
    list.push({ target: 'events$ subscribed / unsubscribed, 64 B text (cost of telemetry when used; information)', goal: '—', measured: observed.ratio / quiet.ratio, met: undefined });
  }
  return list;
}

function targetsMarkdown(list: Target[]): string {
  const lines = ['### Targets (ratios to raw ws in the same runs)', '', '| target | goal | measured | met |', '| --- | --- | ---: | --- |'];
  for (const t of list) lines.push(`| ${t.target} | ${t.goal} | ${Number.isFinite(t.measured) ? t.measured.toFixed(3) : 'n/a'} | ${t.met === undefined ? '—' : t.met ? 'yes' : '**no**'} |`);
  return lines.join('\n');
}

// ---- environment -------------------------------------------------------------------------------

function version(name: string): string {
  // Straight from node_modules: some packages' "exports" do not expose package.json.
  try {
    return (JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'not installed';
  }
}

/** Whether ws's optional native `bufferutil` is installed and its native addon loads (not the JS fallback). */
function detectBufferutil(): { installed: boolean; native: boolean; version: string } {
  const v = version('bufferutil');
  if (v === 'not installed') return { installed: false, native: false, version: v };
  try {
    const dir = path.dirname(require.resolve('bufferutil/package.json', { paths: [ROOT] }));
    const load = require(require.resolve('node-gyp-build', { paths: [dir] })) as (dir: string) => unknown;
    load(dir);
    return { installed: true, native: true, version: v };
  } catch {
    return { installed: true, native: false, version: v };
  }
}

function environment(bufferutil: ReturnType<typeof detectBufferutil>): Record<string, string> {
  const cpus = os.cpus();
  return {
    date: new Date().toISOString(),
    mode: MODE,
    runs: String(RUNS),
    pinned: PIN ? 'clients on CPU 0, echo server on CPU 1' : 'no',
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    cpu: `${cpus[0]?.model ?? 'unknown'} × ${cpus.length}`,
    memory: `${(os.totalmem() / 2 ** 30).toFixed(0)} GiB`,
    'load average at start': os.loadavg().map((l) => l.toFixed(2)).join(' '),
    ws: version('ws'),
    rxjs: version('rxjs'),
    'reconnecting-websocket': version('reconnecting-websocket'),
    partysocket: version('partysocket'),
    'websocket-ts': version('websocket-ts'),
    bufferutil: bufferutil.native ? `${bufferutil.version} (native addon loads)` : bufferutil.installed ? `${bufferutil.version} (native addon does not load: JS fallback)` : 'not installed',
  };
}

// ---- main --------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const started = Date.now();
  const buildDir = build();
  const bufferutil = detectBufferutil();
  const env = environment(bufferutil);
  console.log(`rxnova bench, ${MODE} mode: ${env.cpu}, Node ${env.node}, ws ${env.ws}, bufferutil ${env.bufferutil}\n`);
  const sections = plan(bufferutil.native);
  const servers = { plain: await startServer(buildDir, false), bufferutil: bufferutil.native ? await startServer(buildDir, true) : undefined };

  const results: SectionResult[] = [];
  for (const section of sections) {
    const sectionStart = Date.now();
    const byRow = new Map(section.rows.map((r) => [r.id, { runs: [] as Metrics[], errors: [] as string[] }]));
    const runOf = new Map(section.rows.map((r) => [r.id, new Map<number, Metrics>()]));
    for (let run = 0; run < section.runs; run++) {
      // Take turns, shifting the order each run: A B C, B C A, C A B.
      const order = section.rows.map((_, i) => section.rows[(i + run) % section.rows.length]!);
      for (const r of order) {
        const server = r.bufferutil ? servers.bufferutil! : servers.plain;
        const slot = byRow.get(r.id)!;
        try {
          const metrics = await runChild(buildDir, section, r, server, run);
          slot.runs.push(metrics);
          runOf.get(r.id)!.set(run, metrics);
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          slot.errors.push(message);
          console.error(`  ${section.id} ${r.id} run ${run + 1}: ${message}`);
        }
      }
    }
    const result = summarizeSection(section, byRow, runOf);
    results.push(result);
    console.log(`${sectionMarkdown(result)}\n\n(${((Date.now() - sectionStart) / 1000).toFixed(0)} s)\n`);
  }
  const targetList = targets(results);
  const seconds = (Date.now() - started) / 1000;
  const markdown = [
    `## rxnova bench (${MODE} mode)`,
    '',
    ...Object.entries(env).map(([key, value]) => `- ${key}: ${value}`),
    `- took: ${seconds.toFixed(0)} s`,
    '',
    'Each cell: median of the runs (min–max); ratio: the median over runs of (this row ÷ raw ws in the same run).',
    '',
    ...results.map(sectionMarkdown).flatMap((md) => [md, '']),
    targetsMarkdown(targetList),
    '',
  ].join('\n');
  console.log(`${targetsMarkdown(targetList)}\n`);
  fs.mkdirSync(path.dirname(JSON_FILE), { recursive: true });
  fs.writeFileSync(JSON_FILE, `${JSON.stringify({ environment: env, seconds, sections: results, targets: targetList }, null, 2)}\n`);
  fs.writeFileSync(JSON_FILE.replace(/\.json$/, '') + '.md', markdown);
  console.log(`Wrote ${path.relative(process.cwd(), JSON_FILE)} and its .md (${seconds.toFixed(0)} s in all).`);
  killAll();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    killAll();
    process.exit(1);
  },
);
