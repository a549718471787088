/**
 * A diagnostic beside the bench: what one idle connection of a client kind
 * keeps on the heap, by constructor. Takes a heap snapshot before and after
 * opening N connections and prints the per-connection difference of
 * retained-by-nobody-else self sizes, grouped by object type and name.
 *
 *   npx ts-node --transpile-only bench/heap-profile.ts rxnova [1000]
 *
 * Runs the client in a `node --expose-gc` child against the bench's echo server.
 */
import { fork } from 'child_process';
import * as path from 'path';
import { build } from './build';

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]]; edge_fields: string[]; edge_types: [string[]] } };
  nodes: number[];
  edges: number[];
  strings: string[];
}

function nodeKey(snapshot: Snapshot, index: number): string {
  const fields = snapshot.snapshot.meta.node_fields;
  const type = snapshot.snapshot.meta.node_types[0][snapshot.nodes[index + fields.indexOf('type')]!]!;
  let name = snapshot.strings[snapshot.nodes[index + fields.indexOf('name')]!]!;
  if (type === 'string' || type === 'concatenated string' || type === 'sliced string') name = '(string)';
  if (type === 'number') name = '(number)';
  if (name.length > 60) name = `${name.slice(0, 57)}...`;
  return `${type}:${name}`;
}

/** Per new node (id not in `before`): "retainer -[edge]-> node", summed self size. */
function newByRetainer(before: Snapshot, after: Snapshot): Map<string, { size: number; count: number }> {
  const idsBefore = new Set<number>();
  const width = before.snapshot.meta.node_fields.length;
  const idAt = before.snapshot.meta.node_fields.indexOf('id');
  for (let i = 0; i < before.nodes.length; i += width) idsBefore.add(before.nodes[i + idAt]!);
  const meta = after.snapshot.meta;
  const w = meta.node_fields.length;
  const edgeCountAt = meta.node_fields.indexOf('edge_count');
  const sizeAt = meta.node_fields.indexOf('self_size');
  const ew = meta.edge_fields.length;
  const edgeTypeAt = meta.edge_fields.indexOf('type');
  const edgeNameAt = meta.edge_fields.indexOf('name_or_index');
  const edgeToAt = meta.edge_fields.indexOf('to_node');
  const edgeTypes = meta.edge_types[0];
  const firstRetainer = new Map<number, { parent: number; label: string }>();
  let edge = 0;
  for (let i = 0; i < after.nodes.length; i += w) {
    const count = after.nodes[i + edgeCountAt]!;
    for (let e = 0; e < count; e++, edge += ew) {
      const to = after.edges[edge + edgeToAt]!;
      const type = edgeTypes[after.edges[edge + edgeTypeAt]!]!;
      if (type === 'weak' || firstRetainer.has(to)) continue;
      const raw = after.edges[edge + edgeNameAt]!;
      const name = type === 'element' || type === 'hidden' ? `[${type}]` : after.strings[raw]!;
      firstRetainer.set(to, { parent: i, label: `-[${name}]->` });
    }
  }
  const result = new Map<string, { size: number; count: number }>();
  for (let i = 0; i < after.nodes.length; i += w) {
    if (idsBefore.has(after.nodes[i + idAt]!)) continue;
    let key = nodeKey(after, i);
    let at = i;
    const depth = Number(process.env.RETAINERS) || 1;
    for (let d = 0; d < depth; d++) {
      const retainer = firstRetainer.get(at);
      if (retainer === undefined) break;
      key = `${nodeKey(after, retainer.parent)} ${retainer.label} ${key}`;
      at = retainer.parent;
    }
    const entry = result.get(key) ?? { size: 0, count: 0 };
    entry.size += after.nodes[i + sizeAt]!;
    entry.count++;
    result.set(key, entry);
  }
  return result;
}

type Counts = Map<string, { size: number; count: number }>;

