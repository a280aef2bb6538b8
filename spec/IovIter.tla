------------------------------- MODULE IovIter -------------------------------
(***************************************************************************)
(* One iov_iter over a small page size: iov_iter_advance(),                *)
(* iov_iter_revert() and iov_iter_extract_pages() on UBUF, IOVEC, KVEC,    *)
(* BVEC, FOLIOQ, XARRAY and DISCARD iterators, as lib/iov_iter.c does them *)
(* after 7d58fe731028 (v6.3), f741bd7178c9 (v6.6) and, for FOLIOQ, v6.12,  *)
(* plus the designs before and after them as variants (KERNEL.md §A.4,    *)
(* §B, §B.7, §G.0, §G.1, §G.7, §G.9).  The page array is the caller's, or allocated by the call, and   *)
(* that allocation may fail (failure injection, an action argument).       *)
(*                                                                         *)
(* The stream is the concatenation of the iterator's elements; byte p of   *)
(* it lives at a place <<page, offset>> fixed by the layout.  An           *)
(* extraction returns ret, offset0 and a page list; the invariants say     *)
(* that these describe exactly the next ret bytes of the stream, within    *)
(* maxsize and maxpages, and that the iterator moved by exactly ret.       *)
(***************************************************************************)
EXTENDS Integers, Sequences, FiniteSets

CONSTANTS
    PS,          \* PAGE_SIZE of the model, in bytes
    Layouts,     \* the iterators a behaviour may start from (layout records, see LayoutOK)
    Sizes,       \* the maxsize arguments Extract is tried with
    PageCounts,  \* the maxpages arguments Extract is tried with (the caller's page array size)
    Steps,       \* the byte counts Advance and Revert are tried with
    Allocs,      \* the page arrays Extract is tried with (see AllocModes)
    Variant      \* which design of iov_iter_extract_pages() runs (the same strings as the implementation)

Variants == {"v6.6", "v6.12", "bug-clobber-maxsize", "bug-no-skip-empty",
             "bug-kvec-offset", "bug-bvec-size-plus-skip", "bug-bvec-alloc-unchecked"}

\* *pages as the caller passes it (KERNEL.md §B.1, §B.2 want_pages_array()): "caller" = an array of maxpages
\* entries; "alloc" = NULL, and kvmalloc_array() of the entries the call needs succeeds; "fail" = NULL, and
\* that allocation fails (the call must return -ENOMEM and take nothing).
AllocModes == {"caller", "alloc", "fail"}

Types == {"UBUF", "IOVEC", "KVEC", "BVEC", "FOLIOQ", "XARRAY", "DISCARD"}
SegTypes == {"IOVEC", "KVEC", "BVEC"}      \* iterators over an array of elements
ElemTypes == SegTypes \cup {"FOLIOQ"}      \* ... and over a chain of folios: the same position arithmetic
UserTypes == {"UBUF", "IOVEC"}             \* user-backed: extraction pins (iov_iter_extract_will_pin)
KernelTypes == {"KVEC", "BVEC", "FOLIOQ", "XARRAY"}  \* kernel-backed and extractable: pages are only listed

\* ITER_FOLIOQ (v6.12; KERNEL.md §A.3, §B.7; the facts below are read from lib/iov_iter.c of v6.12, beyond
\* what KERNEL.md records, and are this model's assumptions): the buffer is a chain of struct folio_queue
\* segments of folioq_nr_slots() slots, each slot a folio of PAGE_SIZE << order bytes; the iterator holds the
\* current segment, folioq_slot and iov_offset within that slot's folio.  The layout lists the folios in chain
\* order as [page (the first of its 2^order consecutive pages), offset 0, len (its size)] elements, the
\* chain cut into segments of FolioqSlots slots, all full but possibly the last; count may be less than the
\* folios hold (iov_iter_folio_queue() takes any count), and the iterator starts at slot 0, offset 0.  Its
\* position is the folio's index in the chain: nrSegs counts the folios left, the current one included, as
\* for an element array.  This flat index does not depend on FolioqSlots: the walks move to the next segment
\* as soon as a slot number reaches folioq_nr_slots() while the chain goes on, so slot = folioq_nr_slots()
\* remains only at the chain's end, where it is the index past the last folio.  Advance and revert walk the
\* folios as the element iterators walk elements (iov_iter_folioq_advance()/_revert(); folios are never
\* empty); extraction is ExtractFolioq.  The implementation walks a real chain of FolioqSlots-slot segments.
FolioqSlots == 2

\* A layout: the iterator as its constructor was called.  segs holds [addr, len] elements for
\* UBUF (one element)/IOVEC/KVEC, [page, offset, len] for BVEC, and nothing for XARRAY/DISCARD;
\* start and holes describe an XARRAY (index k holds page k unless k \in holes); count is the
\* iterator's initial count.
LayoutOK(l) ==
    /\ l.type \in Types
    /\ l.dir \in {"SOURCE", "DEST"}
    /\ l.pageSize = PS
    /\ \A k \in 1..Len(l.segs) : l.segs[k].len \in Nat
    /\ l.type = "UBUF" => Len(l.segs) = 1
    /\ l.type \in {"XARRAY", "DISCARD"} => l.segs = <<>>
    /\ l.type = "DISCARD" => l.dir = "DEST"
    /\ l.type \in SegTypes \cup {"UBUF"} =>
          l.count = LET RECURSIVE S(_) S(k) == IF k = 0 THEN 0 ELSE S(k - 1) + l.segs[k].len
                    IN S(Len(l.segs))
    /\ l.type = "FOLIOQ" =>
          /\ Len(l.segs) > 0
          /\ \A k \in 1..Len(l.segs) : l.segs[k].offset = 0 /\ \E o \in 0..4 : l.segs[k].len = PS * 2^o
          /\ l.count <= LET RECURSIVE S(_) S(k) == IF k = 0 THEN 0 ELSE S(k - 1) + l.segs[k].len
                        IN S(Len(l.segs))

ASSUME VariantOK == Variant \in Variants                 \* a known design
ASSUME PageSizeOK == PS \in Nat \ {0}                      \* pages hold at least one byte
ASSUME LayoutsOK == \A l \in Layouts : LayoutOK(l)         \* every start is a well-formed iterator
ASSUME ArgsOK == Sizes \subseteq Nat /\ Steps \subseteq Nat /\ PageCounts \subseteq Nat \ {0}  \* size_t args
ASSUME AllocsOK == Allocs \subseteq AllocModes /\ Allocs # {}

\* Layouts, as a definition of this module: TLC evaluates a constant-level definition once, but a constant the
\* cfg replaces by a definition (Layouts <- GenDeep, a set generated from bounds) again at every use.
StartLayouts == Layouts

\* The options of each design (src/kernel/iov_iter_extract.ts VARIANT_OPTIONS holds the same table).
ClobberMaxsize == Variant = "bug-clobber-maxsize"                   \* §G.1: the skip loop writes maxsize
SkipEmpty == Variant # "bug-no-skip-empty"                          \* §G.0 v7: skip empty front elements
KvecOffsetFix == Variant # "bug-kvec-offset"                        \* §G.0 v11: offset0 from the address
BvecWalker == IF Variant \in {"v6.12", "bug-bvec-size-plus-skip", "bug-bvec-alloc-unchecked"}
              THEN "v6.12" ELSE "v6.3"                               \* §B.5
BvecSizePlusSkip == Variant = "bug-bvec-size-plus-skip"             \* §G.7: bi_size = maxsize + skip
BvecAllocChecked == Variant # "bug-bvec-alloc-unchecked"            \* §G.9: the 2026 -ENOMEM check

VARIABLES
    layout,  \* the iterator as constructed (never changes; the first state tells replay what to build)
    iter,    \* [count, iovOffset, nrSegs]: the fields the kernel updates; nrSegs counts the current element
    xtr,     \* the last operation's extraction call and result (valid = FALSE after Advance/Revert)
    fwd,     \* the last forward move (count and position before it, bytes moved) and which call made it
             \* ("advanced" by iov_iter_advance(), "extracted" by an extraction), "undone" once reverted
    hist,    \* history for AdvanceRevertInverseInv: the iterator before the last forward move, the bytes it
             \* moved, and whether the last revert undid exactly that move
    action   \* the step just taken and its arguments, for replay (left out of the view)

vars == <<layout, iter, xtr, fwd, hist, action>>

-----------------------------------------------------------------------------
Min(a, b) == IF a < b THEN a ELSE b
Max(a, b) == IF a > b THEN a ELSE b
DivUp(a, b) == (a + b - 1) \div b

Segs == layout.segs
NSegs == Len(layout.segs)

\* Index of the element the iterator is on (the kernel's element pointer); NSegs + 1 past the end.
Cur(it) == NSegs - it.nrSegs + 1

\* Bytes in elements 1..k.
RECURSIVE SumLen(_)
SumLen(k) == IF k <= 0 THEN 0 ELSE SumLen(k - 1) + Segs[k].len

\* The stream position the element/offset fields designate.
Pos(it) == IF layout.type \in ElemTypes THEN SumLen(Cur(it) - 1) + it.iovOffset ELSE it.iovOffset

\* The element holding stream byte p, and the place <<page, offset>> of that byte.
SegOf(p) == CHOOSE k \in 1..NSegs : SumLen(k - 1) <= p /\ p < SumLen(k)
Where(p) ==
    CASE layout.type \in {"UBUF", "IOVEC", "KVEC"} ->
            LET k == SegOf(p)  a == Segs[k].addr + p - SumLen(k - 1) IN <<a \div PS, a % PS>>
      [] layout.type \in {"BVEC", "FOLIOQ"} ->
            LET k == SegOf(p)  o == Segs[k].offset + p - SumLen(k - 1)
            IN <<Segs[k].page + o \div PS, o % PS>>
      [] OTHER ->
            LET a == layout.start + p IN <<a \div PS, a % PS>>

-----------------------------------------------------------------------------
(* iov_iter_advance() (KERNEL.md §A.4; FOLIOQ: iov_iter_folioq_advance())  *)

\* The element walk of iov_iter_iovec_advance()/iov_iter_bvec_advance(): from nr elements left and size
\* bytes from the current element's start, step over every element size reaches (empty ones included).
RECURSIVE SkipFrom(_, _)
SkipFrom(nr, size) ==
    IF nr = 0 THEN <<0, size>>
    ELSE IF size < Segs[NSegs - nr + 1].len THEN <<nr, size>>
    ELSE SkipFrom(nr - 1, size - Segs[NSegs - nr + 1].len)

AdvanceIt(it, n0) ==
    LET n == Min(n0, it.count) IN
    CASE layout.type \in {"UBUF", "XARRAY"} -> [it EXCEPT !.iovOffset = @ + n, !.count = @ - n]
      [] layout.type \in ElemTypes ->
            IF it.count = 0 THEN it
            ELSE LET w == SkipFrom(it.nrSegs, n + it.iovOffset)
                 IN [count |-> it.count - n, iovOffset |-> w[2], nrSegs |-> w[1]]
      [] OTHER -> [it EXCEPT !.count = @ - n]

-----------------------------------------------------------------------------
(* iov_iter_revert() (KERNEL.md §A.4; FOLIOQ: iov_iter_folioq_revert())    *)

\* Step back element by element until u bytes fit; ok = FALSE when it would go before element 1.
RECURSIVE StepBack(_, _)
StepBack(nr, u) ==
    IF nr >= NSegs THEN [ok |-> FALSE, nr |-> nr, off |-> 0]
    ELSE IF u <= Segs[NSegs - nr].len THEN [ok |-> TRUE, nr |-> nr + 1, off |-> Segs[NSegs - nr].len - u]
    ELSE StepBack(nr + 1, u - Segs[NSegs - nr].len)

\* ok = FALSE is the kernel's BUG() (UBUF/XARRAY) or a walk off the front of the element array.
RevertIt(it, u) ==
    IF u = 0 THEN [ok |-> TRUE, it |-> it]
    ELSE LET it1 == [it EXCEPT !.count = @ + u] IN
         IF layout.type = "DISCARD" THEN [ok |-> TRUE, it |-> it1]
         ELSE IF u <= it.iovOffset THEN [ok |-> TRUE, it |-> [it1 EXCEPT !.iovOffset = @ - u]]
         ELSE IF layout.type \in {"UBUF", "XARRAY"} THEN [ok |-> FALSE, it |-> it1]
         ELSE LET b == StepBack(it.nrSegs, u - it.iovOffset)
              IN [ok |-> b.ok, it |-> [it1 EXCEPT !.nrSegs = b.nr, !.iovOffset = b.off]]

-----------------------------------------------------------------------------
(* iov_iter_extract_pages() (KERNEL.md §B)                                 *)

NoOffset == -1   \* *offset0 not written by the call

\* cap: the entries of the page array the call writes into (0 while it has none: NULL *pages).
Res(ret, errno, off0, pages, it, cap) ==
    [ret |-> ret, errno |-> errno, offset0 |-> off0, pages |-> pages, it |-> it, cap |-> cap]

PageRun(first, n) == [k \in 1..n |-> first + k - 1]

\* want_pages_array() with a caller-supplied array: how many entries to fill.
WantPages(size, start, maxpages) == Min(DivUp(size + start, PS), maxpages)

\* want_pages_array() for the page-array mode a: [n |-> entries to fill (0 => the caller returns -ENOMEM),
\* cap |-> entries the array has].  An allocation that fails leaves *pages NULL: no entries at all.
WantArray(size, start, maxpages, a) ==
    LET n == WantPages(size, start, maxpages) IN
    CASE a = "caller" -> [n |-> n, cap |-> maxpages]
      [] a = "alloc" -> [n |-> n, cap |-> n]
      [] OTHER -> [n |-> 0, cap |-> 0]

\* The array's entries before the call reached want_pages_array().
CapBefore(maxpages, a) == IF a = "caller" THEN maxpages ELSE 0

\* first_iovec_segment(): the first element from k on with data past skip, as <<index, skip>>.
RECURSIVE FirstIovec(_, _)
FirstIovec(k, skip) ==
    IF k > NSegs THEN <<0, 0>>
    ELSE IF Segs[k].len - skip > 0 THEN <<k, skip>> ELSE FirstIovec(k + 1, 0)

\* iov_iter_extract_user_pages() (§B.3): pin_user_pages_fast() pins at most pinLimit pages this call.
ExtractUser(it, m, maxpages, pinLimit, a) ==
    LET f == IF layout.type = "UBUF" THEN <<1, it.iovOffset>> ELSE FirstIovec(Cur(it), it.iovOffset)
        seg == Segs[f[1]]
        addr == seg.addr + f[2]
        size == IF layout.type = "UBUF" THEN m ELSE Min(m, seg.len - f[2])
        off == addr % PS
        w == WantArray(size, off, maxpages, a)
        n == w.n
        res == Min(n, pinLimit)
        r == Min(size, res * PS - off)
    IN IF f[1] = 0 THEN Res(0, "BUG", NoOffset, <<>>, it, CapBefore(maxpages, a))
       ELSE IF n = 0 THEN Res(0, "ENOMEM", off, <<>>, it, w.cap)
       ELSE IF res = 0 THEN Res(0, "EFAULT", off, <<>>, it, w.cap)
       ELSE Res(r, "", off, PageRun((addr - off) \div PS, res), AdvanceIt(it, r), w.cap)

\* The KVEC/BVEC front loop (§B.4): find an element with data, stepping over empty ones (v7+);
\* under ClobberMaxsize the size of an empty element becomes the maxsize of the next (§G.1).
RECURSIVE Front(_, _, _)
Front(nr, skip, m) ==
    IF nr = 0 THEN [found |-> FALSE, nr |-> 0, skip |-> skip, size |-> 0]
    ELSE LET size == Min(m, Segs[NSegs - nr + 1].len - skip) IN
         IF size # 0 \/ ~SkipEmpty THEN [found |-> TRUE, nr |-> nr, skip |-> skip, size |-> size]
         ELSE Front(nr - 1, 0, IF ClobberMaxsize THEN size ELSE m)

\* The iterator after the front loop: it keeps the elements it stepped over, even on a 0/-ENOMEM return.
AfterFront(it, f) == [it EXCEPT !.nrSegs = f.nr, !.iovOffset = IF f.nr = it.nrSegs THEN @ ELSE 0]

\* iov_iter_extract_kvec_pages() (§B.4): one element; pages are the virtual pages from the start address.
ExtractKvec(it, m, maxpages, a) ==
    LET f == Front(it.nrSegs, it.iovOffset, m)
        it1 == AfterFront(it, f)
        seg == Segs[NSegs - f.nr + 1]
        off == IF KvecOffsetFix THEN (seg.addr + f.skip) % PS ELSE f.skip % PS
        walk == IF KvecOffsetFix THEN seg.addr + f.skip - off ELSE seg.addr - off
        w == WantArray(f.size, off, maxpages, a)
        n == w.n
        r == Min(f.size, n * PS - off)
    IN IF ~f.found THEN Res(0, "", NoOffset, <<>>, it1, CapBefore(maxpages, a))
       ELSE IF n = 0 THEN Res(0, "ENOMEM", off, <<>>, it1, w.cap)
       ELSE Res(r, "", off, [k \in 1..n |-> (walk + (k - 1) * PS) \div PS], AdvanceIt(it1, r), w.cap)

\* iov_iter_extract_bvec_pages() v6.3-v6.11 (§B.5): one bvec, its pages taken as contiguous.
ExtractBvecOne(it, m, maxpages, a) ==
    LET f == Front(it.nrSegs, it.iovOffset, m)
        it1 == AfterFront(it, f)
        bv == Segs[NSegs - f.nr + 1]
        skip == f.skip + bv.offset
        off == skip % PS
        w == WantArray(f.size, off, maxpages, a)
        n == w.n
        r == Min(f.size, n * PS - off)
    IN IF ~f.found THEN Res(0, "", NoOffset, <<>>, it1, CapBefore(maxpages, a))
       ELSE IF n = 0 THEN Res(0, "ENOMEM", off, <<>>, it1, w.cap)
       ELSE Res(r, "", off, PageRun(bv.page + skip \div PS, n), AdvanceIt(it1, r), w.cap)

\* The bvec_iter walk of the v6.12+ extractor: single-page chunks from element base + w.idx on, stopping
\* at a chunk that would leave a hole, at limit pages, or after a chunk that does not end its page.
RECURSIVE WalkB(_, _, _, _)
WalkB(base, nr, limit, w) ==
    IF w.size = 0 \/ w.idx >= nr THEN w
    ELSE LET mp == Segs[base + w.idx]
             at == mp.offset + w.done
             po == at % PS
             len == Min(Min(w.size, mp.len - w.done), PS - po)
             w1 == [w EXCEPT !.pages = Append(@, mp.page + at \div PS), !.total = @ + len,
                             !.off0 = IF w.pages = <<>> THEN po ELSE @]
             d == w.done + len
         IN IF w.pages # <<>> /\ po # 0 THEN w
            ELSE IF Len(w1.pages) >= limit \/ po + len # PS THEN w1
            ELSE WalkB(base, nr, limit, [w1 EXCEPT !.idx = IF d = mp.len THEN @ + 1 ELSE @,
                                                   !.done = IF d = mp.len THEN 0 ELSE d,
                                                   !.size = @ - len])

\* iov_iter_extract_bvec_pages() v6.12+ (e4e535bff2bc + bi_idx fix, §B.5); BvecSizePlusSkip is §G.7.  The
\* 2026 fix (§G.9) returns -ENOMEM when want_pages_array() gives 0; without it (BvecAllocChecked false) the
\* walk writes its first entry through the NULL array of a failed allocation.
ExtractBvecWalk(it, m, maxpages, a) ==
    LET step == it.iovOffset = Segs[Cur(it)].len
        it1 == IF step THEN [it EXCEPT !.iovOffset = 0, !.nrSegs = @ - 1] ELSE it
        skip == IF step THEN 0 ELSE it.iovOffset
        arr == WantArray(m, skip, maxpages, a)
        w == WalkB(Cur(it1), it1.nrSegs, arr.n,
                   [idx |-> 0, size |-> IF BvecSizePlusSkip THEN m + skip ELSE m, done |-> skip,
                    pages |-> <<>>, total |-> 0, off0 |-> NoOffset])
    IN IF it.nrSegs = 0 THEN Res(0, "", NoOffset, <<>>, it, CapBefore(maxpages, a))
       ELSE IF arr.n = 0 /\ BvecAllocChecked THEN Res(0, "ENOMEM", NoOffset, <<>>, it1, arr.cap)
       ELSE Res(w.total, "", w.off0, w.pages, AdvanceIt(it1, w.total), arr.cap)

\* The folio walk of iov_iter_extract_folioq_pages() (v6.12, §B.7): from folio k at offset o, one page per
\* step (at most the rest of the page, of the folio and of maxsize m), a folio at its end adding nothing and
\* handing on to the next; it stops after n pages or m bytes, before moving past a folio it has just ended,
\* so the iterator may be left at the end of a folio.  Returns the pages, the bytes and where it stopped.
RECURSIVE WalkF(_, _, _, _, _, _)
WalkF(k, o, n, m, pages, total) ==
    LET fsize == Segs[k].len
        part == Min(Min(PS - (o % PS), m - total), fsize - o)
        take == o < fsize
        pages1 == IF take THEN Append(pages, Segs[k].page + o \div PS) ELSE pages
        total1 == IF take THEN total + part ELSE total
        o1 == IF take THEN o + part ELSE o
    IN IF Len(pages1) >= n \/ total1 >= m \/ (o1 >= fsize /\ k = NSegs)
       THEN [pages |-> pages1, total |-> total1, k |-> k, o |-> o1]
       ELSE IF o1 >= fsize THEN WalkF(k + 1, 0, n, m, pages1, total1)
       ELSE WalkF(k, o1, n, m, pages1, total1)

\* iov_iter_extract_folioq_pages() (v6.12, §B.7): offset0 is the offset in the page; want_pages_array() as for
\* the other types (0 => -ENOMEM, nothing taken).  The iterator's count, slot and iov_offset move with the walk.
ExtractFolioq(it, m, maxpages, a) ==
    LET off == it.iovOffset % PS
        arr == WantArray(m, off, maxpages, a)
        w == WalkF(Cur(it), it.iovOffset, arr.n, m, <<>>, 0)
    IN IF arr.n = 0 THEN Res(0, "ENOMEM", off, <<>>, it, arr.cap)
       ELSE Res(w.total, "", off, w.pages,
                [count |-> it.count - w.total, iovOffset |-> w.o, nrSegs |-> NSegs - w.k + 1], arr.cap)

\* Consecutive present xarray indices from idx on, at most n of them.
RECURSIVE Present(_, _)
Present(idx, n) == IF n = 0 \/ idx \in layout.holes THEN <<>> ELSE <<idx>> \o Present(idx + 1, n - 1)

\* iov_iter_extract_xarray_pages() (§B.6): with no page and offset0 > 0 the size_t difference wraps.
ExtractXarray(it, m, maxpages, a) ==
    LET pos == layout.start + it.iovOffset
        off == pos % PS
        arr == WantArray(m, off, maxpages, a)
        n == arr.n
        pages == Present(pos \div PS, n)
        avail == Len(pages) * PS - off
        r == IF avail < 0 THEN m ELSE Min(avail, m)
    IN IF n = 0 THEN Res(0, "ENOMEM", off, <<>>, it, arr.cap)
       ELSE Res(r, "", off, pages, AdvanceIt(it, r), arr.cap)

\* The dispatcher (§B.2).
ExtractPages(it, maxsize, maxpages, pinLimit, a) ==
    LET m == Min(maxsize, it.count) IN
    IF m = 0 THEN Res(0, "", NoOffset, <<>>, it, CapBefore(maxpages, a))
    ELSE CASE layout.type \in UserTypes -> ExtractUser(it, m, maxpages, pinLimit, a)
           [] layout.type = "KVEC" -> ExtractKvec(it, m, maxpages, a)
           [] layout.type = "BVEC" /\ BvecWalker = "v6.12" -> ExtractBvecWalk(it, m, maxpages, a)
           [] layout.type = "BVEC" -> ExtractBvecOne(it, m, maxpages, a)
           [] layout.type = "FOLIOQ" -> ExtractFolioq(it, m, maxpages, a)
           [] layout.type = "XARRAY" -> ExtractXarray(it, m, maxpages, a)
           [] OTHER -> Res(0, "EFAULT", NoOffset, <<>>, it, CapBefore(maxpages, a))

-----------------------------------------------------------------------------
NoXtr == [valid |-> FALSE, maxsize |-> 0, maxpages |-> 0, alloc |-> "caller", countBefore |-> 0,
          ret |-> 0, errno |-> "", offset0 |-> NoOffset, pages |-> <<>>, cap |-> 0]
NoFwd == [kind |-> "none", moved |-> 0, count |-> 0, pos |-> 0]

\* fwd.kind of a forward move: which call made it.
ForwardKinds == {"advanced", "extracted"}

MaxPageCount == CHOOSE p \in PageCounts : \A q \in PageCounts : q <= p

\* How many pages pin_user_pages_fast() manages before faulting: none, one (a partial pin) or all of
\* them for user-backed iterators; irrelevant (all) for the others.
PinLimits == IF layout.type \in UserTypes THEN {0, 1, MaxPageCount} ELSE {MaxPageCount}

Errnos == {"", "ENOMEM", "EFAULT", "BUG"}

\* The iterator records hist may hold (NoIter: none).
IterRecs == [count : Nat, iovOffset : Nat, nrSegs : Nat]
NoIter == [count |-> 0, iovOffset |-> 0, nrSegs |-> 0]

\* The iterator with the elements it stands on stepped over while they hold nothing more (empty
\* elements, or an element whose end it stands at); the fields a position has after advance.
Canon(it) ==
    IF layout.type \in ElemTypes
    THEN LET w == SkipFrom(it.nrSegs, it.iovOffset) IN [it EXCEPT !.nrSegs = w[1], !.iovOffset = w[2]]
    ELSE it

TypeOK ==
    /\ layout \in StartLayouts
    /\ iter \in [count : 0..layout.count, iovOffset : Nat, nrSegs : 0..NSegs]
    /\ xtr \in [valid : BOOLEAN, maxsize : Nat, maxpages : Nat, alloc : AllocModes, countBefore : Nat,
                ret : Int, errno : Errnos, offset0 : Int, pages : Seq(Int), cap : Nat]
    /\ fwd \in [kind : {"none", "undone"} \cup ForwardKinds, moved : Int, count : Nat, pos : Nat]
    /\ hist \in [last : IterRecs, lastMoved : Nat, undone : BOOLEAN]

Init ==
    /\ layout \in StartLayouts
    /\ iter = [count |-> layout.count, iovOffset |-> 0,
               nrSegs |-> IF layout.type \in ElemTypes \cup {"UBUF"} THEN Len(layout.segs) ELSE 0]
    /\ xtr = NoXtr
    /\ fwd = NoFwd
    /\ hist = [last |-> iter, lastMoved |-> 0, undone |-> FALSE]
    /\ action = [name |-> "Init"]

\* hist after a forward move of b bytes from iter.
HistForward(b) == [last |-> iter, lastMoved |-> b, undone |-> FALSE]

\* hist after a revert of n bytes: whether it undid the last move, and then the iterator that must stand
\* there (nothing else is kept, so that history does not multiply the states).
HistRevert(n) ==
    IF n = hist.lastMoved THEN [last |-> hist.last, lastMoved |-> 0, undone |-> TRUE]
    ELSE [last |-> NoIter, lastMoved |-> 0, undone |-> FALSE]

\* iov_iter_advance(i, n): move the iterator n bytes on (clamped to count)
Advance(n) ==
    LET it == AdvanceIt(iter, n) IN
    /\ iter' = it
    /\ xtr' = NoXtr
    /\ fwd' = [kind |-> "advanced", moved |-> iter.count - it.count, count |-> iter.count, pos |-> Pos(iter)]
    /\ hist' = HistForward(iter.count - it.count)
    /\ action' = [name |-> "Advance", n |-> n]
    /\ UNCHANGED layout

\* iov_iter_revert(i, n): give back n bytes the caller consumed (never more than it consumed)
Revert(n) ==
    LET r == RevertIt(iter, n) IN
    /\ n > 0
    /\ n <= layout.count - iter.count
    /\ r.ok
    /\ iter' = r.it
    /\ xtr' = NoXtr
    /\ fwd' = IF fwd.kind \in ForwardKinds /\ fwd.moved = n THEN [fwd EXCEPT !.kind = "undone"] ELSE NoFwd
    /\ hist' = HistRevert(n)
    /\ action' = [name |-> "Revert", n |-> n]
    /\ UNCHANGED layout

\* iov_iter_extract_pages(i, &pages, maxsize, maxpages, 0, &offset0) with *pages as alloc says
Extract(maxsize, maxpages, pinLimit, alloc) ==
    LET r == ExtractPages(iter, maxsize, maxpages, pinLimit, alloc)
        moved == IF r.errno = "" THEN r.ret ELSE 0
    IN
    /\ pinLimit \in PinLimits
    /\ iter' = r.it
    /\ xtr' = [valid |-> TRUE, maxsize |-> maxsize, maxpages |-> maxpages, alloc |-> alloc,
               countBefore |-> iter.count, ret |-> r.ret, errno |-> r.errno, offset0 |-> r.offset0,
               pages |-> r.pages, cap |-> r.cap]
    /\ fwd' = [kind |-> "extracted", moved |-> moved, count |-> iter.count, pos |-> Pos(iter)]
    /\ hist' = HistForward(moved)
    /\ action' = [name |-> "Extract", maxsize |-> maxsize, maxpages |-> maxpages, pinLimit |-> pinLimit,
                  alloc |-> alloc]
    /\ UNCHANGED layout

Next ==
    \/ \E n \in Steps : Advance(n)
    \/ \E n \in Steps : Revert(n)
    \/ \E m \in Sizes, p \in PageCounts, l \in {0, 1, MaxPageCount}, a \in Allocs : Extract(m, p, l, a)

Spec == Init /\ [][Next]_vars

-----------------------------------------------------------------------------
\* Pages the caller treats as returned: DIV_ROUND_UP(offset0 + ret, PAGE_SIZE) (§B.1).
NeededPages(off, ret) == IF ret > 0 THEN DivUp(off + ret, PS) ELSE 0

\* An extraction returns 0 <= ret <= min(maxsize, count), moves count by exactly ret (by nothing on an
\* error), puts offset0 inside the first page, writes every page the caller will use without exceeding
\* maxpages, and for pinned pages writes exactly those (each carries a pin the caller drops).
ExtractContractInv ==
    xtr.valid =>
        /\ xtr.errno # "BUG"
        /\ xtr.errno \in {"ENOMEM", "EFAULT"} => iter.count = xtr.countBefore
        /\ xtr.errno = "" =>
              /\ 0 <= xtr.ret
              /\ xtr.ret <= Min(xtr.maxsize, xtr.countBefore)
              /\ iter.count = xtr.countBefore - xtr.ret
              /\ xtr.ret > 0 =>
                    /\ 0 <= xtr.offset0 /\ xtr.offset0 < PS
                    /\ NeededPages(xtr.offset0, xtr.ret) <= Len(xtr.pages)
                    /\ Len(xtr.pages) <= xtr.maxpages
                    /\ layout.type \in UserTypes => Len(xtr.pages) = NeededPages(xtr.offset0, xtr.ret)

\* Byte j of what an extraction returned (offset0 + j into the page list) is the stream's byte at the
\* position the iterator stood at plus j.
ExtractCoversStreamInv ==
    (xtr.valid /\ xtr.errno = "" /\ xtr.ret > 0) =>
        \A j \in 0..(Min(xtr.ret, xtr.countBefore) - 1) :
            LET idx == (xtr.offset0 + j) \div PS IN
            idx < Len(xtr.pages) =>
                Where(layout.count - xtr.countBefore + j) = <<xtr.pages[idx + 1], (xtr.offset0 + j) % PS>>

\* A kernel-backed extraction that was asked for something (count, maxsize and maxpages all > 0) and
\* had its page array (not a failed allocation: that one is AllocFailCleanInv's) returns something; and an
\* element iterator never has bytes left but no element to hold them.
NoStallInv ==
    /\ (xtr.valid /\ layout.type \in KernelTypes /\ xtr.countBefore > 0 /\ xtr.maxsize > 0 /\ xtr.maxpages > 0
        /\ xtr.alloc # "fail")
          => (xtr.errno = "" /\ xtr.ret > 0)
    /\ (layout.type \in ElemTypes /\ iter.count > 0) => iter.nrSegs > 0

\* Reverting exactly the bytes the previous advance or extraction moved restores the count and the
\* stream position the iterator had before it.
RevertRestoresInv ==
    fwd.kind = "undone" => (iter.count = fwd.count /\ Pos(iter) = fwd.pos)

\* The element/offset fields and the count agree: position + count = the iterator's initial count.
PositionConsistentInv ==
    layout.type \in ElemTypes => Pos(iter) + iter.count = layout.count

-----------------------------------------------------------------------------
(* Exact accounting at every state (KERNEL.md §B.1, §H.7, §H.11, §A.4/§H.5, §B.8/§G.9)                  *)

\* Stream position the last extraction started at.
XtrStart == layout.count - xtr.countBefore

\* A zero-length bio_vec at stream position p (the bvec after the last byte before p, when p ends one).
EmptyBvecPagesAt(p) ==
    {Segs[k].page + Segs[k].offset \div PS : k \in {j \in 1..NSegs : Segs[j].len = 0 /\ SumLen(j - 1) = p}}

\* The one case where an extraction writes an entry its bytes do not touch (KERNEL.md §B.5, v6.12+): the
\* bvec_iter walker, after bytes that end on a page boundary (or before any byte), steps onto a
\* zero-length bio_vec and writes that bio_vec's page as one entry more; callers count DIV_ROUND_UP(offset0
\* + ret, PS) entries and never use it.  Only this walker, only an empty bio_vec right after the bytes.
TrailingEmptyBvecEntry ==
    /\ layout.type = "BVEC"
    /\ BvecWalker = "v6.12"
    /\ xtr.ret = 0 \/ (xtr.offset0 + xtr.ret) % PS = 0
    /\ Len(xtr.pages) = NeededPages(xtr.offset0, xtr.ret) + 1
    /\ xtr.pages[Len(xtr.pages)] \in EmptyBvecPagesAt(XtrStart + xtr.ret)

\* The page list is exactly the pages the ret bytes touch, no fewer and no more (KERNEL.md §B.1, §H.7):
\* DIV_ROUND_UP(offset0 + ret, PS) entries (plus the explicit v6.12 case above), entry k being the page of
\* the first of the bytes it holds, offset0 the in-page offset of the first byte; an error writes none.
ExtractPagesExactInv ==
    xtr.valid =>
        /\ xtr.errno # "" => xtr.pages = <<>>
        /\ xtr.errno = "" =>
              LET need == NeededPages(xtr.offset0, xtr.ret) IN
              /\ Len(xtr.pages) = need \/ TrailingEmptyBvecEntry
              /\ (xtr.ret > 0 /\ xtr.ret <= xtr.countBefore) =>
                    /\ xtr.offset0 = Where(XtrStart)[2]
                    /\ \A k \in 1..Min(need, Len(xtr.pages)) :
                          xtr.pages[k] = Where(XtrStart + Max(0, (k - 1) * PS - xtr.offset0))[1]

\* Structural bound (KERNEL.md §H.11): an extraction never writes past the page array it has: maxpages
\* entries of the caller's, the entries it allocated, none when *pages is NULL.
PageArrayBoundInv ==
    xtr.valid => Len(xtr.pages) <= xtr.cap

\* Failure injection (KERNEL.md §B.2, §B.8, §G.9): when the page-array allocation fails, an extraction that
\* needed it returns -ENOMEM, and every call takes nothing: no page listed or pinned, no byte consumed,
\* the iterator where it stood (up to empty elements stepped over, §B.4).
AllocFailCleanInv ==
    (xtr.valid /\ xtr.alloc = "fail") =>
        /\ xtr.pages = <<>>
        /\ iter.count = xtr.countBefore
        /\ Canon(iter) = Canon(hist.last)
        /\ (Min(xtr.maxsize, xtr.countBefore) > 0 /\ layout.type \in UserTypes \cup KernelTypes)
              => xtr.errno = "ENOMEM"

\* advance and revert are inverse on every iterator type (KERNEL.md §A.4, §H.5): a revert of exactly the
\* bytes of the last forward move (advance or extraction) gives back the iterator that stood there --
\* count, iov_offset and nr_segs, not only the position RevertRestoresInv compares -- with one explicit
\* difference: elements the iterator stood on while they held nothing more (empty ones, or the end of the
\* one before) stay stepped over.
AdvanceRevertInverseInv ==
    hist.undone => iter = Canon(hist.last)

\* The revert amounts iov_iter_revert()'s walk treats differently: none (a no-op), one byte, all the bytes
\* consumed, and for an element iterator the amounts that end exactly at the start of an element it has
\* passed, and one byte either side of that (a handful per state, whatever the page size).
RevertProbes ==
    LET c == layout.count - iter.count
        edges == IF layout.type \in SegTypes
                 THEN {Pos(iter) - SumLen(k) + d : k \in 0..(Cur(iter) - 1), d \in {-1, 0, 1}}
                 ELSE {}
    IN ({0, 1, c} \cup edges) \cap 0..c

\* iov_iter_revert() is defined for every amount up to the bytes consumed (KERNEL.md §A.4, §H.5): from any
\* state, a revert of u such bytes (each of RevertProbes, 0 included) neither reaches the BUG() of UBUF/XARRAY
\* nor walks off the front of the element array, and gives back exactly u bytes: the count grows by u and the
\* stream position goes back by u (DISCARD has no position).  Revert's own guard only keeps the model to the
\* caller's side of that contract.
RevertWithinConsumedInv ==
    \A u \in RevertProbes :
        LET r == RevertIt(iter, u) IN
        /\ r.ok
        /\ r.it.count = iter.count + u
        /\ layout.type # "DISCARD" => Pos(r.it) = Pos(iter) - u

\* Which error an extraction returns (KERNEL.md §B.1, §B.2, §B.8): nothing asked (maxsize or count 0) is 0 with
\* nothing written; DISCARD is -EFAULT; -ENOMEM only for a page array the call could not have (the NULL *pages
\* whose allocation failed, or maxpages 0, which ArgsOK leaves out); -EFAULT otherwise only from a user pin of no page, so a
\* user extraction that did not fail moved bytes; an error carries no byte count.
ExtractErrnoInv ==
    xtr.valid =>
        LET m == Min(xtr.maxsize, xtr.countBefore) IN
        /\ xtr.errno # "" => xtr.ret = 0
        /\ m = 0 => (xtr.errno = "" /\ xtr.ret = 0)
        /\ (m > 0 /\ layout.type = "DISCARD") => xtr.errno = "EFAULT"
        /\ xtr.errno = "ENOMEM" => (xtr.alloc = "fail" \/ xtr.maxpages = 0)
        /\ xtr.errno = "EFAULT" => layout.type \in UserTypes \cup {"DISCARD"}
        /\ (m > 0 /\ layout.type \in UserTypes /\ xtr.errno = "") => xtr.ret > 0

-----------------------------------------------------------------------------
(* An extraction returns as much as it may (KERNEL.md §B.8, §B.3-§B.7)    *)

\* Stream position just past the bytes the last extraction returned, and what it was asked for.
XtrEnd == XtrStart + xtr.ret
XtrAsked == Min(xtr.maxsize, xtr.countBefore)

\* The reasons an extraction may stop at XtrEnd; §B.8: a kernel iterator type is never short for a "failure",
\* only because of maxpages, maxsize, a segment's end or, for an xarray, a hole; a user-backed one also because
\* the pin got fewer pages.
\* maxsize, or the count left, reached.
StopAtSize == xtr.ret = XtrAsked
\* The page array is full: every entry want_pages_array() gave the call (§B.2: min(DIV_ROUND_UP(maxsize +
\* start, PS), maxpages) of the caller's, or as many allocated, xtr.cap) listed, the last filled to its end.
\* start is the in-page offset offset0 for every extractor but the v6.12 bvec walk (see StopV612).
ArrayEntries(start) == Min(DivUp(XtrAsked + start, PS), xtr.cap)
StopAtArrayEnd(start) == xtr.offset0 + xtr.ret = ArrayEntries(start) * PS
\* The bytes end the element they started in (IOVEC §B.3, KVEC §B.4, BVEC v6.3-v6.11 §B.5: one element per call).
StopAtElementEnd == XtrEnd = SumLen(SegOf(XtrStart))
\* Every page listed is filled to its end: for a user-backed iterator, the pages pin_user_pages_fast() pinned
\* (§B.3: a partial pin, or the entries of the array, returns exactly what those pages cover).
StopAtPinnedEnd == xtr.offset0 + xtr.ret = Len(xtr.pages) * PS
\* The next xarray index is a hole (§B.6: the walk stops at the first hole), the last page filled to its end.
StopBeforeHole ==
    /\ xtr.offset0 + xtr.ret = Len(xtr.pages) * PS
    /\ Where(XtrStart)[1] + Len(xtr.pages) \in layout.holes

\* The v6.12+ bvec walk, its own case (§B.5): it crosses bvecs, one single-page chunk at a time, and stops only
\* at maxsize, at the entries of its array (want_pages_array() is given the walk's skip, the iov_offset into the
\* bvec, not offset0: read from lib/iov_iter.c of v6.12, this model's assumption), after a chunk that does not
\* end its page, or before a chunk that would leave a hole: the bytes end their bvec and the next bvec starts
\* mid-page, or is empty (its zero-length chunk does not end its page either: TrailingEmptyBvecEntry).
StopV612 ==
    LET k == SegOf(XtrEnd - 1)
        skip == XtrStart - SumLen(SegOf(XtrStart) - 1)
    IN \/ StopAtSize
       \/ StopAtArrayEnd(skip)
       \/ (xtr.offset0 + xtr.ret) % PS # 0
       \/ /\ XtrEnd = SumLen(k)
          /\ k < NSegs
          /\ Segs[k + 1].offset % PS # 0 \/ Segs[k + 1].len = 0

\* An extraction that returned bytes stopped for one of its extractor's reasons (a return of 0 is NoStallInv's
\* and ExtractErrnoInv's; one past a reason, ExtractContractInv's, ExtractCoversStreamInv's or
\* PageArrayBoundInv's): UBUF and IOVEC (§B.3, one iovec per call) at maxsize, the iovec's end or the end of the
\* pages pinned; KVEC and the v6.3 bvec extractor at maxsize, the element's end or a full array; FOLIOQ (§B.7, it
\* crosses folios) at maxsize or a full array; XARRAY at maxsize, a full array or a hole; the v6.12 bvec walk as
\* StopV612 says.
ExtractMaximalInv ==
    (xtr.valid /\ xtr.errno = "" /\ layout.type \in UserTypes \cup KernelTypes /\ 0 < xtr.ret
     /\ xtr.ret <= xtr.countBefore) =>
        CASE layout.type = "BVEC" /\ BvecWalker = "v6.12" -> StopV612
          [] layout.type \in UserTypes -> StopAtSize \/ StopAtElementEnd \/ StopAtPinnedEnd
          [] layout.type \in SegTypes -> StopAtSize \/ StopAtElementEnd \/ StopAtArrayEnd(xtr.offset0)
          [] layout.type = "FOLIOQ" -> StopAtSize \/ StopAtArrayEnd(xtr.offset0)
          [] OTHER -> StopAtSize \/ StopAtArrayEnd(xtr.offset0) \/ StopBeforeHole

\* The history records say what really happened (they are what RevertRestoresInv and AdvanceRevertInverseInv
\* read, KERNEL.md §A.4, §H.5; a record that lies switches those checks off): after a forward move both record
\* it -- the count it started from, the bytes it moved, which are exactly what the count lost and the stream
\* position gained, an extraction's return when it did not fail -- and hist keeps the iterator it started
\* from; a revert records no move, and marks itself as undoing the last one in both records or in neither.
\* The extraction record is there exactly when the last move was an extraction, and is that extraction's.
HistoryRecordsInv ==
    /\ (fwd.kind = "undone") = hist.undone
    /\ fwd.kind \notin ForwardKinds => hist.lastMoved = 0
    /\ fwd.kind \in ForwardKinds =>
          /\ hist.lastMoved = fwd.moved
          /\ iter.count = fwd.count - fwd.moved
          /\ layout.type # "DISCARD" => Pos(iter) = fwd.pos + fwd.moved
    /\ fwd.kind # "none" => (hist.last.count = fwd.count /\ Pos(hist.last) = fwd.pos)
    /\ xtr.valid = (fwd.kind = "extracted")
    /\ xtr.valid =>
          /\ fwd.count = xtr.countBefore
          /\ fwd.moved = IF xtr.errno = "" THEN xtr.ret ELSE 0
=============================================================================
