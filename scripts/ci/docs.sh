#!/usr/bin/env bash
# CI: the documentation. Builds the API reference (typedoc fails on an exported name without a doc comment,
# and on a broken {@link}), checks that the main names carry an @example, and runs the spec that
# type-checks and runs every TypeScript block of README.md and docs/*.md against the built package.
set -euo pipefail
cd "$(dirname "$0")/../.."

npm run --silent docs
node scripts/ci/api-examples.js docs-api/api.json
# --no-config: .mocharc.json's spec list would add the whole suite.
npx mocha --no-config --require ts-node/register --extension ts --timeout 20000 --exit 'spec/docs/**/*.spec.ts'
