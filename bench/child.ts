/**
 * A client child: runs one measure for one client kind and reports its
 * numbers to bench/run.ts over IPC, then waits to be killed (so the parent
 * decides when its sockets go). Every loop is bounded in count and in time.
 *
 * Started as `node [--expose-gc] child.js '<task JSON>'` by the harness.
 */
import { Adapter, AdapterOptions, createAdapter } from './clients';
import type { ChildMessage, IdleCpuTask, LatencyTask, MemoryTask, Metrics, ReconnectTask, Task, ThroughputTask } from './tasks';

const now = (): number => Number(process.hrtime.bigint()) / 1e6;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const cpuMs = (): number => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
};

/** A promise (`finished`) and the function that resolves it (`finish`, idempotent). */
function latch(): { finish: () => void; finished: Promise<void> } {
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });
  return { finish, finished };
}

function report(message: ChildMessage): void {
  if (process.send) process.send(message);
  else console.log(JSON.stringify(message));
}

/** A payload of `size` bytes for the codec: ASCII text, bytes, or an object whose JSON is `size` characters. */
function makePayload(task: Task & { size: number }): unknown {
  if (task.codec === 'binary') return Buffer.alloc(task.size, 0x5a);
  if (task.codec === 'text') return 'x'.repeat(task.size);
  const base = { id: 123456, type: 'tick', data: '' };
  const overhead = JSON.stringify(base).length;
  return { ...base, data: 'x'.repeat(Math.max(0, task.size - overhead)) };
}

function options(task: Task, onMessage: (data: unknown) => void, onOpen: () => void, extra: Partial<AdapterOptions> = {}): AdapterOptions {
  return {
    url: `${task.url}/echo`,
    codec: task.codec,
    onMessage,
    onOpen,
    reconnect: false,
    heartbeat: 0,
    telemetry: task.telemetry,
    ...extra,
  };
}

/** Opens one client and resolves once it is open (rejects after `ms`). */
function openOne(task: Task, onMessage: (data: unknown) => void, ms = 10_000): Promise<Adapter> {
  return new Promise((resolve, reject) => {
    let adapter: Adapter | undefined;
    let opened = false;
    const timer = setTimeout(() => reject(new Error(`${task.kind}: not open after ${ms} ms`)), ms);
    adapter = createAdapter(
      task.kind,
      options(task, onMessage, () => {
        if (opened) return;
        opened = true;
        clearTimeout(timer);
        // The adapter is assigned by now unless open was reported synchronously, which none does.
        resolve(adapter!);
      }),
    );
  });
}

async function throughput(task: ThroughputTask): Promise<Metrics> {
  const payload = makePayload(task);
  let adapter: Adapter | undefined;
  let sent = 0;
  let received = 0;
  let phase: 'warmup' | 'measure' | 'drain' | 'done' = 'warmup';
  let phaseStart = 0;
  let startReceived = 0;
  let startCpu = 0;
  let result: Metrics | undefined;
  const { finish, finished } = latch();

  const onMessage = (): void => {
    received++;
    if (phase === 'warmup' || phase === 'measure') {
      const capped = sent >= task.maxMessages;
      if ((received & 127) === 0 || capped) {
        const t = now();
        if (phase === 'warmup' && t - phaseStart >= task.warmupMs) {
          phase = 'measure';
          phaseStart = t;
          startReceived = received;
          startCpu = cpuMs();
        } else if (phase === 'measure' && (t - phaseStart >= task.durationMs || capped)) {
          const cpu = cpuMs() - startCpu;
          const count = received - startReceived;
          const seconds = (t - phaseStart) / 1000;
          result = {
            msgPerSec: count / seconds,
            mbPerSec: (count * task.size) / seconds / 1e6,
            cpuUsPerMsg: (cpu * 1000) / count,
            messages: count,
          };
          phase = 'drain';
        }
      }
      if (phase !== 'drain' && !capped) {
        adapter!.send(payload);
        sent++;
      }
    }
    if (phase === 'drain' && received >= sent) {
      phase = 'done';
      finish();
    }
  };
  adapter = await openOne(task, onMessage);
  phaseStart = now();
  for (let i = 0; i < task.window; i++) {
    adapter.send(payload);
    sent++;
  }
  const deadline = setTimeout(finish, task.warmupMs + task.durationMs + 10_000);
  await finished;
  clearTimeout(deadline);
  if (result === undefined) throw new Error(`${task.kind}: throughput did not complete (sent ${sent}, received ${received}, phase ${phase})`);
  return result;
}