/** Self size and count per "type:name" (closures by function name, objects by constructor). */
function aggregate(snapshot: Snapshot): Counts {
  const fields = snapshot.snapshot.meta.node_fields;
  const types = snapshot.snapshot.meta.node_types[0];
  const width = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const counts: Counts = new Map();
  const { nodes, strings } = snapshot;
  for (let i = 0; i < nodes.length; i += width) {
    const type = types[nodes[i + typeAt]!]!;
    let name = strings[nodes[i + nameAt]!]!;
    if (type === 'string' || type === 'concatenated string' || type === 'sliced string') name = '(string)';
    if (type === 'number') name = '(number)';
    if (name.length > 60) name = `${name.slice(0, 57)}...`;
    const key = `${type}:${name}`;
    const entry = counts.get(key) ?? { size: 0, count: 0 };
    entry.size += nodes[i + sizeAt]!;
    entry.count++;
    counts.set(key, entry);
  }
  return counts;
}

async function childMain(kind: string, url: string, n: number): Promise<void> {
  const v8 = await import('v8');
  const fs = await import('fs');
  const { createAdapter } = await import('./clients');
  const gc = (globalThis as { gc?: () => void }).gc!;
  const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
  const open = async (count: number): Promise<unknown[]> => {
    const list: unknown[] = [];
    let opened = 0;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${opened} of ${count} open`)), 30_000);
      for (let i = 0; i < count; i++) {
        list.push(
          createAdapter(kind as never, {
            url: `${url}/echo`,
            codec: 'text',
            onMessage: () => undefined,
            onOpen: () => {
              if (++opened === count) {
                clearTimeout(timer);
                resolve();
              }
            },
            reconnect: false,
            heartbeat: 0,
            telemetry: false,
          }),
        );
      }
    });
    return list;
  };
  const warm = (await open(20)) as { close(): void }[];
  warm.forEach((a) => a.close());
  await sleep(300);
  gc();
  const before = v8.writeHeapSnapshot();
  const held = await open(n);
  await sleep(500);
  gc();
  const after = v8.writeHeapSnapshot();
  const snapA = JSON.parse(fs.readFileSync(before, 'utf8')) as Snapshot;
  const snapB = JSON.parse(fs.readFileSync(after, 'utf8')) as Snapshot;
  const a = aggregate(snapA);
  const b = aggregate(snapB);
  fs.rmSync(before);
  fs.rmSync(after);
  const rows = [...b.entries()]
    .map(([key, v]) => {
      const old = a.get(key) ?? { size: 0, count: 0 };
      return { key, bytes: (v.size - old.size) / n, count: (v.count - old.count) / n };
    })
    .filter((r) => Math.abs(r.bytes) >= 8)
    .sort((x, y) => y.bytes - x.bytes);
  const total = rows.reduce((sum, r) => sum + r.bytes, 0);
  console.log(`${kind}: ${held.length} connections, ${total.toFixed(0)} B of self size per connection (rows of 8 B or more)`);
  for (const r of rows.slice(0, 40)) console.log(`${r.bytes.toFixed(0).padStart(6)} B  ${r.count.toFixed(2).padStart(6)} ×  ${r.key}`);
  if (process.env.RETAINERS) {
    const byRetainer = [...newByRetainer(snapA, snapB).entries()]
      .map(([key, v]) => ({ key, bytes: v.size / n, count: v.count / n }))
      .filter((r) => r.bytes >= 8)
      .sort((x, y) => y.bytes - x.bytes);
    console.log('\nnew objects by first retainer:');
    for (const r of byRetainer.slice(0, 70)) console.log(`${r.bytes.toFixed(0).padStart(6)} B  ${r.count.toFixed(2).padStart(6)} ×  ${r.key}`);
  }
  process.exit(0);
}

async function main(): Promise<void> {
  const [kind = 'rxnova', count = '1000'] = process.argv.slice(2);
  const dir = build();
  const server = fork(path.join(dir, 'bench', 'server.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env: { ...process.env, WS_NO_BUFFER_UTIL: '1' } });
  const port = await new Promise<number>((resolve) => server.once('message', (m: { port: number }) => resolve(m.port)));
  const child = fork(path.join(dir, 'bench', 'heap-profile.js'), ['--child', kind, `ws://127.0.0.1:${port}`, count], {
    execArgv: ['--expose-gc'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const killer = setTimeout(() => child.kill('SIGKILL'), 120_000);
  await new Promise((resolve) => child.once('exit', resolve));
  clearTimeout(killer);
  server.kill('SIGKILL');
}

if (process.argv[2] === '--child') {
  void childMain(process.argv[3]!, process.argv[4]!, Number(process.argv[5]));
} else {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
