/**
 * Transpiles src/ and bench/ to CommonJS in bench/results/.build with the
 * compiler options of tsconfig.json (the same target as the published
 * dist/cjs), so the client children start as plain `node` in milliseconds,
 * run the code users get, and ts-node's hook is not in the measured process.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

const ROOT = path.resolve(__dirname, '..');

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'results' || entry.name === 'node_modules' ? [] : walk(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

/** Removes the builds of bench processes that are gone (killed before they could clean up). */
function removeStale(dir: string): void {
  if (!fs.existsSync(dir)) return;
  for (const name of fs.readdirSync(dir)) {
    const pid = /^\.build-(\d+)$/.exec(name)?.[1];
    if (pid === undefined) continue;
    try {
      process.kill(Number(pid), 0);
    } catch {
      fs.rmSync(path.join(dir, name), { recursive: true, force: true });
    }
  }
}

/** Writes the build (a folder of its own per process, so two runs never share one) and returns its folder. */
export function build(dir?: string): string {
  const outDir = dir ?? path.join(ROOT, 'bench', 'results', `.build-${process.pid}`);
  const config = ts.readConfigFile(path.join(ROOT, 'tsconfig.json'), (file) => ts.sys.readFile(file));
  if (config.error) throw new Error(ts.flattenDiagnosticMessageText(config.error.messageText, '\n'));
  const { options, errors } = ts.convertCompilerOptionsFromJson(config.config.compilerOptions, ROOT);
  if (errors.length > 0) throw new Error(errors.map((e) => ts.flattenDiagnosticMessageText(e.messageText, '\n')).join('\n'));
  const compilerOptions: ts.CompilerOptions = { ...options, sourceMap: false, inlineSourceMap: false, declaration: false, noEmit: false };
  fs.rmSync(outDir, { recursive: true, force: true });
  removeStale(path.dirname(outDir));
  for (const file of [...walk(path.join(ROOT, 'src')), ...walk(path.join(ROOT, 'bench'))]) {
    const output = ts.transpileModule(fs.readFileSync(file, 'utf8'), { compilerOptions, fileName: file });
    const target = path.join(outDir, path.relative(ROOT, file)).replace(/\.ts$/, '.js');
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, output.outputText);
  }
  fs.writeFileSync(path.join(outDir, 'package.json'), '{ "type": "commonjs" }\n');
  // A folder of the caller's choosing is kept; the default one goes with this process.
  if (dir === undefined) process.on('exit', () => fs.rmSync(outDir, { recursive: true, force: true }));
  return outDir;
}
