-------------------------- MODULE MCIterToSgSample --------------------------
(***************************************************************************)
(* IterToSg at the sizes a kernel engineer asks about, too large to       *)
(* exhaust and sampled instead (TLC's simulation mode): 4096-byte pages,   *)
(* iterators of every type over eight pages shaped like MCIterToSg's      *)
(* (empty first and middle elements, page-crossing and multi-page         *)
(* pieces, an unaligned and a page-aligned user buffer, a page-aligned    *)
(* xarray), and a sixteen-entry scatterlist (af_alg's ALG_MAX_PAGES,      *)
(* KERNEL.md §G.10) holding 0, 1, 2 or 8 entries already.  maxsize takes  *)
(* the page-boundary neighbours (4095, 4096, 4097), two pages and more    *)
(* than is left; sg_max 0 to 3, 8 and 16.                                  *)
(***************************************************************************)
EXTENDS MCIterToSg

SamplePageSize == 4096

SampleKvecSegs == <<[addr |-> 2, len |-> 0],          \* empty, first
                    [addr |-> 100, len |-> 9000],     \* mid-page 0 to mid-page 2
                    [addr |-> 12288, len |-> 0],      \* empty, in the middle, on a page boundary
                    [addr |-> 14000, len |-> 18000]>> \* mid-page 3 to the last page (7)

SampleBvecSegs == <<[page |-> 0, offset |-> 2, len |-> 0],        \* empty, first
                    [page |-> 1, offset |-> 1, len |-> 4095],     \* inside a page, ending on its boundary
                    [page |-> 2, offset |-> 0, len |-> 12288],    \* three whole pages (multi-page bvec)
                    [page |-> 6, offset |-> 2048, len |-> 6144]>> \* mid-page to the end of the next page

SampleLay(type, dir, segs, start, count) ==
    [type |-> type, dir |-> dir, pageSize |-> SamplePageSize, segs |-> segs, start |-> start,
     count |-> count, holes |-> {}]

SampleLayouts ==
    { SampleLay("UBUF", "DEST", <<[addr |-> 300, len |-> 30000]>>, 0, 30000),   \* mid-page start, eight pages
      SampleLay("UBUF", "SOURCE", <<[addr |-> 4096, len |-> 28672]>>, 0, 28672), \* page-aligned, seven pages
      SampleLay("IOVEC", "SOURCE", SampleKvecSegs, 0, 27000),
      SampleLay("KVEC", "DEST", SampleKvecSegs, 0, 27000),
      SampleLay("BVEC", "DEST", SampleBvecSegs, 0, 22527),
      SampleLay("XARRAY", "SOURCE", <<>>, 8192, 24576) }                       \* page-aligned position

SamplePages == 0..10
SamplePreCounts == {0, 1, 2, 8}
SampleCap == 16
SampleSizes == {1, 4095, 4096, 4097, 8192, 102400}
SampleSgMaxes == {0, 1, 2, 3, 8, 16}

\* MCIterToSg's state constraints at these sizes (see there).
SampleXarrayCallsAligned ==
    (layout.type = "XARRAY" /\ call.phase # "user") => (layout.start + iter.iovOffset) % SamplePageSize = 0
SampleRoundsBounded == call.rounds <= SampleCap + 1
=============================================================================
