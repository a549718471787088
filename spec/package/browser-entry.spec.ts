/**
 * `rxnova/node` in a browser bundle: the bundler's `browser` export condition
 * gives a stub that throws at import with an error that names the fix, instead
 * of a `ws` that cannot work there.
 */
import { expect } from 'chai';
import { build } from 'esbuild';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { buildOnce, root } from './built';

/** Bundles `source` for the browser from a project that depends on rxnova; returns the code and the bundled files. */
async function bundleForBrowser(source: string): Promise<{ code: string; inputs: string[] }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rxnova-browser-'));
  try {
    fs.mkdirSync(path.join(dir, 'node_modules'));
    fs.symlinkSync(root, path.join(dir, 'node_modules', 'rxnova'), 'dir');
    fs.writeFileSync(path.join(dir, 'app.js'), source);
    const result = await build({
      entryPoints: [path.join(dir, 'app.js')],
      absWorkingDir: dir,
      bundle: true,
      platform: 'browser',
      format: 'iife',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    return { code: result.outputFiles[0]!.text, inputs: Object.keys(result.metafile.inputs) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs a bundle in a fresh context with a browser's globals (no WebSocket needed) and none of Node's; returns what it threw. */
function thrownBy(code: string): unknown {
  const browserGlobals = { console, TextEncoder, TextDecoder, URL, setTimeout, clearTimeout, queueMicrotask };
  try {
    vm.runInNewContext(code, browserGlobals, { timeout: 5000 });
  } catch (error) {
    return error;
  }
  return undefined;
}

describe("rxnova/node in a browser bundle (the 'browser' export condition)", function () {
  this.timeout(60_000);

  before(buildOnce);

  for (const [style, source] of [
    // The app keeps connect without calling it: the error must come from the import itself.
    ['import', "import { connect } from 'rxnova/node';\nglobalThis.connect = connect;\n"],
    ['require', "const { connect } = require('rxnova/node');\nglobalThis.connect = connect;\n"],
  ] as const) {
    it(`should fail at import, naming the fix, when the app gets connect with ${style}`, async () => {
      const { code, inputs } = await bundleForBrowser(source);
      expect(inputs.filter((input) => /node_modules\/ws\/|\/transport\/ws\.js$/.test(input)), 'ws in the bundle').to.deep.equal([]);
      expect(inputs.some((input) => input.endsWith('node-browser.js')), 'the browser stub in the bundle').to.equal(true);
      const error = thrownBy(code) as { message?: unknown } | undefined;
      expect(error, 'what the bundle threw').to.not.equal(undefined);
      expect(String(error!.message)).to.include("'rxnova/node' is the Node.js entry point").and.to.include("import from 'rxnova' instead");
    });
  }
});
