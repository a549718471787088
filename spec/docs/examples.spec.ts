/**
 * The docs cannot rot: every TypeScript block of README.md and docs/*.md is
 * type-checked against the BUILT package (`rxnova`, `rxnova/node` and
 * `rxnova/testing` resolve through package.json's exports to dist/), all in
 * one program, and the runnable ones are run: `ts run` blocks with Node
 * against a local `ws` echo server on 127.0.0.1, `ts test` blocks with mocha.
 * See support/doc-blocks.ts for the info strings.
 */
import { expect } from 'chai';
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { WebSocketServer } from 'ws';
import { brokenLinks, DocBlock, docFiles, extractBlocks, needsBuild, PLACEHOLDER_URL, transpile, typeCheck } from './support/doc-blocks';

const root = path.resolve(__dirname, '../..');
/** Inside the package, so `rxnova` resolves to it by its own name (and `rxjs`, `chai`, ... from its node_modules). */
const workDir = path.join(root, '.scratch/doc-blocks');
const RUN_TIMEOUT = 15_000;

const files = docFiles(root);
const blocks = files.flatMap((file) => extractBlocks(root, file));

interface Outcome {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
}

function runFile(args: readonly string[]): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: workDir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, RUN_TIMEOUT);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, timedOut });
    });
  });
}

function where(block: DocBlock): string {
  return `${block.file}:${block.line}`;
}

describe('docs: every TypeScript block of README.md and docs/', function () {
  this.timeout(180_000);
  let diagnostics = new Map<string, string[]>();
  let server: WebSocketServer | undefined;
  let url = '';

  before(async function () {
    if (needsBuild(root)) execFileSync(process.execPath, [path.join(root, 'scripts/build.js')], { cwd: root, stdio: 'pipe' });
    fs.rmSync(workDir, { recursive: true, force: true });
    fs.mkdirSync(workDir, { recursive: true });
    diagnostics = typeCheck(root, workDir, blocks);
    server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    server.on('connection', (ws) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })));
    await new Promise<void>((resolve) => server!.once('listening', () => resolve()));
    url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    if (!server) return;
    for (const client of server.clients) client.terminate();
    await new Promise<void>((resolve) => server!.close(() => resolve()));
  });

  it('should find the TypeScript blocks of README.md and the docs pages, runnable ones among them', () => {
    expect(files).to.include.members(['README.md', 'docs/architecture.md', 'docs/reconnection.md', 'docs/testing.md']);
    expect(blocks.filter((b) => b.file === 'README.md').map((b) => b.mode)).to.include.members(['run', 'test']);
  });

  it('should say of every block whether it runs, and why not when it does not', () => {
    const unclear = blocks.filter((b) => b.mode === undefined).map((b) => `${where(b)} \`\`\`${b.info}`);
    expect(unclear, 'use ```ts run, ```ts test, or ```ts check: <why it does not run>').to.deep.equal([]);
  });

  it('should keep README.md to about 300 lines, for people who use rxnova', () => {
    expect(fs.readFileSync(path.join(root, 'README.md'), 'utf8').split('\n').length).to.be.at.most(300);
  });

  it('should list every error class with its code in the table of docs/errors.md', () => {
    const source = fs.readFileSync(path.join(root, 'src/errors.ts'), 'utf8');
    const classes = [...source.matchAll(/export class (\w+) extends RxnovaError \{[^]*?readonly code = '(RXNOVA_ERR_\w+)'/g)];
    expect(classes.length, 'error classes found in src/errors.ts').to.be.greaterThan(10);
    const rows = fs.readFileSync(path.join(root, 'docs/errors.md'), 'utf8').split('\n');
    const missing = classes
      .filter(([, name, code]) => !rows.some((row) => row.startsWith(`| \`${name}\` | \`${code}\` |`)))
      .map(([, name, code]) => `${name} ${code}`);
    expect(missing).to.deep.equal([]);
  });

  it('should link only to files and headings that exist', () => {
    expect(files.flatMap((file) => brokenLinks(root, file))).to.deep.equal([]);
  });

  for (const block of blocks) {
    it(`should compile ${where(block)} against the built package`, () => {
      expect(diagnostics.get(block.name) ?? [], 'type errors').to.deep.equal([]);
    });
  }

  for (const block of blocks.filter((b) => b.mode === 'run')) {
    it(`should run ${where(block)} against a local server and exit 0 on its own`, async () => {
      expect(block.code, `a \`ts run\` block connects to ${PLACEHOLDER_URL}`).to.include(PLACEHOLDER_URL);
      const js = path.join(workDir, block.name.replace(/\.ts$/, '.js'));
      fs.writeFileSync(js, transpile(block, url));
      const outcome = await runFile([js]);
      const detail = `\n--- stdout\n${outcome.stdout}--- stderr\n${outcome.stderr}`;
      expect(outcome.timedOut, `did not exit within ${RUN_TIMEOUT} ms${detail}`).to.equal(false);
      expect(outcome.code, `exit code${detail}`).to.equal(0);
      expect(outcome.stderr, 'stderr').to.equal('');
    });
  }

  for (const block of blocks.filter((b) => b.mode === 'test')) {
    it(`should pass the tests of ${where(block)} under mocha`, async () => {
      const js = path.join(workDir, block.name.replace(/\.ts$/, '.js'));
      fs.writeFileSync(js, transpile(block, url));
      const mocha = require.resolve('mocha/bin/mocha.js');
      const outcome = await runFile([mocha, '--no-config', '--no-package', '--reporter', 'dot', '--timeout', '10000', js]);
      const detail = `\n--- stdout\n${outcome.stdout}--- stderr\n${outcome.stderr}`;
      expect(outcome.timedOut, `did not finish within ${RUN_TIMEOUT} ms${detail}`).to.equal(false);
      expect(outcome.code, `mocha's exit code${detail}`).to.equal(0);
      expect(outcome.stdout, 'mocha ran no test').to.match(/[1-9]\d* passing/);
    });
  }
});
