/**
 * The TypeScript blocks of README.md and docs/*.md, as the docs spec sees them.
 *
 * Every block opens with an info string that says what the spec does with it:
 *
 * - ```` ```ts run ````: type-checked, then run with Node against a local echo
 *   server (`ws://localhost:8080` in the block becomes that server's URL). It
 *   must exit with code 0 on its own, within the run timeout, and print
 *   nothing on stderr.
 * - ```` ```ts test ````: type-checked, then run with mocha (a block of
 *   `it(...)` tests: marble tests of the reader's own code).
 * - ```` ```ts check: <why> ````: type-checked only; the text after `check:`
 *   says why it does not run (it needs a real exchange, credentials, a
 *   browser, ...).
 *
 * A plain ```` ```ts ```` block is an error: each block says which it is.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

/** What the spec does with a block, from its info string. */
export type BlockMode = 'run' | 'test' | 'check';

/** One TypeScript block of a Markdown file. */
export interface DocBlock {
  /** The Markdown file, relative to the repository root. */
  readonly file: string;
  /** The line of the block's first code line (1-based). */
  readonly line: number;
  /** The whole info string, e.g. `ts check: needs credentials`. */
  readonly info: string;
  /** What to do with it; undefined when the info string says nothing valid. */
  readonly mode: BlockMode | undefined;
  /** The code. */
  readonly code: string;
  /** A file name for it: `README.md:42` becomes `README-md-42.ts`. */
  readonly name: string;
}

/** The placeholder URL runnable blocks use; the spec replaces it with its server's. */
export const PLACEHOLDER_URL = 'ws://localhost:8080';

/** README.md and every docs/*.md, relative to `root`. */
export function docFiles(root: string): string[] {
  const docs = path.join(root, 'docs');
  const pages = fs.existsSync(docs)
    ? fs.readdirSync(docs).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)
    : [];
  return ['README.md', ...pages];
}

function modeOf(info: string): BlockMode | undefined {
  const rest = info.replace(/^(ts|typescript)\b/, '').trim();
  if (rest === 'run') return 'run';
  if (rest === 'test') return 'test';
  if (/^check:\s*\S/.test(rest)) return 'check';
  return undefined;
}

/** The ```ts blocks of one Markdown file. */
export function extractBlocks(root: string, file: string): DocBlock[] {
  const lines = fs.readFileSync(path.join(root, file), 'utf8').split('\n');
  const blocks: DocBlock[] = [];
  let open: { info: string; line: number; code: string[]; fence: string } | undefined;
  lines.forEach((text, index) => {
    if (open) {
      if (text.trim() === open.fence) {
        if (/^(ts|typescript)\b/.test(open.info)) {
          const name = `${file.replace(/[^A-Za-z0-9]+/g, '-')}-${open.line}.ts`;
          blocks.push({ file, line: open.line, info: open.info, mode: modeOf(open.info), code: open.code.join('\n') + '\n', name });
        }
        open = undefined;
      } else {
        open.code.push(text);
      }
      return;
    }
    const fence = /^(```+)\s*(.*)$/.exec(text.trim());
    if (fence) open = { fence: fence[1], info: fence[2].trim(), line: index + 2, code: [] };
  });
  return blocks;
}

/** The compiler options every block is checked with: strict, NodeNext resolution of `rxnova` through the package's exports. */
export function compilerOptions(root: string): ts.CompilerOptions {
  return {
    target: ts.ScriptTarget.ES2020,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    lib: ['lib.es2020.d.ts'],
    strict: true,
    esModuleInterop: true,
    skipLibCheck: true,
    noEmit: true,
    types: ['node', 'mocha'],
    typeRoots: [path.join(root, 'node_modules/@types')],
  };
}

/**
 * Type-checks every block in one program (each block its own module, in
 * `dir`) and returns the diagnostics of each, keyed by block name, with lines
 * of the Markdown file.
 */
export function typeCheck(root: string, dir: string, blocks: readonly DocBlock[]): Map<string, string[]> {
  const byPath = new Map<string, DocBlock>();
  for (const block of blocks) {
    const file = path.join(dir, block.name);
    const isModule = /^\s*(import|export)\s/m.test(block.code);
    fs.writeFileSync(file, isModule ? block.code : `${block.code}export {};\n`);
    byPath.set(path.normalize(file), block);
  }
  const program = ts.createProgram([...byPath.keys()], compilerOptions(root));
  const result = new Map<string, string[]>(blocks.map((b) => [b.name, []]));
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
    const block = diagnostic.file ? byPath.get(path.normalize(diagnostic.file.fileName)) : undefined;
    if (!block || diagnostic.start === undefined || !diagnostic.file) {
      for (const list of result.values()) list.push(`(program) ${message}`);
      continue;
    }
    const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
    result.get(block.name)?.push(`${block.file}:${block.line + line}: TS${diagnostic.code} ${message}`);
  }
  return result;
}

/** A block as CommonJS JavaScript, with the placeholder URL replaced by `url`. */
export function transpile(block: DocBlock, url: string): string {
  const source = block.code.split(PLACEHOLDER_URL).join(url);
  return ts.transpileModule(source, {
    compilerOptions: { target: ts.ScriptTarget.ES2020, module: ts.ModuleKind.CommonJS, esModuleInterop: true },
    fileName: block.name,
  }).outputText;
}

/** Whether dist/ is missing or older than anything in src/ (or the build script, or package.json). */
export function needsBuild(root: string): boolean {
  const stamp = path.join(root, 'dist/types/index.d.ts');
  if (!fs.existsSync(stamp) || !fs.existsSync(path.join(root, 'dist/cjs/node.js'))) return true;
  const built = fs.statSync(stamp).mtimeMs;
  const newest = (p: string): number => {
    const stat = fs.statSync(p);
    if (!stat.isDirectory()) return stat.mtimeMs;
    return Math.max(stat.mtimeMs, ...fs.readdirSync(p).map((f) => newest(path.join(p, f))));
  };
  return ['src', 'scripts/build.js', 'package.json', 'tsconfig.build.json'].some((p) => newest(path.join(root, p)) > built);
}

/** The GitHub-style anchors of a Markdown file's headings. */
function anchorsOf(text: string): Set<string> {
  const anchors = new Set<string>();
  for (const [, title] of text.matchAll(/^#+\s+(.*)$/gm)) {
    anchors.add(title.trim().toLowerCase().replace(/[^\w\- ]/g, '').replace(/ /g, '-'));
  }
  return anchors;
}

/** The relative links of `file` whose target file or heading does not exist, as `file: link`. */
export function brokenLinks(root: string, file: string): string[] {
  const text = fs.readFileSync(path.join(root, file), 'utf8').replace(/^```[\s\S]*?^```/gm, '');
  const broken: string[] = [];
  for (const [, link] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
    if (/^[a-z]+:/i.test(link)) continue;
    const [target, fragment] = link.split('#');
    const resolved = target === '' ? path.join(root, file) : path.resolve(path.dirname(path.join(root, file)), target);
    if (!fs.existsSync(resolved)) broken.push(`${file}: ${link} (no such file)`);
    else if (fragment && resolved.endsWith('.md') && !anchorsOf(fs.readFileSync(resolved, 'utf8')).has(fragment)) {
      broken.push(`${file}: ${link} (no such heading)`);
    }
  }
  return broken;
}
