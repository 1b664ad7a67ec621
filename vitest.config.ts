import { defineConfig } from 'vitest/config';

/** One run covers every suite; `npm test` runs it once per database (see scripts/test.ts). */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'platform',
          include: ['platform/src/**/*.test.ts'],
          environment: 'node',
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'sandbox',
          include: ['sandbox/src/**/*.test.ts'],
          environment: 'node',
          passWithNoTests: true,
        },
      },
      {
        test: {
          name: 'spa',
          include: ['runtime/src/**/*.test.ts', 'designer/src/**/*.test.ts'],
          environment: 'node',
          passWithNoTests: true,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['runtime/e2e/**/*.test.ts', 'designer/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
