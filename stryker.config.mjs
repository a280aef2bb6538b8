// Mutation testing of the reference implementation (`npm run stryker`): every mutant of src/kernel/ must be
// killed by the kernel unit tests or by the link to the spec (vitest.stryker.config.ts). Survivors that are
// equivalent or outside the models' bounds are listed, each with its reason, in spec/stryker-survivors.md.
// One subsystem at a time (each with its own incremental file and report): ITERPIN_STRYKER_PART=mm npm run stryker
// (lib, mm, block or fs).
import { resolve } from 'node:path';

// TLC's side of the conformance link (constants and state-graph dumps) is cached in the project, not in the
// sandbox each run starts from: the workers inherit this.
process.env['ITERPIN_CONFORM_CACHE'] ??= resolve('.cache', 'conform');

const part = process.env['ITERPIN_STRYKER_PART'];
if (part !== undefined && !['lib', 'mm', 'block', 'fs'].includes(part)) {
  throw new Error(`ITERPIN_STRYKER_PART must be lib, mm, block or fs, not '${part}'`);
}
const name = part ?? 'kernel';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.stryker.config.ts', related: false },
  // faults.ts holds the test-only fault hooks, not kernel code.
  mutate: [`src/kernel/${part ?? '**'}/*.ts`, '!src/kernel/lib/faults.ts'],
  plugins: ['@stryker-mutator/vitest-runner', './test/stryker/ignorers.mjs'],
  ignorers: ['kernel-text'],
  coverageAnalysis: 'perTest',
  incremental: true,
  incrementalFile: `reports/stryker/${name}.incremental.json`,
  concurrency: 1,
  timeoutMS: 60_000,
  reporters: ['progress', 'clear-text', 'html', 'json'],
  htmlReporter: { fileName: `reports/stryker/${name}.html` },
  jsonReporter: { fileName: `reports/stryker/${name}.json` },
  ignorePatterns: ['out', 'dist', 'docs', 'reports', '.cache/conform'],
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  thresholds: { high: 90, low: 75, break: null },
};
