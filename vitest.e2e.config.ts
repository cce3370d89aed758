import { defineConfig } from 'vitest/config';

// npm run e2e: the real agent CLIs, offline against scripted model endpoints on 127.0.0.1.
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 300_000,
    hookTimeout: 1_200_000,
    // Real clients are heavy; two at once is what a 2-core machine holds.
    fileParallelism: false,
  },
});
