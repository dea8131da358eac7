import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // End-to-end tests install and start generated systems; they share one npm cache and run alone.
    testTimeout: 60_000,
    hookTimeout: 600_000,
    fileParallelism: false,
  },
});
