---------------------------- MODULE MCSpliceRead ----------------------------
(***************************************************************************)
(* The finite model of SpliceRead: a two-buffer pipe, three page frames    *)
(* (two for the splice, one the other allocator may take), a file of one   *)
(* and a half or two blocks, a splice of one or two pages from offset 0    *)
(* into an empty pipe, and a truncate to 0, half a block or one block;     *)
(* allocations do not fail.  Each cfg picks a Variant.                     *)
(***************************************************************************)
EXTENDS SpliceRead

VariantCopySpliceRead == "copy-splice-read"
VariantPipeGetPages == "pipe-get-pages"
VariantPipeExtractNoRef == "pipe-extract-no-ref"
VariantPipeGetPagesNoRevert == "pipe-get-pages-no-revert"

MCPageSize == 4096
MCMaxUsage == 2
MCPages == {1, 2, 3}
MCFileSizes == {6144, 8192}
MCSpliceLens == {4096, 8192}
MCTruncSizes == {0, 2048, 4096}
MCOtherMax == 1
MCOffsets == {0}
MCOccupancies == {0}
MCPipeTails == {0}
MCAllocFailures == FALSE

(* Every variable but the auxiliary `action`. *)
View == <<refcount, owner, content, file, pipe, iter, bvec, bios, dio, task>>

(* The spec is finite (one splice, shrinking file); this bound only guards it. *)
StateConstraint == Len(bios) <= MCMaxUsage
=============================================================================
