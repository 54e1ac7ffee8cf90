#!/usr/bin/env bash
# `npm run test:latest`: the generated output against the LATEST published version of
# every framework, client and type package it targets (the pinned versions in
# package-lock.json stay the main run, `npm test`).
#
# In a scratch copy of the working tree (tracked and untracked-not-ignored files; the
# repository's own node_modules and package-lock.json are never touched): `npm ci`,
# then `npm install --no-save <pkg>@latest …`, print pinned → installed versions,
# build, type-check the repository (src, templates/runtime, tests) and run the vitest
# directories that type-check generated output and drive the frameworks and clients
# (end to end servers, generated output, client, type tests, the routing fuzz with its
# fixed seed, the PostgreSQL and Redis stores). Not the CLI tests (the Chromium report test lives there) nor the corpus.
#
# TypeScript 7 ships no JavaScript compiler API (the tests' helpers call
# `ts.createProgram`): when the latest `typescript` has none, the tests run on the
# newest release below its major that has one, and the latest `tsc` (installed in a
# separate folder) type-checks the generated output of every spec (module NodeNext and
# Bundler, the client without @types/node) and the repository by itself.
#
# Needs only the npm registry (and openssl, as `npm test` does, for the mutual TLS
# case). Exit status: non-zero when any step fails; every step runs, and the failed
# ones are listed at the end. KEEP_SCRATCH=1 keeps the scratch folder.
set -euo pipefail
cd "$(dirname "$0")/.."

# Packages the output targets or the tests drive: installed at @latest when they are in
# package.json (express-oauth2-jwt-bearer only once a dev dependency).
LATEST=(
  axios openapi-fetch
  express @types/express cors @types/cors express-oauth2-jwt-bearer
  fastify @fastify/cors find-my-way
  koa @types/koa @koa/router
  hono @hono/node-server
  typescript
  amaro # Node's strip-only TypeScript transform: the output promises to run under it
  pg @types/pg ioredis rate-limiter-flexible # the clients the key store, quotas and usage take, and the limiter runtime-quota.ts imports
  jose # the JOSE library runtime-jwt.ts imports
)
# Dev dependencies that stay pinned: the test tooling, and Node's types (they follow
# the Node version the package supports, not the frameworks).
PINNED=(vitest fast-check @types/node @types/yargs @microsoft/jest-sarif ajv ajv-draft-04 ajv-formats)
# The specs the generated-output type-check covers (as test/generated/generated.test.ts).
SPECS=(petstore.yaml petstore-swagger2.yaml petstore-3.1.yaml hostile/injection.json)
TEST_DIRS=(test/e2e test/generated test/client test/types test/fuzz test/stores test/tokens)

NPM_FLAGS=(--no-audit --no-fund)
failed=()
step() { # step <name> <command…>: runs it, records a failure, carries on
  local name=$1; shift
  echo; echo "=== test:latest: $name"
  if "$@"; then echo "=== ok: $name"; else echo "=== FAILED: $name"; failed+=("$name"); fi
}

