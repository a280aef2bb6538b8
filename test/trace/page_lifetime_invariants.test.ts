// Each PageLifetime invariant about exact accounting, freeing, extraction errors, bio order, structural bounds, bio
// flags, merging and data coverage bites: TLC, run on the final-design model with one small edit to the spec's
// kernel code (a kernel-bug-shaped mutation), reports exactly that invariant first (every invariant of the model is
// checked).
// PageRefsAccountedInv bites on the manifest's bug variants (test/trace/page_lifetime.test.ts); the reference
// implementation's checker is shown to bite on the same rules in test/kernel/fs/dio_check.test.ts. Needs TLC.
import { beforeAll, describe, expect, it } from 'vitest';
import { copyFile, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ManifestModel } from '../../src/manifest/manifest.js';
import { manifestModels, pinnedJar, runModel, SPEC, type PinnedJar } from '../tlc-harness.js';

/**
 * One edit each: the text replaced in spec/PageLifetime.tla, its replacement, the invariant it must break, and the
 * model it is run on (the final design's MCPageLifetime unless named: failure paths need MCPageLifetimeFail).
 */
const MUTANTS: readonly { what: string; invariant: string; from: string; to: string; model?: string }[] = [
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
    from: 'IN Fill(d, k + 1, merged, r2, flags, fault, refuse, nomem, c1)',
    to: 'IN Fill(d, k + 2, merged, r2, flags, fault, refuse, nomem, c1)',
  },
  {
    what: 'munmap() drops the last reference to an idle page but never frees it',
    invariant: 'FreedAtZeroInv',
    from: "          /\\ freed' = freed \\cup NewlyFreed(r)\n    /\\ mapping' = ",
    to: "          /\\ freed' = freed\n    /\\ mapping' = ",
  },
  {
    what: 'the DIO loop asks for pages after its iterator is empty and takes the empty extraction for -EFAULT',
    invariant: 'DioErrorCauseInv',
    from: 'Running(d) == ~dio[d].err /\\ dio[d].pos < Len(iter[d].elems)',
    to: 'Running(d) == ~dio[d].err /\\ dio[d].pos <= Len(iter[d].elems)',
  },
  {
    what: 'bio_iov_iter_get_pages() marks an XARRAY bio BIO_CLONED and the BVEC one not',
    invariant: 'BioClonedInv',
    from: '      [] t = "BVEC"      -> IF Variant = "legacy" THEN {"CLONED", "NO_PAGE_REF"} ELSE {"CLONED"}',
    to: '      [] t = "XARRAY"    -> IF Variant = "legacy" THEN {"CLONED", "NO_PAGE_REF"} ELSE {"CLONED"}',
  },
  {
    what: 'a BVEC iterator goes through the add loop (its bvecs merged) and an XARRAY one is set as a shared array',
    invariant: 'BioClonedInv',
    from: '       IN CASE t = "BVEC" ->',
    to: '       IN CASE t = "XARRAY" ->',
    model: 'MCPageLifetimeGen',
  },
  {
    what: 'bvec_try_merge_page() refuses a same-page merge: the page takes a second bvec and the bio holds two pins on it',
    invariant: 'SamePageMergedInv',
    from: '                 ELSE IF vecs /= <<>> /\\ Continues(last, p, e.off)\n',
    to: '                 ELSE IF vecs /= <<>> /\\ Continues(last, p, e.off) /\\ ~SamePage(last, p)\n',
  },
  {
    what: 'the DIO fills its next bio before it submitted the last one',
    invariant: 'OneUnsubmittedBioInv',
    from: '    /\\ Running(d)\n    /\\ NoBioBuilt(d)\n',
    to: '    /\\ Running(d)\n',
  },
  {
    what: "iomap_dio_zero() zeroes while the DIO's last data bio is still unsubmitted",
    invariant: 'OneUnsubmittedBioInv',
    from: '    /\\ ~DioDone(d)\n    /\\ NoBioBuilt(d)\n',
    to: '    /\\ ~DioDone(d)\n',
  },
  {
    what: 'iomap_dio_zero() zeroes a block of a read DIO: the device writes into the zero page',
    invariant: 'ZeroPageNotWrittenInv',
    from: '    /\\ iter[d].dir = "SOURCE"\n    /\\ ~dio[d].zeroed\n',
    to: '    /\\ iter[d].dir = "DEST"\n    /\\ ~dio[d].zeroed\n',
  },
  {
    what: 'a DIO whose extraction failed goes on filling bios (Running no longer tests the error)',
    invariant: 'FailedDioStopsInv',
    from: 'Running(d) == ~dio[d].err /\\ dio[d].pos < Len(iter[d].elems)',
    to: 'Running(d) == dio[d].pos < Len(iter[d].elems)',
    model: 'MCPageLifetimeFail',
  },
  {
    what: "iomap_dio_zero() zeroes after the DIO finished, when the kernel buffer's owner may have freed it",
    invariant: 'KernelPagesKeptInv',
    from: '    /\\ ~DioDone(d)\n    /\\ NoBioBuilt(d)\n',
    to: '    /\\ NoBioBuilt(d)\n',
    model: 'MCPageLifetimeGen',
  },
  {
    what: 'GUP refuses a user page that is mapped and referenced (its refcount test dropped)',
    invariant: 'DioErrorCauseInv',
    from: '    /\\ Grab(p, Taken(iter[d].type)) > 0\n    /\\ r[p] <= 0\n',
    to: '    /\\ Grab(p, Taken(iter[d].type)) > 0\n',
  },
  {
    what: 'iomap_dio_zero() runs again and again for the same DIO (its zeroed test dropped)',
    invariant: 'ZeroBioOnceInv',
    from: '    /\\ ~dio[d].zeroed\n',
    to: '',
  },
  {
    what: "-ENOMEM from a later extraction call's page array: out_unmap frees the bio without bio_release_pages()",
    invariant: 'NoLeakInv',
    from: "                        /\\ ref' = unmapped\n",
    to: "                        /\\ ref' = res.ref\n",
    model: 'MCPageLifetimeFail',
  },
];

