import { readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };

export default defineConfig([
  {
    entry: { index: 'src/index.ts' },
    format: ['esm', 'cjs'],
    // import.meta.url in the CommonJS build (memfs is loaded with createRequire).
    shims: true,
    dts: true,
    clean: true,
    target: 'node20',
    platform: 'node',
    splitting: false,
  },
  {
    // The command: ESM only, with lazily loaded chunks so hooks start fast.
    entry: { cli: 'src/cli/bin.ts' },
    format: ['esm'],
    target: 'node20',
    platform: 'node',
    splitting: true,
    banner: { js: '#!/usr/bin/env node' },
    define: { __HANDOFFS_VERSION__: JSON.stringify(version) },
  },
  {
    // `handoffs/opencode`: the OpenCode plugin, loaded by OpenCode (Bun) as an ES module.
    entry: { opencode: 'src/opencode/index.ts' },
    format: ['esm'],
    dts: true,
    target: 'node20',
    platform: 'node',
    splitting: false,
  },
]);
