// Test-only fault hooks: deliberately broken kernel paths that a test switches on to show that `iterpin conform`
// and `iterpin validate` catch an implementation departing from the spec. They are not design variants: no
// model or spec names them, and each is off unless a test turns it on (and back off).

export interface KernelFaults {
  /** iov_iter_revert() on an element array steps back over an element without nr_segs++ (KERNEL.md §A.4). */
  revertForgetsNrSegs: boolean;
  /** bio_release_pages() stops one bio_vec short: the bio's last bio_vec keeps its pins or references (§C.5). */
  bioReleaseSkipsLastVec: boolean;
  /** extract_kvec_to_sg() keeps the element's first in-page offset for the pages after the first (§F.2). */
  kvecToSgKeepsOffset: boolean;
}

export const kernelFaults: KernelFaults = { revertForgetsNrSegs: false, bioReleaseSkipsLastVec: false, kvecToSgKeepsOffset: false };
