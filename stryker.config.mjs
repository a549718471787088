// Mutation testing with Stryker: run it with `npm run mutate` (scripts/mutate.js starts Stryker on Node 22 and
// bridges the mocha runner to mocha 12), or on some files with `npm run mutate -- --mutate "src/backoff/**/*.ts"`.
// Not part of CI: a full run over src/ takes hours on two cores; incremental reruns take minutes.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  testRunner: 'mocha',
  // Each mutant runs only the tests that covered it.
  coverageAnalysis: 'perTest',
  // No type checker: the specs run through esbuild-register (transpile-only), like `npm test`.
  checkers: [],
  mochaOptions: {
    // .mocharc.json is read as well (esbuild-register, the ts extension). The specs are `npm test`'s globs, less:
    // - spec/package/**: runs the built package in a child process, so it can never see a mutant;
    // - spec/faults/**, spec/browser/**, spec/docs/**: slow suites over real sockets, network namespaces and
    //   headless Chromium, too slow to run per mutant;
    // - spec/cli/cli.spec.ts: runs `rxnova` as a child process, which per-test coverage cannot see (the other
    //   spec/cli files run the command line in process, and are kept).
    spec: ['spec/**/*.spec.ts', 'marbles/**/*.spec.ts'],
    ignore: ['spec/package/**', 'spec/faults/**', 'spec/browser/**', 'spec/cli/cli.spec.ts', 'spec/docs/**'],
  },
  // Every file in src/ but the entry points: index, node and testing only re-export; node-browser (what a browser
  // bundle gets for `rxnova/node`) throws when imported, which spec/package checks on the built package; cli/main only
  // hands the process to runCli().
  mutate: ['src/**/*.ts', '!src/index.ts', '!src/node.ts', '!src/testing.ts', '!src/node-browser.ts', '!src/cli/main.ts'],
  // Files the sandbox does not need.
  ignorePatterns: ['dist', 'docs-api', 'bench/results', 'examples/angular', '.scratch', 'reports', '*.log'],
  // The mocha runner sets mocha's own timeout to 0, so Stryker's timeout is the only one: the integration specs use
  // real sockets and the machine is shared, so be generous (a mutant that hangs is still found, as Timeout).
  timeoutMS: 20000,
  timeoutFactor: 3,
  concurrency: 2,
  // Reruns only test what changed since the last run; the file and the reports are in reports/ (ignored by git).
  incremental: true,
  incrementalFile: 'reports/stryker-incremental.json',
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  clearTextReporter: { allowColor: false, logTests: false, reportMutants: false },
  tempDirName: '.stryker-tmp',
  // Goals: 90% on backoff, operators, close codes, the write path, link state and session; 80% everywhere else.
  // `break` stays null: a low score is a report, not a failure.
  thresholds: { high: 90, low: 80, break: null },
};