async function latency(task: LatencyTask): Promise<Metrics> {
  const payload = makePayload(task);
  const samples = new Float64Array(task.samples);
  let taken = 0;
  let warm = 0;
  let sentAt = 0;
  let adapter: Adapter | undefined;
  const { finish, finished } = latch();
  const onMessage = (): void => {
    const t = now();
    if (warm < task.warmup) warm++;
    else samples[taken++] = t - sentAt;
    if (taken >= task.samples) {
      finish();
      return;
    }
    sentAt = now();
    adapter!.send(payload);
  };
  adapter = await openOne(task, onMessage);
  const deadline = setTimeout(finish, task.maxMs);
  sentAt = now();
  adapter.send(payload);
  await finished;
  clearTimeout(deadline);
  if (taken < 100) throw new Error(`${task.kind}: only ${taken} latency samples in ${task.maxMs} ms`);
  const sorted = Array.from(samples.subarray(0, taken)).sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(taken - 1, Math.floor(q * taken))]!;
  return { p50Us: at(0.5) * 1000, p99Us: at(0.99) * 1000, samples: taken };
}

/** Opens `count` clients in batches, waiting for each batch to be open. */
async function openMany(task: Task & { batch: number }, count: number, extra: Partial<AdapterOptions>, onMessage: () => void): Promise<Adapter[]> {
  const adapters: Adapter[] = [];
  while (adapters.length < count) {
    const size = Math.min(task.batch, count - adapters.length);
    let opened = 0;
    let resolveBatch: () => void = () => undefined;
    const batchOpen = new Promise<void>((resolve) => {
      resolveBatch = resolve;
    });
    const onOpen = (): void => {
      if (++opened === size) resolveBatch();
    };
    for (let i = 0; i < size; i++) adapters.push(createAdapter(task.kind, options(task, onMessage, onOpen, extra)));
    const timeout = sleep(30_000).then(() => {
      throw new Error(`${task.kind}: ${opened} of a batch of ${size} open after 30 s (${adapters.length - size} before)`);
    });
    await Promise.race([batchOpen, timeout]);
  }
  return adapters;
}

function gc(): void {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (collect === undefined) throw new Error('run the memory child with --expose-gc');
  collect();
}

async function settledMemory(): Promise<NodeJS.MemoryUsage> {
  for (let i = 0; i < 3; i++) {
    gc();
    await sleep(50);
  }
  gc();
  return process.memoryUsage();
}

async function memory(task: MemoryTask): Promise<Metrics> {
  const extra = { heartbeat: task.heartbeat };
  const ignore = (): void => undefined;
  // Warm the code paths first, so compiled code is in the baseline, not in the per-connection figure.
  const warm = await openMany({ ...task, batch: 20 }, 20, extra, ignore);
  for (const adapter of warm) adapter.close();
  await sleep(300);
  const before = await settledMemory();
  const adapters = await openMany(task, task.connections, extra, ignore);
  await sleep(500);
  const after = await settledMemory();
  const n = task.connections;
  const metrics = {
    heapBytes: (after.heapUsed - before.heapUsed) / n,
    rssBytes: (after.rss - before.rss) / n,
    externalBytes: (after.external - before.external) / n,
    connections: adapters.length,
  };
  return metrics;
}

/**
 * Also splits each cycle in two with the time ws starts its HTTP upgrade
 * request (http.request is wrapped to note it): from terminate() to that dial
 * (close detection plus the library's own work) and from the dial to open.
 */
