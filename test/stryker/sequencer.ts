// The order of the test files in a mutation run (with bail, a mutant's first failing test ends its run): the kernel
// unit tests first (milliseconds), then the conformance link (one exploration per model), trace validation last
// (one TLC run per spec).
import { BaseSequencer, type TestSpecification } from 'vitest/node';

function rank(file: string): number {
  if (file.includes('validate-link')) return 2;
  if (file.includes('conform-link')) return 1;
  return 0;
}

export class LinkLastSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    return [...files].sort((a, b) => rank(a.moduleId) - rank(b.moduleId) || a.moduleId.localeCompare(b.moduleId));
  }
}
