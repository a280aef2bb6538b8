------------------------------ MODULE MCIterToSg ------------------------------
(***************************************************************************)
(* The finite model of IterToSg: 4-byte pages, the x86-64 scatterlist     *)
(* geometry (a 32-byte entry holds four 8-byte pointers), a six-entry      *)
(* scatterlist array with 0..2 entries already in it, and one small        *)
(* iterator of each type chosen in Init: unaligned and page-aligned user   *)
(* buffers, an iovec and a kvec with empty first and middle elements and   *)
(* page-crossing ranges (the kunit kvec ranges, KERNEL.md §F.1, shrunk),   *)
(* bvecs with a multi-page and a page-crossing bio_vec, and an xarray.  A  *)
(* behaviour is a sequence of calls like the kunit iter_to_sg cases (§F.2  *)
(* 13-17): sg_max 0, small sg_max values, then the rest, each adding to    *)
(* the same table.                                                         *)
(***************************************************************************)
EXTENDS IterToSg

MCPageSize == 4

MCKvecSegs == <<[addr |-> 2, len |-> 0],    \* empty, first
                [addr |-> 5, len |-> 6],    \* mid-page to mid-page across a boundary
                [addr |-> 12, len |-> 0],   \* empty, in the middle
                [addr |-> 14, len |-> 5]>>  \* mid-page to mid-page

MCBvecSegs == <<[page |-> 0, offset |-> 2, len |-> 0],   \* empty, first
                [page |-> 1, offset |-> 1, len |-> 3],   \* inside a page, ending on its boundary
                [page |-> 3, offset |-> 0, len |-> 8],   \* two whole pages (multi-page bvec)
                [page |-> 6, offset |-> 2, len |-> 6]>>  \* mid-page to the end of the next page

Lay(type, dir, segs, start, count) ==
    [type |-> type, dir |-> dir, pageSize |-> MCPageSize, segs |-> segs, start |-> start,
     count |-> count, holes |-> {}]

MCLayouts ==
    { Lay("UBUF", "DEST", <<[addr |-> 3, len |-> 9]>>, 0, 9),      \* mid-page start, three pages
      Lay("UBUF", "SOURCE", <<[addr |-> 4, len |-> 6]>>, 0, 6),    \* page-aligned start
      Lay("IOVEC", "SOURCE", MCKvecSegs, 0, 11),
      Lay("KVEC", "DEST", MCKvecSegs, 0, 11),
      Lay("BVEC", "DEST", MCBvecSegs, 0, 17),
      Lay("XARRAY", "SOURCE", <<>>, 4, 9) }                       \* page-aligned position

\* Only the user-backed iterators, and only the kvec iterator (test-only models of single invariants;
\* the manifest's bug models run on the final design's shape, so the review compares its rows with them).
MCUserLayouts == {l \in MCLayouts : l.type \in UserTypes}
MCKvecLayouts == {l \in MCLayouts : l.type = "KVEC"}

\* An xarray iterator whose position is not page aligned (see the manifest).
MCXarrayUnalignedLayouts == { Lay("XARRAY", "SOURCE", <<>>, 6, 9) }

\* The default-tier iterators: one of each type (the page-aligned user buffer only in the deep tier).
MCSmallLayouts == MCLayouts \ { Lay("UBUF", "SOURCE", <<[addr |-> 4, len |-> 6]>>, 0, 6) }

MCPages == 0..10
MCPreCounts == {0, 1, 2}
MCSgPtrs == 4
\* Six entries: after two entries and a one-entry call, a three-entry call's page array (words 9..11
\* counted from sgl, 4 words an entry) covers entry 2's offset/length word unless it is counted from sg.
MCCap == 6
\* Default tier: maxsize 5 (more than a page) or all that is left, sg_max 0, 1 or 3.
MCSizes == {5}
MCSgMaxes == {0, 1, 3}
\* Deep tier: maxsize 1, 3 or 5, every sg_max up to 3.
MCSizesDeep == {1, 3, 5}
MCSgMaxesDeep == {0, 1, 2, 3}

VariantFinal == "v7.0.7"
VariantBugZeroLoop == "bug-user-zero-loop"
VariantBugKvecTotalLen == "bug-kvec-total-len"
VariantBugTempOverTable == "bug-user-temp-over-table"

\* State constraint of the models with an xarray iterator that should hold every invariant: an xarray
\* call starts at a page boundary (as netfs's page-cache iterators do).  extract_xarray_to_sg() takes
\* every folio's offset from the call's first position, so a call that starts mid-page and reaches a
\* second page lists the wrong bytes (MCIterToSgXarrayUnaligned).
XarrayCallsAligned ==
    (layout.type = "XARRAY" /\ call.phase # "user") => (layout.start + iter.iovOffset) % MCPageSize = 0

\* State constraint of every model the review derives from MCIterToSg.cfg: TLC follows one call for at
\* most MCCap + 1 rounds.  A round that goes around again has used at least one of the table's MCCap
\* entries (SgProgressInv), so only a loop that makes no progress gets that far: the zero-return loop
\* before 6a30653b604a (KERNEL.md §G.10), which SgProgressInv reports at its first empty round.  At a
\* page-aligned position that loop runs forever with table, iterator and pins unchanged (only the round
\* count grows), so past the bound there is no new state for the other invariants, and with the bound
\* the state space is finite: with SgProgressInv left out, TLC still ends with a verdict.
RoundsBounded == call.rounds <= MCCap + 1

\* State constraint of the same models: a behaviour ends where a page has been unpinned more often than
\* it was pinned.  In the kernel that is a refcount underflow or, for the NULL entries the zero-return
\* loop decants mid-page, unpin_user_page(NULL) on the failure path (an oops): nothing after it is
\* worth modelling, and without the bound a caller could repeat it with ever lower counts.  TLC still
\* checks the invariants in the state where it happens (SgPinBalanceInv reports it there); it only does
\* not go on from it.  The final design never gets there (SgPinBalanceInv holds).
PinsNotUnderflowed == \A p \in DOMAIN pins : pins[p] >= 0

\* Everything but the replay-only action record.
View == <<layout, iter, mem, tbl, call, pins>>
=============================================================================
