--------------------------- MODULE MCPageLifetime ---------------------------
(***************************************************************************)
(* The finite model of PageLifetime for TLC: four layouts of two           *)
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

\* Fragments that start mid-page and cross into the next page frame (KERNEL.md §G.5): an O_DIRECT read into
\* user pages 3 and 4 (physically adjacent) from the middle of 3, and a KVEC write from the middle of kernel
\* page 7 into 8; each becomes one multi-page bvec starting at offset 2048.
LayoutUnaligned ==
    [kind |-> 1 :> "zero" @@ 3 :> "user" @@ 4 :> "user" @@ 7 :> "kernel" @@ 8 :> "kernel",
     mapping |-> 1 :> 3 @@ 2 :> 4,
     iter |-> 1 :> [type |-> "UBUF", dir |-> "DEST", maxVecs |-> 2,
                    elems |-> <<E(1, 2048, 2048), E(2, 0, 2048)>>]
          @@ 2 :> [type |-> "KVEC", dir |-> "SOURCE", maxVecs |-> 2,
                    elems |-> <<E(7, 2048, 2048), E(8, 0, 2048)>>],
     owned |-> {7, 8}]

MCLayouts == {LayoutUser, LayoutKernel, LayoutMixed, LayoutUnaligned}
MCKernelLayouts == {LayoutKernel}

\* Each DIO of the layouts above on its own (its memory kept): the starting points of the failure-injection
\* models, where every GetPages may stop at any page, so two DIOs side by side would multiply the interleavings.
OneDio(L, d) == [L EXCEPT !.iter = 1 :> L.iter[d]]
MCOneDioLayouts == {OneDio(L, d) : L \in MCLayouts, d \in {1, 2}}
\* The default tier's liveness model: a user IOVEC read (pins, a same-page merge, two bios), a kernel KVEC write
\* (borrowed pages, no pin or reference) and the unaligned O_DIRECT read (a fragment from mid-page), each alone;
\* every one-DIO layout, with every failure injectable, is the deep tier's MCPageLifetimeLiveFail.
MCLiveLayouts == {OneDio(LayoutUser, 1), OneDio(LayoutKernel, 1), OneDio(LayoutUnaligned, 1)}
\* The unaligned O_DIRECT read alone (small models that show a leak or a stuck bio as a liveness violation).
MCUnalignedRead == {OneDio(LayoutUnaligned, 1)}

VariantV65 == "v6.5"
VariantLegacy == "legacy"
VariantBugDioReffed == "bug-dio-reffed"
VariantBugSamePageMerge == "bug-same-page-merge"
VariantBugZeroPagePut == "bug-zero-page-put"
VariantBugSamePageFailedAdd == "bug-same-page-failed-add"
VariantBugReleaseUnaligned == "bug-release-unaligned"

NoInjection == {}
AllInjections == {"gup", "add", "alloc"}
GupInjection == {"gup"}
AllocInjection == {"alloc"}

\* Leaves out `action`, so recording each step's arguments does not multiply the state space.
View == <<kind, ref, freed, owned, mapping, iter, dio, bios>>
=============================================================================
