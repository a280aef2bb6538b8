// `npm run distributed`: the default tier on the distributed runner (test/distributed/), kept out of `npm test`.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/distributed/**/*.dist.ts'],
    testTimeout: 14_400_000,
    hookTimeout: 600_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
