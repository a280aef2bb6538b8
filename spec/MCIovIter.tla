------------------------------ MODULE MCIovIter ------------------------------
(***************************************************************************)
(* The finite model of IovIter: 4-byte pages and one small iterator of     *)
(* each type, chosen in Init, shaped like the kernel's kunit fixtures      *)
(* (KERNEL.md §F.1): an empty first element, an empty element in the       *)
(* middle, unaligned starts and ends, elements that span pages, and        *)
(* multi-page bvecs, one of them ending on a page boundary.                *)
(***************************************************************************)
EXTENDS IovIter

MCPageSize == 4

\* Byte ranges of one virtual buffer (virtual page k is page k): the kunit kvec ranges, shrunk.
MCKvecSegs == <<[addr |-> 2, len |-> 0],    \* empty, first
                [addr |-> 5, len |-> 6],    \* mid-page to mid-page across a boundary
                [addr |-> 12, len |-> 0],   \* empty, in the middle
                [addr |-> 14, len |-> 5]>>  \* mid-page to mid-page

\* (page, offset, len) bio_vecs: the kunit bvec ranges, shrunk.
MCBvecSegs == <<[page |-> 0, offset |-> 2, len |-> 0],   \* empty, first
                [page |-> 1, offset |-> 1, len |-> 3],   \* inside a page, ending on its boundary
                [page |-> 3, offset |-> 0, len |-> 8],   \* two whole pages (multi-page bvec)
                [page |-> 5, offset |-> 0, len |-> 0],   \* empty, in the middle, after a page end
                [page |-> 6, offset |-> 2, len |-> 6]>>  \* mid-page to the end of the next page

MCLayouts ==
    { [type |-> "UBUF",    dir |-> "DEST",   pageSize |-> MCPageSize, segs |-> <<[addr |-> 3, len |-> 9]>>,
       start |-> 0, count |-> 9, holes |-> {}],
      [type |-> "IOVEC",   dir |-> "SOURCE", pageSize |-> MCPageSize, segs |-> MCKvecSegs,
       start |-> 0, count |-> 11, holes |-> {}],
      [type |-> "KVEC",    dir |-> "DEST",   pageSize |-> MCPageSize, segs |-> MCKvecSegs,
       start |-> 0, count |-> 11, holes |-> {}],
      [type |-> "BVEC",    dir |-> "DEST",   pageSize |-> MCPageSize, segs |-> MCBvecSegs,
       start |-> 0, count |-> 17, holes |-> {}],
      [type |-> "XARRAY",  dir |-> "SOURCE", pageSize |-> MCPageSize, segs |-> <<>>,
       start |-> 6, count |-> 9, holes |-> {}],
      [type |-> "DISCARD", dir |-> "DEST",   pageSize |-> MCPageSize, segs |-> <<>>,
       start |-> 0, count |-> 3, holes |-> {}] }

\* Two starts outside the kernel's usual inputs, each for a model of its own (see the manifest):
\* an xarray whose first index is a hole, entered mid-page (KERNEL.md §B.6, §G.11) ...
MCLayoutsXarrayHole ==
    { [type |-> "XARRAY", dir |-> "SOURCE", pageSize |-> MCPageSize, segs |-> <<>>,
       start |-> 5, count |-> 6, holes |-> {1}] }

\* ... and a bvec array that starts with two empty bvecs (the v6.12 walker steps over only one).
MCLayoutsLeadingEmpties ==
    { [type |-> "BVEC", dir |-> "DEST", pageSize |-> MCPageSize,
       segs |-> <<[page |-> 0, offset |-> 0, len |-> 0], [page |-> 1, offset |-> 0, len |-> 0],
                  [page |-> 2, offset |-> 1, len |-> 5]>>,
       start |-> 0, count |-> 5, holes |-> {}] }

\* A folio queue (FOLIOQ, v6.12), shaped like the kunit folioq fixtures (KERNEL.md §F.2 5, 6, 11: a chain of
\* folio_queue segments, the iterator's count ending short of the last folio): a two-page folio, a one-page
\* folio, then -- past the boundary between the first 2-slot segment and the second -- another two-page folio
\* of which the count leaves the last 2 bytes out.  Advances of 1, 3 and 5 bytes start extractions mid-page,
\* mid-folio and at folio ends.
MCLayoutsFolioq ==
    { [type |-> "FOLIOQ", dir |-> "SOURCE", pageSize |-> MCPageSize,
       segs |-> <<[page |-> 0, offset |-> 0, len |-> 8], [page |-> 2, offset |-> 0, len |-> 4],
                  [page |-> 3, offset |-> 0, len |-> 8]>>,
       start |-> 0, count |-> 18, holes |-> {}] }

MCSizes == {0, 1, 2, 3, 5, 32}   \* 32 stands for "more than is left" (the kunit tests' 100 KiB)
MCPageCounts == {1, 2, 3}
\* The folio queue's default-tier sizes: less than a page, more than a page, more than is left (the deep
\* tier's MCIovIterFolioqDeep takes every size of MCSizes).
MCSizesFolioq == {1, 5, 32}
MCSteps == {0, 1, 2, 3, 5}
\* The caller's maxpages array, and a NULL *pages whose allocation fails (-ENOMEM injection); the bug
\* models that need no allocation keep to the caller's array.
MCAllocs == {"caller", "fail"}
MCAllocsCaller == {"caller"}

VariantV66 == "v6.6"
VariantV612 == "v6.12"
VariantBugClobberMaxsize == "bug-clobber-maxsize"
VariantBugNoSkipEmpty == "bug-no-skip-empty"
VariantBugKvecOffset == "bug-kvec-offset"
VariantBugBvecSizePlusSkip == "bug-bvec-size-plus-skip"
VariantBugBvecAllocUnchecked == "bug-bvec-alloc-unchecked"

\* Everything but the replay-only action record.
View == <<layout, iter, xtr, fwd, hist>>
=============================================================================
