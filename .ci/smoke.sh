#!/usr/bin/env bash
# Pack the library, install the tarball into a fresh project, and import it from ESM and CJS,
# with the types resolving for both, on this Node and (when given) on other Node binaries.
# Usage: bash .ci/smoke.sh [extra-node-binary ...]
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cd "$repo"
tarball=$(npm pack --silent --pack-destination "$work" | tail -n 1)
mkdir "$work/app"
cd "$work/app"
npm init -y >/dev/null
npm install --no-audit --no-fund --silent "$work/$tarball" "typescript@5.9" "@types/node@^20" >/dev/null

# Without its optional peers (memfs, pg, the MCP SDK), the package installs, imports and
# type-checks; memoryFs() says what to install, with a stable code.
cat > no-memfs.mjs <<'JS'
import { HandoffStore, memoryFs, HandoffError } from 'handoffs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
const store = new HandoffStore({ dir: join(await mkdtemp(join(tmpdir(), 'smoke-')), 'h') });
await store.write({ slug: 'disk', body: 'on disk' });
if ((await store.consume()).handoffs[0]?.body !== 'on disk') throw new Error('disk store broken');
try {
  memoryFs();
  throw new Error('memoryFs() worked without memfs');
} catch (error) {
  if (!(error instanceof HandoffError) || error.code !== 'MISSING_DEPENDENCY') throw error;
}
console.log('without memfs ok');
JS
test ! -d node_modules/memfs
node no-memfs.mjs
echo "install size without optional peers: $(du -sk node_modules | cut -f1) KB (typescript and @types/node included: $(du -sk node_modules/typescript node_modules/@types | awk '{s+=$1} END {print s}') KB)"

cat > esm.mjs <<'JS'
import { HandoffStore, memoryFs, HandoffError } from 'handoffs';
const fs = memoryFs();
const store = new HandoffStore({ dir: '/h', fs });
await store.write({ slug: 'smoke', body: 'esm' });
const { handoffs } = await store.consume();
if (handoffs[0]?.body !== 'esm' || typeof HandoffError !== 'function') throw new Error('ESM import broken');
console.log('esm ok');
JS
cat > cjs.cjs <<'JS'
const { HandoffStore, memoryFs } = require('handoffs');
const store = new HandoffStore({ dir: '/h', fs: memoryFs() });
store.write({ slug: 'smoke', body: 'cjs' }).then(() => store.list()).then((list) => {
  if (list.length !== 1) throw new Error('CJS require broken');
  console.log('cjs ok');
});
JS
cat > types.mts <<'TS'
import { HandoffStore, type HandoffRef } from 'handoffs';
const ref: Promise<HandoffRef> = new HandoffStore({ dir: '/h' }).write({ slug: 's', body: 'b' });
void ref;
TS
cat > types.cts <<'TS'
import handoffs = require('handoffs');
const store: handoffs.HandoffStore = new handoffs.HandoffStore({ dir: '/h' });
void store;
TS
cat > tsconfig.json <<'JSON'
{ "compilerOptions": { "module": "NodeNext", "moduleResolution": "NodeNext", "strict": true, "noEmit": true, "skipLibCheck": false, "types": ["node"] }, "files": ["types.mts", "types.cts"] }
JSON
npx tsc -p .
echo "types ok (import and require), without memfs installed"

# The in-memory adapter, once its optional peer is installed.
npm install --no-audit --no-fund --silent memfs >/dev/null

for node in node "$@"; do
  echo "node $("$node" --version):"
  "$node" esm.mjs
  "$node" cjs.cjs
  # The installed command, as a user runs it.
  cli=node_modules/handoffs/dist/cli.js
  test "$("$node" "$cli" --version)" = "$(node -p "require('handoffs/package.json').version")"
  out=$(HOME="$work" "$node" "$cli" write --slug smoke --dir "$work/h" <<< "cli body")
  test -f "$out"
  HOME="$work" "$node" "$cli" start --dir "$work/h" --all-projects | grep -q "cli body"
  echo "cli ok"
done
test -x node_modules/.bin/handoffs && echo "bin ok"
