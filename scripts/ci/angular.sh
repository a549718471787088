#!/usr/bin/env bash
# CI: the Angular example (examples/angular, its own package on Angular 21):
# installs its packages with `npm ci`, then `npm run test:angular` builds
# rxnova, installs that build into the example (a copy, as from the registry),
# compiles the example with ngc in strict mode and runs its TestBed test.
# Run from the repository root.
set -euo pipefail
cd "$(dirname "$0")/../.."

if [ ! -d node_modules/typescript ]; then
  npm ci --no-audit --no-fund
fi
(cd examples/angular && npm ci --no-audit --no-fund)
npm run test:angular
