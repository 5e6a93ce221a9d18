#!/usr/bin/env bash
# The one test command: typecheck, then the suites from fastest to slowest.
# Runs under npm, so node_modules/.bin (and its Node 22) comes first on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "node $(node --version)"
tsc -p tsconfig.json
# Lint and format check together; fails on any diagnostic or unformatted file.
biome ci --colors=off .
if [ ! -f dist/client/index.html ] || [ -n "${CI:-}" ]; then
  vite build --logLevel warn
fi
node --import tsx --test --test-concurrency=1 --test-reporter=spec \
  'test/shared/**/*.test.ts' \
  'test/server/**/*.test.ts' \
  'test/client/**/*.test.ts' \
  'test/bots/**/*.test.ts' \
  'test/bench/**/*.test.ts' \
  'test/e2e/**/*.test.ts'
