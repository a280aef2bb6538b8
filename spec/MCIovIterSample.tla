--------------------------- MODULE MCIovIterSample ---------------------------
(***************************************************************************)
(* IovIter at the sizes a kernel engineer asks about, too large to         *)
(* exhaust and sampled instead (TLC's simulation mode): 4096-byte pages    *)
(* and iterators over eight pages, shaped like the kunit fixtures of       *)
(* MCIovIter (KERNEL.md §F.1) at full scale: empty first and middle        *)
(* elements, unaligned starts and ends, elements and bvecs that span       *)
(* pages, an xarray entered mid-page.  maxsize and the advance/revert     *)
(* steps include the page-boundary neighbours (4095, 4096, 4097) and       *)
(* "more than is left" (the kunit tests' 100 KiB).                         *)
(***************************************************************************)
EXTENDS IovIter

SamplePageSize == 4096

\* Byte ranges of one virtual buffer of eight pages (virtual page k is page k).
SampleKvecSegs == <<[addr |-> 2, len |-> 0],          \* empty, first
                    [addr |-> 100, len |-> 9000],     \* mid-page 0 to mid-page 2
                    [addr |-> 12288, len |-> 0],      \* empty, in the middle, on a page boundary
                    [addr |-> 14000, len |-> 18000]>> \* mid-page 3 to the last page (7)

\* (page, offset, len) bio_vecs over eight page frames.
SampleBvecSegs == <<[page |-> 0, offset |-> 2, len |-> 0],        \* empty, first
                    [page |-> 1, offset |-> 1, len |-> 4095],     \* inside a page, ending on its boundary
                    [page |-> 2, offset |-> 0, len |-> 12288],    \* three whole pages (multi-page bvec)
                    [page |-> 5, offset |-> 0, len |-> 0],        \* empty, in the middle, after a page end
                    [page |-> 6, offset |-> 2048, len |-> 6144]>> \* mid-page to the end of the next page

SampleLayouts ==
    { [type |-> "UBUF",    dir |-> "DEST",   pageSize |-> SamplePageSize, segs |-> <<[addr |-> 300, len |-> 30000]>>,
       start |-> 0, count |-> 30000, holes |-> {}],
      [type |-> "IOVEC",   dir |-> "SOURCE", pageSize |-> SamplePageSize, segs |-> SampleKvecSegs,
       start |-> 0, count |-> 27000, holes |-> {}],
      [type |-> "KVEC",    dir |-> "DEST",   pageSize |-> SamplePageSize, segs |-> SampleKvecSegs,
       start |-> 0, count |-> 27000, holes |-> {}],
      [type |-> "BVEC",    dir |-> "DEST",   pageSize |-> SamplePageSize, segs |-> SampleBvecSegs,
       start |-> 0, count |-> 22527, holes |-> {}],
      [type |-> "XARRAY",  dir |-> "SOURCE", pageSize |-> SamplePageSize, segs |-> <<>>,
       start |-> 6000, count |-> 26000, holes |-> {}],
      [type |-> "DISCARD", dir |-> "DEST",   pageSize |-> SamplePageSize, segs |-> <<>>,
       start |-> 0, count |-> 20000, holes |-> {}] }

SampleSizes == {0, 1, 512, 4095, 4096, 4097, 8192, 102400}
SamplePageCounts == {1, 2, 3, 8}
SampleSteps == {0, 1, 511, 4095, 4096, 4097, 9000}
SampleAllocs == {"caller", "fail"}
SampleAllocsCaller == {"caller"}

VariantV66 == "v6.6"
VariantBugClobberMaxsize == "bug-clobber-maxsize"
VariantBugNoSkipEmpty == "bug-no-skip-empty"
VariantBugKvecOffset == "bug-kvec-offset"
VariantBugBvecSizePlusSkip == "bug-bvec-size-plus-skip"
VariantBugBvecAllocUnchecked == "bug-bvec-alloc-unchecked"

\* Everything but the replay-only action record.
View == <<layout, iter, xtr, fwd, hist>>
=============================================================================
