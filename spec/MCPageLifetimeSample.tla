------------------------ MODULE MCPageLifetimeSample ------------------------
(***************************************************************************)
(* PageLifetime at the size a kernel engineer asks about, sampled rather   *)
(* than exhausted (TLC's simulation mode): four concurrent DIOs over eight *)
(* 4096-byte page frames, sharing folios, with every failure the spec can  *)
(* inject.  Page 1 is ZERO_PAGE(0); 3, 4, 5 are user pages (3-4            *)
(* physically adjacent); 7, 8, 9, 10 are kernel pages (adjacent in a row). *)
(* The two layouts together hold every shape of MCPageLifetime's four      *)
(* (same-page and multi-page merges, the zero page under a write, a kernel *)
(* page two DIOs share, fragments that start mid-page and cross a frame),  *)
(* now side by side (KERNEL.md §C.3, §G.3-§G.5).                            *)
(***************************************************************************)
EXTENDS MCPageLifetime

SampleKind == 1 :> "zero" @@ 3 :> "user" @@ 4 :> "user" @@ 5 :> "user"
              @@ 7 :> "kernel" @@ 8 :> "kernel" @@ 9 :> "kernel" @@ 10 :> "kernel"

\* User virtual pages 1-4: the never-written page (the zero page), then pages 3, 4, 5.
SampleMapping == 1 :> 1 @@ 2 :> 3 @@ 3 :> 4 @@ 4 :> 5

\* Four DIOs: a user read into two halves of one page and the next (same-page merge), a user write from the
\* zero page on (UBUF), a KVEC write from halves of kernel page 7 and page 8, an XARRAY read into 8, 9, 10.
SampleShared ==
    [kind |-> SampleKind, mapping |-> SampleMapping,
     iter |-> 1 :> [type |-> "IOVEC", dir |-> "DEST", maxVecs |-> 2,
                    elems |-> <<E(2, 0, 2048), E(2, 2048, 2048), E(3, 0, 4096)>>]
          @@ 2 :> [type |-> "UBUF", dir |-> "SOURCE", maxVecs |-> 2,
                    elems |-> <<E(1, 0, 4096), E(2, 0, 4096), E(3, 0, 4096), E(4, 0, 4096)>>]
          @@ 3 :> [type |-> "KVEC", dir |-> "SOURCE", maxVecs |-> 2,
                    elems |-> <<E(7, 0, 2048), E(7, 2048, 2048), E(8, 0, 4096)>>]
          @@ 4 :> [type |-> "XARRAY", dir |-> "DEST", maxVecs |-> 2,
                    elems |-> <<E(8, 0, 4096), E(9, 0, 4096), E(10, 0, 4096)>>],
     owned |-> {7, 8, 9, 10}]

\* Four DIOs whose fragments start mid-page: a user read from the middle of page 3 into 4, a KVEC write from
\* the middle of 7 into 8, a BVEC read over 9-10, and an IOVEC write from the zero page and page 5.
SampleUnaligned ==
    [kind |-> SampleKind, mapping |-> SampleMapping,
     iter |-> 1 :> [type |-> "UBUF", dir |-> "DEST", maxVecs |-> 2,
                    elems |-> <<E(2, 2048, 2048), E(3, 0, 2048)>>]
          @@ 2 :> [type |-> "KVEC", dir |-> "SOURCE", maxVecs |-> 2,
                    elems |-> <<E(7, 2048, 2048), E(8, 0, 2048)>>]
          @@ 3 :> [type |-> "BVEC", dir |-> "DEST", maxVecs |-> 2,
                    elems |-> <<E(9, 0, 4096), E(10, 0, 2048)>>]
          @@ 4 :> [type |-> "IOVEC", dir |-> "SOURCE", maxVecs |-> 2,
                    elems |-> <<E(1, 2048, 2048), E(4, 0, 2048)>>],
     owned |-> {7, 8, 9, 10}]

SampleLayouts == {SampleShared, SampleUnaligned}
=============================================================================
