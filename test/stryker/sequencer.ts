// The order of the test files in a mutation run (with bail, a mutant's first failing test ends its run): the unit
// tests of the subsystem being mutated first (ITERPIN_STRYKER_PART: they kill most of its mutants, in
// milliseconds), the other kernel unit tests, then the conformance link (one exploration per model), trace
// validation last (one TLC run per spec).
import { BaseSequencer, type TestSpecification } from 'vitest/node';

function rank(file: string): number {
  if (file.includes('validate-link')) return 3;
  if (file.includes('conform-link')) return 2;
  const part = process.env['ITERPIN_STRYKER_PART'];
  if (part !== undefined && file.includes(`/test/kernel/${part}/`)) return 0;
  return 1;
}

export class LinkLastSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    return [...files].sort((a, b) => rank(a.moduleId) - rank(b.moduleId) || a.moduleId.localeCompare(b.moduleId));
  }
}
