#!/usr/bin/env bash
# CI: the documentation. Builds the API reference (typedoc fails on an exported name without a doc comment,
# and on a broken {@link}) and checks that the main names carry an @example.
set -euo pipefail
cd "$(dirname "$0")/../.."

npm run --silent docs
node scripts/ci/api-examples.js docs-api/api.json
# The spec that type-checks and runs every block of README.md and docs/ runs in `npm test` (spec/docs/).