let jar: PinnedJar;
let dir: string;
let final: ManifestModel;
let models: ManifestModel[];

beforeAll(async () => {
  jar = await pinnedJar();
  models = await manifestModels('PageLifetime');
  const m = models.find((x) => x.name === 'MCPageLifetime');
  if (m === undefined) throw new Error('MCPageLifetime is not in spec/manifest.json');
  final = m;
  dir = await mkdtemp(join(tmpdir(), 'iterpin-pl-mutants-'));
  for (const f of await readdir(SPEC)) if (f.startsWith('MCPageLifetime')) await copyFile(join(SPEC, f), join(dir, f));
});

/** The liveness model, on the unaligned read alone, checking one property (TLC does not name the one that fails). */
async function liveCfg(property: string, variant: string): Promise<string> {
  const live = await readFile(join(SPEC, 'MCPageLifetimeLive.cfg'), 'utf8');
  return live
    .replace(/Variant <- \w+/, `Variant <- ${variant}`)
    .replace(/Layouts <- \w+/, 'Layouts <- MCUnalignedRead')
    .replace(/PROPERTIES\n(    \w+\n)+/, `PROPERTIES\n    ${property}\n`);
}

describe('PageLifetime liveness properties bite', () => {
  it('PinsReleasedProp: G.5 (bug-release-unaligned) leaves a pin that is never dropped', async () => {
    const sub = await mkdtemp(join(dir, 'live-'));
    for (const f of ['PageLifetime.tla', 'MCPageLifetime.tla']) await copyFile(join(SPEC, f), join(sub, f));
    await writeFile(join(sub, 'L.cfg'), await liveCfg('PinsReleasedProp', 'VariantBugReleaseUnaligned'));
    const run = await runModel(jar, { ...final, cfg: 'L.cfg' }, { specDir: sub });
    expect(run.result.outcome).toBe('liveness');
    // the same model on the final design holds
    await writeFile(join(sub, 'F.cfg'), await liveCfg('PinsReleasedProp', 'VariantV65'));
    expect((await runModel(jar, { ...final, cfg: 'F.cfg' }, { specDir: sub })).result.outcome).toBe('success');
  });

  it('BiosCompleteProp: without fairness for the completion a transferred bio may never complete', async () => {
    const sub = await mkdtemp(join(dir, 'live-'));
    const spec = await readFile(join(SPEC, 'PageLifetime.tla'), 'utf8');
    const fairness = '    /\\ WF_vars(\\E d \\in Dios : \\E k \\in DOMAIN bios[d] : Complete(d, k))\n';
    expect(spec.split(fairness).length - 1).toBe(1);
    await writeFile(join(sub, 'PageLifetime.tla'), spec.replace(fairness, ''));
    await copyFile(join(SPEC, 'MCPageLifetime.tla'), join(sub, 'MCPageLifetime.tla'));
    await writeFile(join(sub, 'L.cfg'), await liveCfg('BiosCompleteProp', 'VariantV65'));
    expect((await runModel(jar, { ...final, cfg: 'L.cfg' }, { specDir: sub })).result.outcome).toBe('liveness');
  });
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
      const model = mu.model === undefined ? final : models.find((x) => x.name === mu.model);
      if (model === undefined) throw new Error(`${mu.model} is not in spec/manifest.json`);
      const run = await runModel(jar, model, { specDir: sub });
      expect({ outcome: run.result.outcome, invariant: run.result.invariant }).toEqual({ outcome: 'safety', invariant: mu.invariant });
    });
  }
});
