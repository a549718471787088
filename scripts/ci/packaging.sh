#!/usr/bin/env bash
# CI: the package as npm would publish it. Builds dist/, then
# - @arethetypeswrong/cli --pack: types resolve for every entry point under node10, node16 (CJS and ESM) and bundler;
# - publint --strict: package.json and the packed files agree;
# - npm run test:package: require and import of each entry, the default transport of each entry, the browser stub of
#   rxnova/node in an esbuild bundle, consumer type checks, and the npm pack file list.
# Run from the repository root, after npm ci.
set -euo pipefail

npm run --silent check:package
npm run --silent test:package
