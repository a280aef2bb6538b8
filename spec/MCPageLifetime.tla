--------------------------- MODULE MCPageLifetime ---------------------------
(***************************************************************************)
(* The finite model of PageLifetime for TLC: three layouts of two          *)
(* concurrent DIOs each, covering all five iterator types in both          *)
(* directions, a never-written user buffer (the zero page), same-page and  *)
(* multi-page bvec merges, shared pages between DIOs, and bios of at most  *)
(* two bvecs (bi_max_vecs 2: a three-page UBUF needs two bios).                        *)
(* Page numbers are page frames: 1 is ZERO_PAGE(0); 3 and 5 are user       *)
(* pages; 7, 8, 9 are kernel pages (7-8-9 physically adjacent).            *)
(***************************************************************************)
EXTENDS PageLifetime, TLC

MCPageSize == 4096
MCBias == 1024
MCZeroBase == 1

E(pg, off, len) == [page |-> pg, off |-> off, len |-> len]

\* User DIOs: an O_DIRECT read into two halves of one page and a whole page (IOVEC: a same-page merge),
\* and an O_DIRECT write from a buffer whose first page was never written (UBUF over the zero page).
LayoutUser ==
    [kind |-> 1 :> "zero" @@ 3 :> "user" @@ 5 :> "user",
     mapping |-> 1 :> 1 @@ 2 :> 3 @@ 3 :> 5,
     iter |-> 1 :> [type |-> "IOVEC", dir |-> "DEST", maxVecs |-> 2,
                    elems |-> <<E(2, 0, 2048), E(2, 2048, 2048), E(3, 0, 4096)>>]
          @@ 2 :> [type |-> "UBUF", dir |-> "SOURCE", maxVecs |-> 2,
                    elems |-> <<E(1, 0, 4096), E(2, 0, 4096), E(3, 0, 4096)>>],
     owned |-> {}]

\* Kernel DIOs: a KVEC write from halves of page 7 and page 8 (same-page, then multi-page merge) and an
\* XARRAY read into pages 8 and 9; both use page 8, whose owner may free it only after both finish.
LayoutKernel ==
    [kind |-> 1 :> "zero" @@ 7 :> "kernel" @@ 8 :> "kernel" @@ 9 :> "kernel",
     mapping |-> <<>>,
     iter |-> 1 :> [type |-> "KVEC", dir |-> "SOURCE", maxVecs |-> 2,
                    elems |-> <<E(7, 0, 2048), E(7, 2048, 2048), E(8, 0, 4096)>>]
          @@ 2 :> [type |-> "XARRAY", dir |-> "DEST", maxVecs |-> 2,
                    elems |-> <<E(8, 0, 4096), E(9, 0, 4096)>>],
     owned |-> {7, 8, 9}]

\* Mixed: a BVEC read (the bio shares the array) and an IOVEC write from a user page and the zero page.
LayoutMixed ==
    [kind |-> 1 :> "zero" @@ 3 :> "user" @@ 7 :> "kernel" @@ 9 :> "kernel",
     mapping |-> 1 :> 3 @@ 2 :> 1,
     iter |-> 1 :> [type |-> "BVEC", dir |-> "DEST", maxVecs |-> 2,
                    elems |-> <<E(7, 0, 4096), E(9, 0, 2048)>>]
          @@ 2 :> [type |-> "IOVEC", dir |-> "SOURCE", maxVecs |-> 2,
                    elems |-> <<E(1, 2048, 2048), E(2, 0, 2048)>>],
     owned |-> {7, 9}]

MCLayouts == {LayoutUser, LayoutKernel, LayoutMixed}

VariantV65 == "v6.5"
VariantLegacy == "legacy"
VariantBugDioReffed == "bug-dio-reffed"
VariantBugSamePageMerge == "bug-same-page-merge"
VariantBugZeroPagePut == "bug-zero-page-put"

\* Leaves out `action`, so recording each step's arguments does not multiply the state space.
View == <<kind, ref, freed, owned, mapping, iter, dio, bios>>
=============================================================================
