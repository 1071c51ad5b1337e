#!/bin/sh
# Builds the example module (scale.wasm) and the runtime's test modules with AssemblyScript (Node 20 + npm).
# The built .wasm files are committed: CI does not run this. Re-run it after changing any .ts file:
#   cd examples/wasm-scale && ./build.sh
set -eu
cd "$(dirname "$0")"
npm ci --no-audit --no-fund
npx asc assembly/index.ts --config asconfig.json --target release
tests=../../local-functions/function-runtime/src/test/resources/wasm
mkdir -p "$tests"
cp scale.wasm "$tests/scale.wasm"
for m in spin hog noop state echo; do
  npx asc "test-modules/$m.ts" --config asconfig.json --target release --outFile "$tests/$m.wasm"
done
