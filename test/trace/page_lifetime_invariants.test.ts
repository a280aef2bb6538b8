// Each PageLifetime invariant about exact accounting, bio order, structural bounds and data coverage bites: TLC,
// run on the final-design model with one small edit to the spec's kernel code (a kernel-bug-shaped mutation),
// reports exactly that invariant first (every invariant of the model is checked). PageRefsAccountedInv bites on
// the manifest's bug variants (test/trace/page_lifetime.test.ts); the reference implementation's checker is
// shown to bite on the same rules in test/kernel/fs/dio_check.test.ts. Needs TLC.
import { beforeAll, describe, expect, it } from 'vitest';
import { copyFile, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ManifestModel } from '../../src/manifest/manifest.js';
import { manifestModels, pinnedJar, runModel, SPEC, type PinnedJar } from '../tlc-harness.js';

/** One edit each: the text replaced in spec/PageLifetime.tla, its replacement, the invariant it must break. */
const MUTANTS = [
  {
    what: 'the device transfers a bio that was never submitted',
    invariant: 'BioLifecycleInv',
    from: '    /\\ bios[d][k].state = "inflight"\n',
    to: '    /\\ bios[d][k].state \\in {"built", "inflight"}\n',
  },
  {
    what: 'bio_full() is off by one: a bio takes one bvec past bi_max_vecs',
    invariant: 'BioMaxVecsInv',
    from: 'Len(vecs) = iter[d].maxVecs',
    to: 'Len(vecs) = iter[d].maxVecs + 1',
  },
  {
    what: 'after a merge the fill skips the next element (its bytes are never transferred)',
    invariant: 'DioCoverageInv',
    from: 'IN Fill(d, k + 1, merged, r2, flags)',
    to: 'IN Fill(d, k + 2, merged, r2, flags)',
  },
] as const;

let jar: PinnedJar;
let dir: string;
let final: ManifestModel;

beforeAll(async () => {
  jar = await pinnedJar();
  const m = (await manifestModels('PageLifetime')).find((x) => x.name === 'MCPageLifetime');
  if (m === undefined) throw new Error('MCPageLifetime is not in spec/manifest.json');
  final = m;
  dir = await mkdtemp(join(tmpdir(), 'iterpin-pl-mutants-'));
  for (const f of await readdir(SPEC)) if (f.startsWith('MCPageLifetime')) await copyFile(join(SPEC, f), join(dir, f));
});

describe('PageLifetime invariants bite on kernel-bug-shaped edits of the final design', () => {
  for (const mu of MUTANTS) {
    it(`${mu.invariant}: ${mu.what}`, async () => {
      const spec = await readFile(join(SPEC, 'PageLifetime.tla'), 'utf8');
      // the edit applies to exactly one place, so the test breaks loudly if the spec moves under it
      expect(spec.split(mu.from).length - 1).toBe(1);
      const sub = await mkdtemp(join(dir, 'm-'));
      for (const f of await readdir(dir)) if (f.endsWith('.tla') || f.endsWith('.cfg')) await copyFile(join(dir, f), join(sub, f));
      await writeFile(join(sub, 'PageLifetime.tla'), spec.replace(mu.from, mu.to));
      const run = await runModel(jar, final, { specDir: sub });
      expect({ outcome: run.result.outcome, invariant: run.result.invariant }).toEqual({ outcome: 'safety', invariant: mu.invariant });
    });
  }
});
