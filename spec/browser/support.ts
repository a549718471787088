/**
 * What the browser spec needs around the page, all on 127.0.0.1:
 *
 * - {@link bundleApp}: esbuild bundles spec/browser/app.ts (the `rxnova`
 *   entry) for the browser, with a metafile naming every input.
 * - {@link serveFiles}: a Node http server that serves the page and its bundle.
 * - {@link startEchoServer}: a `ws` server that echoes JSON, answers the
 *   application ping, and lets the spec close or terminate any connection.
 * - {@link launchChromium}: Debian's Chromium (never a downloaded browser),
 *   headless, through playwright-core, with a fresh profile.
 */
import { build, Metafile } from 'esbuild';
import * as fs from 'node:fs';
import { createServer, Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { BrowserContext, chromium, Page } from 'playwright-core';
import WebSocket, { RawData, WebSocketServer } from 'ws';

/** Where the spec expects Chromium: Debian's `chromium` package. */
export const CHROMIUM = '/usr/bin/chromium';

/** The flags Chromium runs with: headless, no sandbox (root in CI), and nothing that talks to the network on its own. */
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A bundle and the files it was made from. */
export interface Bundle {
  readonly code: string;
  readonly inputs: readonly string[];
}

/** Bundles spec/browser/app.ts for the browser (an IIFE, as a `<script>` loads it). */
export async function bundleApp(): Promise<Bundle> {
  const result = await build({
    entryPoints: [path.join(__dirname, 'app.ts')],
    bundle: true,
    write: false,
    platform: 'browser',
    format: 'iife',
    target: 'es2020',
    metafile: true,
    logLevel: 'silent',
  });
  const output = result.outputFiles[0];
  if (output === undefined) throw new Error('esbuild wrote no output');
  const metafile: Metafile = result.metafile;
  return { code: output.text, inputs: Object.keys(metafile.inputs) };
}

/** A local http server. */
export interface FileServer {
  readonly url: string;
  close(): Promise<void>;
}

/** Serves `files` (path → [content type, body]) on 127.0.0.1 on a free port; anything else is a 404. */
export async function serveFiles(files: Readonly<Record<string, readonly [string, string]>>): Promise<FileServer> {
  const server: HttpServer = createServer((request, response) => {
    const file = files[request.url ?? ''];
    if (file === undefined) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': file[0], 'cache-control': 'no-store' }).end(file[1]);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** One connection the echo server accepted. */
export interface EchoConnection {
  readonly socket: WebSocket;
  /** Messages received, decoded. */
  readonly received: unknown[];
  /** Whether application pings get a pong (set to `false` to play a dead peer). */
  answerPings: boolean;
  /** The close code and reason the client sent, once the connection closed. */
  closed?: { readonly code: number; readonly reason: string };
}

/** A `ws` server for the page. */
export interface EchoServer {
  readonly url: string;
  /** Every connection, in the order they arrived. */
  readonly connections: readonly EchoConnection[];
  close(): Promise<void>;
}

/**
 * Starts a `ws` server on 127.0.0.1 on a free port. Each JSON message is
 * echoed, except `{ type: 'ping' }`, which gets `{ type: 'pong' }` while
 * the connection's `answerPings` is true.
 */
export async function startEchoServer(): Promise<EchoServer> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const connections: EchoConnection[] = [];
  server.on('connection', (socket) => {
    const connection: EchoConnection = { socket, received: [], answerPings: true };
    connections.push(connection);
    socket.on('message', (data: RawData) => {
      const message = JSON.parse(data.toString()) as { type?: unknown };
      connection.received.push(message);
      if (message.type === 'ping') {
        if (connection.answerPings) socket.send(JSON.stringify({ type: 'pong' }));
        return;
      }
      socket.send(JSON.stringify(message));
    });
    socket.on('close', (code, reason) => {
      connection.closed = { code, reason: reason.toString() };
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}`,
    connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of server.clients) client.terminate();
        server.close(() => resolve());
      }),
  };
}

/** A running Chromium with one page. */
export interface Browser {
  readonly page: Page;
  /** Errors the page threw and console errors it logged. */
  readonly pageErrors: string[];
  close(): Promise<void>;
}

/** Launches Debian's Chromium headless with a fresh profile in a temporary folder, removed on close. */
export async function launchChromium(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium), or run scripts/ci/browser.sh`);
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'rxnova-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [...CHROMIUM_ARGS],
      timeout: 30_000,
    });
  } catch (error) {
    fs.rmSync(profile, { recursive: true, force: true });
    throw error;
  }
  const page = context.pages()[0] ?? (await context.newPage());
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  page.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(message.text());
  });
  return {
    page,
    pageErrors,
    close: async () => {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}