async function reconnect(task: ReconnectTask): Promise<Metrics> {
  const id = `${process.pid}-${Math.floor(Math.random() * 1e9)}`;
  const samples: number[] = [];
  const toDial: number[] = [];
  const dialToOpen: number[] = [];
  // ws looks http.request up on every connect, so wrapping it here sees every dial of every kind.
  const http = require('http') as { request: (...args: unknown[]) => unknown };
  const request = http.request;
  let dialedAt = 0n;
  let closedAt = 0n;
  let closeOfDial = 0n;
  http.request = function (this: unknown, ...args: unknown[]) {
    dialedAt = process.hrtime.bigint();
    closeOfDial = closedAt;
    return request.apply(this, args);
  };
  // And ws's emitClose(), which emits 'close' to every kind (a subclass overriding emit() included): from it to
  // the dial is the library's own synchronous work.
  const wsProto = (require('ws') as { prototype: { emitClose: () => void } }).prototype;
  const emitClose = wsProto.emitClose;
  wsProto.emitClose = function (this: unknown) {
    closedAt = process.hrtime.bigint();
    emitClose.call(this);
  };
  const closeToDial: number[] = [];
  let openedAt = 0n;
  let dialOfOpen = 0n;
  let adapter: Adapter | undefined;
  const { finish, finished } = latch();
  let lastProgress = Date.now();
  let closeOfOpen = 0n;
  const onOpen = (): void => {
    openedAt = process.hrtime.bigint();
    dialOfOpen = dialedAt;
    closeOfOpen = closeOfDial;
  };
  const onMessage = (data: unknown): void => {
    if (typeof data !== 'string' || !data.startsWith('T:')) return;
    const killedAt = BigInt(data.slice(2));
    if (killedAt > 0n) {
      samples.push(Number(openedAt - killedAt) / 1e6);
      if (dialOfOpen > killedAt) {
        toDial.push(Number(dialOfOpen - killedAt) / 1e6);
        dialToOpen.push(Number(openedAt - dialOfOpen) / 1e6);
        if (closeOfOpen > killedAt) closeToDial.push(Number(dialOfOpen - closeOfOpen) / 1e6);
      }
    }
    lastProgress = Date.now();
    if (samples.length >= task.cycles) finish();
    else adapter!.send('kill');
  };
  adapter = createAdapter(task.kind, { ...options(task, onMessage, onOpen), url: `${task.url}/rc/${id}`, reconnect: true });
  const started = Date.now();
  const watchdog = setInterval(() => {
    if (Date.now() - lastProgress > 5_000 || Date.now() - started > task.maxMs) finish();
  }, 100);
  await finished;
  clearInterval(watchdog);
  http.request = request;
  wsProto.emitClose = emitClose;
  if (samples.length < Math.min(10, task.cycles)) throw new Error(`${task.kind}: only ${samples.length} reconnects measured`);
  const mid = (list: number[]): number => {
    list.sort((a, b) => a - b);
    return list.length === 0 ? NaN : list[Math.floor(list.length / 2)]!;
  };
  samples.sort((a, b) => a - b);
  return {
    medianMs: mid(samples),
    p90Ms: samples[Math.floor(samples.length * 0.9)]!,
    toDialMs: mid(toDial),
    closeToDialUs: mid(closeToDial) * 1000,
    dialToOpenMs: mid(dialToOpen),
    cycles: samples.length,
  };
}

async function idleCpu(task: IdleCpuTask): Promise<Metrics> {
  let messages = 0;
  const adapters = await openMany(task, task.connections, { heartbeat: task.heartbeat }, () => {
    messages++;
  });
  await sleep(task.settleMs);
  const cpu0 = cpuMs();
  const t0 = now();
  const messages0 = messages;
  await sleep(task.durationMs);
  const cpu = cpuMs() - cpu0;
  const seconds = (now() - t0) / 1000;
  return {
    cpuPercent: (cpu / (seconds * 1000)) * 100,
    cpuUsPerSocketSecond: (cpu * 1000) / (task.connections * seconds),
    messagesPerSec: (messages - messages0) / seconds,
    connections: adapters.length,
  };
}

function run(task: Task): Promise<Metrics> {
  switch (task.measure) {
    case 'throughput':
      return throughput(task);
    case 'latency':
      return latency(task);
    case 'memory':
      return memory(task);
    case 'reconnect':
      return reconnect(task);
    case 'idle-cpu':
      return idleCpu(task);
  }
}

const task = JSON.parse(process.argv[2] ?? 'null') as Task;
run(task).then(
  (metrics) => report({ type: 'result', metrics }),
  (error: unknown) => report({ type: 'error', message: error instanceof Error ? error.message : String(error) }),
);
process.on('disconnect', () => process.exit(0));
