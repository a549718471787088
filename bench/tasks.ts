/** What bench/run.ts asks a client child (bench/child.ts) to measure, and what the child answers. */
import type { CodecKind, Kind } from './clients';

interface TaskBase {
  readonly kind: Kind;
  /** The echo server's base URL, `ws://127.0.0.1:PORT`. */
  readonly url: string;
  readonly codec: CodecKind;
  /** Subscribe to rxnova's events$. */
  readonly telemetry: boolean;
}

export interface ThroughputTask extends TaskBase {
  readonly measure: 'throughput';
  /** Payload bytes (text: ASCII characters; json: the length of the JSON text). */
  readonly size: number;
  /** Messages in flight. */
  readonly window: number;
  readonly warmupMs: number;
  readonly durationMs: number;
  /** An upper bound on the messages sent, whatever the time. */
  readonly maxMessages: number;
}

export interface LatencyTask extends TaskBase {
  readonly measure: 'latency';
  readonly size: number;
  readonly warmup: number;
  readonly samples: number;
  /** Stop after this long, with the samples taken so far. */
  readonly maxMs: number;
}

export interface MemoryTask extends TaskBase {
  readonly measure: 'memory';
  readonly connections: number;
  readonly batch: number;
  /** 0: the kind's default heartbeat (rxnova's: protocol pings every 30 s). */
  readonly heartbeat: number;
}

export interface ReconnectTask extends TaskBase {
  readonly measure: 'reconnect';
  readonly cycles: number;
  readonly maxMs: number;
}

export interface IdleCpuTask extends TaskBase {
  readonly measure: 'idle-cpu';
  readonly connections: number;
  readonly batch: number;
  readonly heartbeat: number;
  readonly settleMs: number;
  readonly durationMs: number;
}

export type Task = ThroughputTask | LatencyTask | MemoryTask | ReconnectTask | IdleCpuTask;

/** A child's answer: named numbers (the harness knows which are which), or an error. */
export type Metrics = Readonly<Record<string, number>>;

export type ChildMessage = { readonly type: 'result'; readonly metrics: Metrics } | { readonly type: 'error'; readonly message: string };
