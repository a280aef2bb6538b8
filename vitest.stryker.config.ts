// The tests mutation testing (`npm run stryker`, stryker.config.mjs) runs against each mutant of src/kernel/: the
// kernel unit tests (the kernel's own kunit cases among them) and the link to the spec (test/stryker/: the
// implementation explored under small models and compared with TLC's state graph; with
// ITERPIN_STRYKER_VALIDATE=1 also trace validation with TLC, one TLC run per spec and mutant that gets that far).
// Kept out of `npm test`.
import { defineConfig } from 'vitest/config';
import { LinkLastSequencer } from './test/stryker/sequencer.js';

export default defineConfig({
  test: {
    include: [
      'test/kernel/**/*.test.ts',
      'test/stryker/conform-link.stryker.ts',
      ...(process.env['ITERPIN_STRYKER_VALIDATE'] === '1' ? ['test/stryker/validate-link.stryker.ts'] : []),
    ],
    testTimeout: 600_000,
    hookTimeout: 600_000,
    sequence: { sequencer: LinkLastSequencer },
  },
});
