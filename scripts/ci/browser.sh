#!/usr/bin/env bash
# CI: rxnova in a real browser. Bundles an app from the `rxnova` entry with
# esbuild and runs it in Debian's headless Chromium (driven by playwright-core,
# never a downloaded browser) against a local ws server: spec/browser.
# Run from the repository root after `npm ci`.
set -euo pipefail
cd "$(dirname "$0")/../.."

export DEBIAN_FRONTEND=noninteractive
if [ ! -x /usr/bin/chromium ]; then
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends chromium
fi
if [ ! -d node_modules/playwright-core ] || [ ! -d node_modules/esbuild ]; then
  npm ci --no-audit --no-fund
fi

/usr/bin/chromium --version 2>/dev/null || true
npm run test:browser
