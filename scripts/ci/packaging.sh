#!/usr/bin/env bash
# CI: the package as npm would publish it.
# - npm run test:package builds dist/ and checks require and import of each entry, the default transport of each
#   entry, the browser stub of rxnova/node in an esbuild bundle, consumer type checks and the npm pack file list;
# - @arethetypeswrong/cli --pack: types resolve for every entry point under node10, node16 (CJS and ESM) and bundler;
# - publint --strict: package.json and the packed files agree.
# (npm run check:package does the last two after a fresh build.) Run from the repository root, after npm ci.
set -euo pipefail

npm run --silent test:package
npx --no-install attw --pack .
npx --no-install publint --strict