# Every dev dependency is classified (a new framework or client must be tested at @latest).
unclassified=$(node -e '
  const [latest, pinned] = process.argv.slice(1).map((s) => s.split(" "));
  const dev = Object.keys(require("./package.json").devDependencies ?? {});
  console.log(dev.filter((d) => !latest.includes(d) && !pinned.includes(d)).join(" "));
' "${LATEST[*]}" "${PINNED[*]}")
if [ -n "$unclassified" ]; then
  echo "test:latest: devDependencies not classified in scripts/test-latest.sh: $unclassified" >&2
  echo "  add each to LATEST (a framework/client/types package the output targets or the tests drive) or to PINNED" >&2
  exit 2
fi
present=()
for p in "${LATEST[@]}"; do
  if node -e 'const j = require("./package.json"); process.exit(({ ...j.dependencies, ...j.devDependencies })[process.argv[1]] ? 0 : 1)' "$p"; then
    present+=("$p")
  fi
done

SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/osc-test-latest.XXXXXX")
cleanup() { if [ "${KEEP_SCRATCH:-}" = 1 ]; then echo "test:latest: scratch kept in $SCRATCH"; else rm -rf "$SCRATCH"; fi; }
trap cleanup EXIT
W="$SCRATCH/repo"
mkdir -p "$W"
echo "test:latest: copying the working tree to $W"
git ls-files -z --cached --others --exclude-standard \
  | while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done \
  | tar --null -T - -cf - | tar -xf - -C "$W"

cd "$W"
echo "=== test:latest: npm ci (pinned versions first)"
npm ci "${NPM_FLAGS[@]}"

# The latest TypeScript, alone: does it have the JavaScript compiler API?
TSL="$SCRATCH/typescript-latest"
mkdir -p "$TSL" && echo '{ "private": true }' >"$TSL/package.json"
echo "=== test:latest: typescript@latest (separate folder)"
(cd "$TSL" && npm install "${NPM_FLAGS[@]}" typescript@latest)
ts_latest=$(node -p 'require(process.argv[1] + "/node_modules/typescript/package.json").version' "$TSL")
native_tsc=""
specs=()
for p in "${present[@]}"; do
  if [ "$p" != typescript ]; then specs+=("$p@latest"); fi
done
if [[ " ${present[*]} " == *" typescript "* ]]; then
  if node -e '
    let api = false;
    try { api = typeof require("node:module").createRequire(process.argv[1] + "/")("typescript").createProgram === "function"; } catch {}
    process.exit(api ? 0 : 1);
  ' "$TSL"; then
    specs+=("typescript@$ts_latest")
  else
    native_tsc="$TSL/node_modules/.bin/tsc"
    specs+=("typescript@<${ts_latest%%.*}")
    echo "test:latest: typescript $ts_latest has no JavaScript compiler API: the tests use the newest typescript <${ts_latest%%.*}; tsc $ts_latest checks the generated output and the repository itself"
  fi
fi

echo "=== test:latest: npm install --no-save ${specs[*]}"
npm install --no-save "${NPM_FLAGS[@]}" "${specs[@]}"

echo; echo "=== test:latest: versions (pinned in package.json -> installed here)"
node -e '
  const j = require("./package.json"); const all = { ...j.dependencies, ...j.devDependencies };
  for (const p of process.argv.slice(1)) {
    const v = require(`./node_modules/${p}/package.json`).version;
    console.log(`  ${p.padEnd(28)} ${String(all[p]).padEnd(10)} -> ${v}${v === all[p] ? "" : "  (changed)"}`);
  }
' "${present[@]}"
if [ -n "$native_tsc" ]; then echo "  typescript (tsc, separate)   ${ts_latest}"; fi
echo "npm ls (\"invalid\" only means package.json pins another version: installed with --no-save):"
npm ls --depth=0 "${present[@]}" || true

step "build (npm run build)" npm run build
step "type-check the repository (npm run typecheck: src, templates/runtime, tests)" npm run typecheck
# The store tests talk to PostgreSQL and Redis (started when they are not running).
step "services" bash scripts/services.sh
step "vitest run ${TEST_DIRS[*]}" npx vitest run "${TEST_DIRS[@]}"

if [ -n "$native_tsc" ]; then
  # The generated output of every spec, written by the CLI, checked by the latest tsc
  # under the strict flags generated code promises (src/shared/compiler-options.ts).
  native_check() {
    local out="$W/test-output/latest-tsc"
    rm -rf "$out" && mkdir -p "$out"
    local s
    for s in "${SPECS[@]}"; do
      node bin/codegen.js --quiet --spec "specs/$s" --out "$out/${s//[\/.]/_}" --server all --client all || return 1
    done
    node --input-type=module -e '
      import { writeFileSync } from "node:fs";
      const { STRICT_COMPILER_FLAGS } = await import(process.cwd() + "/dist/shared/compiler-options.js");
      const out = process.argv[1];
      const base = { ...STRICT_COMPILER_FLAGS, target: "ES2022", lib: ["ES2023", "DOM"], types: ["node"] };
      const write = (name, compilerOptions, include) => writeFileSync(`${out}/${name}`, JSON.stringify({ compilerOptions, include }, null, 2));
      write("tsconfig.nodenext.json", { ...base, module: "NodeNext", moduleResolution: "NodeNext" }, ["*/*.ts"]);
      write("tsconfig.bundler.json", { ...base, module: "ESNext", moduleResolution: "Bundler" }, ["*/*.ts"]);
      write("tsconfig.browser.json", { ...base, lib: ["ES2022", "DOM"], types: [], module: "NodeNext", moduleResolution: "NodeNext" }, ["*/client.ts"]);
    ' "$out" || return 1
    local rc=0 c
    for c in nodenext bundler browser; do
      echo "tsc $ts_latest -p test-output/latest-tsc/tsconfig.$c.json"
      "$native_tsc" -p "$out/tsconfig.$c.json" || rc=1
    done
    return $rc
  }
  step "tsc $ts_latest: generated output of ${SPECS[*]} (NodeNext, Bundler, client without @types/node)" native_check
  step "tsc $ts_latest: the repository (tsconfig.json)" "$native_tsc" --noEmit -p tsconfig.json
fi

echo
if [ "${#failed[@]}" -gt 0 ]; then
  echo "test:latest: FAILED against the latest versions:"
  printf '  - %s\n' "${failed[@]}"
  exit 1
fi
echo "test:latest: every step passed against the latest versions"
