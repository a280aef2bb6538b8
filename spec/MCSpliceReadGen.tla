-------------------------- MODULE MCSpliceReadGen --------------------------
(***************************************************************************)
(* SpliceRead over inputs generated from bounds (issue: inputs generated   *)
(* from bounds): every file size, splice length and truncate point that is *)
(* a multiple of GenGrain up to GenBlocks blocks, every block-aligned      *)
(* splice offset inside the file's blocks, every number of buffers an      *)
(* earlier writer left in a GenRing-slot pipe (empty to one short of full) *)
(* at every ring position, and copy_splice_read()'s bulk allocation        *)
(* getting all, some or none of its pages.  Each cfg sets the bounds and   *)
(* the Variant; the deep tier raises them.                                 *)
(***************************************************************************)
EXTENDS SpliceRead

CONSTANTS
    GenGrain,   \* sizes are multiples of this many bytes (a divisor of PAGE_SIZE)
    GenBlocks,  \* the largest file is this many blocks
    GenRing,    \* pipe->max_usage
    GenOther    \* pages the other allocator may hold

ASSUME GenBounds == /\ GenGrain \in Nat \ {0} /\ 4096 % GenGrain = 0
                    /\ GenBlocks \in Nat \ {0} /\ GenRing \in Nat \ {0} /\ GenOther \in Nat

VariantCopySpliceRead == "copy-splice-read"
VariantPipeGetPages == "pipe-get-pages"
VariantPipeExtractNoRef == "pipe-extract-no-ref"
VariantPipeGetPagesNoRevert == "pipe-get-pages-no-revert"

GenPageSize == 4096
GenSizes == {k * GenGrain : k \in 0..((GenBlocks * GenPageSize) \div GenGrain)}
GenFileSizes == GenSizes
GenSpliceLens == GenSizes \ {0}                           \* do_splice_read() returns 0 at once for len 0
GenTruncSizes == GenSizes
GenOffsets == {k * GenPageSize : k \in 0..(GenBlocks - 1)}
GenOccupancies == 0..(GenRing - 1)                        \* a full pipe makes splice wait before reading
GenPipeTails == 0..(GenRing - 1)                          \* every ring position, wrapping included
GenPages == 1..(GenRing + GenOther)
GenAllocFailures == TRUE

View == <<refcount, owner, content, file, pipe, iter, bvec, bios, dio, task>>
StateConstraint == Len(bios) <= GenRing
=============================================================================
