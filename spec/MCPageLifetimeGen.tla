------------------------- MODULE MCPageLifetimeGen -------------------------
(***************************************************************************)
(* PageLifetime over inputs generated from bounds rather than picked by     *)
(* hand: every DIO of one iterator, of every type and direction, whose     *)
(* elements are up to GenMaxElems per-page pieces (a whole page, its first *)
(* half, its second half) of two physically adjacent pages, with bios of   *)
(* each bi_max_vecs in GenMaxVecs.  So the inputs include same-page        *)
(* neighbours (two halves of one page), fragments that start mid-page and  *)
(* cross into the next page frame, repeated and reordered pages, and, for  *)
(* writes, a user buffer whose first page was never written (the zero      *)
(* page).  UBUF and XARRAY describe one contiguous range, so their pieces   *)
(* must follow each other.  User iterators name user pages 1-2 (pages 3-4  *)
(* or the zero page and 3); kernel iterators name kernel pages 7-8.        *)
(* Each layout is one initial state (KERNEL.md §C.3, §H.11, §H.12).        *)
(***************************************************************************)
EXTENDS MCPageLifetime

CONSTANTS
    GenMaxElems,    \* elements per iterator: 1..GenMaxElems
    GenMaxVecs      \* the bi_max_vecs values to try

\* The pieces of one page an element may be.
PiecesOf(pg) == {E(pg, 0, 4096), E(pg, 0, 2048), E(pg, 2048, 2048)}

SeqsUpTo(S, n) == UNION {[1..k -> S] : k \in 1..n}

\* Consecutive pieces of one contiguous range: each ends its page, the next starts the following page at 0.
ContiguousRange(es) ==
    \A i \in 1..(Len(es) - 1) :
        es[i].off + es[i].len = MCPageSize /\ es[i + 1].off = 0 /\ es[i + 1].page = es[i].page + 1

GenElems(t, pages) ==
    {es \in SeqsUpTo(UNION {PiecesOf(pg) : pg \in pages}, GenMaxElems) :
        t \in {"UBUF", "XARRAY"} => ContiguousRange(es)}

\* A user buffer at user pages 1-2 over pages 3-4, or (writes only, NoCowInLayouts) the zero page then page 3.
UserWritten == [kind |-> 1 :> "zero" @@ 3 :> "user" @@ 4 :> "user", mapping |-> 1 :> 3 @@ 2 :> 4, owned |-> {}]
UserZeroFirst == [kind |-> 1 :> "zero" @@ 3 :> "user", mapping |-> 1 :> 1 @@ 2 :> 3, owned |-> {}]
KernelBuffer == [kind |-> 1 :> "zero" @@ 7 :> "kernel" @@ 8 :> "kernel", mapping |-> <<>>, owned |-> {7, 8}]

WithIter(M, it) == [kind |-> M.kind, mapping |-> M.mapping, owned |-> M.owned, iter |-> 1 :> it]

GenIters(t, dir, pages) ==
    {[type |-> t, dir |-> dir, maxVecs |-> mv, elems |-> es] : mv \in GenMaxVecs, es \in GenElems(t, pages)}

\* O_DIRECT reads into written user pages; writes from them or from a buffer starting on the zero page; kernel
\* iterators both ways.  The deep tier checks the read and the kernel parts at three pieces as models of their
\* own; the write part at three pieces (278,112 distinct states) runs past the deep tier's ten minutes here.
GenUserReadLayouts == UNION {{WithIter(UserWritten, it) : it \in GenIters(t, "DEST", {1, 2})} : t \in UserTypes}
GenUserWriteLayouts ==
    UNION {{WithIter(M, it) : it \in GenIters(t, "SOURCE", {1, 2})} : t \in UserTypes, M \in {UserWritten, UserZeroFirst}}
GenKernelLayouts ==
    UNION {{WithIter(KernelBuffer, it) : it \in GenIters(t, dir, {7, 8})} :
              t \in {"KVEC", "BVEC", "XARRAY"}, dir \in {"SOURCE", "DEST"}}
GenLayouts == GenUserReadLayouts \cup GenUserWriteLayouts \cup GenKernelLayouts

MCGenMaxElems == 2
MCGenMaxVecs == {2}
MCDeepMaxElems == 3
MCDeepMaxVecs == {2}
=============================================================================
