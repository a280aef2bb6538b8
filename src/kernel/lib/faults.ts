// Test-only fault hooks: deliberately broken kernel paths that a test switches on to show that `iterpin conform`
// and `iterpin validate` catch an implementation departing from the spec. They are not design variants: no
// model or spec names them, and each is off unless a test turns it on (and back off).

export interface KernelFaults {
  /** iov_iter_revert() on an element array steps back over an element without nr_segs++ (KERNEL.md §A.4). */
  revertForgetsNrSegs: boolean;
}

export const kernelFaults: KernelFaults = { revertForgetsNrSegs: false };
