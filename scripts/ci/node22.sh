#!/usr/bin/env bash
# CI: the suite and the demo on Node 22 (which has a global WebSocket), besides the machine's Node 20.
# Node 22 comes from the npm package `node` (the registry is the only download that works here), installed once into
# a prefix outside the repository (NODE22_PREFIX, default $TMPDIR/rxnova-node22) and put first on PATH, so that npm,
# mocha and the children the specs spawn all run on it.
# Run from the repository root, after npm ci.
set -euo pipefail

prefix="${NODE22_PREFIX:-${TMPDIR:-/tmp}/rxnova-node22}"
if ! "$prefix/node_modules/.bin/node" --version 2>/dev/null | grep -q '^v22\.'; then
  mkdir -p "$prefix"
  npm install --no-audit --no-fund --no-save --prefix "$prefix" node@22
fi
export PATH="$prefix/node_modules/.bin:$PATH"
version=$(node --version)
case "$version" in
  v22.*) echo "node22: running on Node $version" ;;
  *) echo "node22: expected Node 22 on PATH, got $version" >&2; exit 1 ;;
esac

npm test
npm run --silent test:package
npm start
