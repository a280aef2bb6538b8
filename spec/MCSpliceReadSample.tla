------------------------- MODULE MCSpliceReadSample -------------------------
(***************************************************************************)
(* SpliceRead at the size a kernel engineer asks about, sampled rather     *)
(* than exhausted (TLC's simulation mode): 4096-byte pages, a file of up   *)
(* to eight blocks, a sixteen-slot pipe (the default pipe->max_usage)      *)
(* already holding 0 to 15 buffers of an earlier writer at ring positions  *)
(* that wrap, splice lengths and truncate points on and off block          *)
(* boundaries, two pages for the other allocator, and bulk allocation      *)
(* failing or not (KERNEL.md §E.1-§E.3).                                   *)
(***************************************************************************)
EXTENDS SpliceRead

SamplePageSize == 4096
SampleRing == 16
SamplePages == 1..(SampleRing + 2)
SampleFileSizes == {4096, 10000, 32768}
SampleSpliceLens == {1, 4096, 6000, 16384, 32768, 65536}
SampleTruncSizes == {0, 2048, 4096, 10000, 20480, 32768}
SampleOffsets == {0, 4096, 12288, 28672}
SampleOccupancies == {0, 1, 8, 14, 15}
SamplePipeTails == {0, 7, 15}

VariantCopySpliceRead == "copy-splice-read"
VariantPipeGetPages == "pipe-get-pages"
VariantPipeExtractNoRef == "pipe-extract-no-ref"
VariantPipeGetPagesNoRevert == "pipe-get-pages-no-revert"

View == <<refcount, owner, content, file, pipe, iter, bvec, bios, dio, task>>
StateConstraint == Len(bios) <= SampleRing
=============================================================================
