----------------------------- MODULE MCIovIterGen -----------------------------
(***************************************************************************)
(* IovIter on generated inputs: instead of one hand-picked iterator per    *)
(* type, every iterator within bounds.  An element is a piece <<o, l>>: l  *)
(* bytes from in-page offset o of its own pages (element k starts on page  *)
(* 3 * (k - 1), so no two elements share a page); the pieces come from a   *)
(* set of lengths (0 included) and offsets, which gives empty, in-page,    *)
(* page-aligned, whole-page, mid-page-crossing and boundary-ending         *)
(* elements.  IOVEC, KVEC and BVEC take every list of up to MaxSegs        *)
(* pieces, UBUF and XARRAY every single piece, DISCARD every length.       *)
(* Xarrays have no holes (callers keep the range populated, KERNEL.md      *)
(* §B.6; the hole is MCIovIterXarrayHole's).                               *)
(***************************************************************************)
EXTENDS MCIovIter

GenPageSize == 4

\* Pages from an element's first to its last byte: offsets < PS and lengths <= 2 * PS touch at most 3.
GenBase(k) == 3 * (k - 1)

RECURSIVE GenSum(_)
GenSum(s) == IF s = <<>> THEN 0 ELSE Head(s)[2] + GenSum(Tail(s))

GenLay(type, dir, segs, start, count) ==
    [type |-> type, dir |-> dir, pageSize |-> GenPageSize, segs |-> segs, start |-> start, count |-> count,
     holes |-> {}]

\* Every iterator whose elements are at most maxSegs pieces <<offset, length>> with offset \in offs and
\* length \in lens.
GenLayouts(maxSegs, lens, offs) ==
    LET pieces == offs \X lens
        lists == UNION {[1..n -> pieces] : n \in 0..maxSegs}
        iovecs(s) == [k \in 1..Len(s) |-> [addr |-> GenBase(k) * GenPageSize + s[k][1], len |-> s[k][2]]]
        bvecs(s) == [k \in 1..Len(s) |-> [page |-> GenBase(k), offset |-> s[k][1], len |-> s[k][2]]]
    IN {GenLay("IOVEC", "SOURCE", iovecs(s), 0, GenSum(s)) : s \in lists}
       \cup {GenLay("KVEC", "DEST", iovecs(s), 0, GenSum(s)) : s \in lists}
       \cup {GenLay("BVEC", "DEST", bvecs(s), 0, GenSum(s)) : s \in lists}
       \cup {GenLay("UBUF", "DEST", iovecs(<<p>>), 0, p[2]) : p \in pieces}
       \cup {GenLay("XARRAY", "SOURCE", <<>>, GenPageSize + p[1], p[2]) : p \in pieces}
       \cup {GenLay("DISCARD", "DEST", <<>>, 0, l) : l \in lens}

\* Lengths 0, 1 (in a page) and 5 (always crossing a boundary); offsets 0 and 3 (aligned, and one byte
\* before a boundary: 3 + 1 and 3 + 5 end exactly on one).
GenLens == {0, 1, 5}
GenOffs == {0, 3}
\* Default tier: every single element of those pieces, and every pair of unaligned elements of 0 or 5 bytes
\* (an empty element before or after data, a boundary-ending element followed by another that crosses one).
GenDefault == GenLayouts(1, GenLens, GenOffs) \cup GenLayouts(2, {0, 5}, {3})
\* Deep tier, middle size: every list of up to two elements of all those pieces.
GenMid == GenLayouts(2, GenLens, GenOffs)
GenSizes == {2, 32}          \* less than a page (from mid-page: across a boundary), all that is left
GenPageCounts == {1, 2}
GenSteps == {1, 3}

\* Deep tier: up to three elements (an empty one between two, an empty one after a boundary-ending one,
\* two empty ones first) on the same pieces, and the page array allocated by the call as well.
GenDeep == GenLayouts(3, GenLens, GenOffs)

\* v6.12 differs from v6.6 in the bvec extractor only (IovIter's BvecWalker): its models take the bvec
\* arrays alone, and being small, the default one takes every array of up to two pieces (GenMidV612: a bvec
\* ending mid-page or on a boundary before an aligned or unaligned one, which the walk's stop tests turn on)
\* with all three page-array modes; the bug models keep GenDefaultV612.  The v6.12 walker steps over only one
\* empty bvec before it walks (MCIovIterV612LeadingEmpties): its deep final-design model (three elements)
\* leaves out bvec arrays that start with two empty bvecs and hold data after them.
TwoLeadingEmpties(l) == l.type = "BVEC" /\ Len(l.segs) >= 2 /\ l.segs[1].len = 0 /\ l.segs[2].len = 0
                        /\ l.count > 0
GenDefaultV612 == {l \in GenDefault : l.type = "BVEC"}
GenMidV612 == {l \in GenMid : l.type = "BVEC"}
GenDeepV612 == {l \in GenDeep : l.type = "BVEC" /\ ~TwoLeadingEmpties(l)}

GenAllocs == {"caller", "alloc", "fail"}
=============================================================================
