------------------------------- MODULE IterToSg -------------------------------
(***************************************************************************)
(* extract_iter_to_sg() (lib/scatterlist.c, KERNEL.md §G.10): turn the     *)
(* next bytes of an iov_iter into scatterlist entries appended to an       *)
(* sg_table that may already hold entries, adding at most sg_max of them.  *)
(*                                                                         *)
(* UBUF/IOVEC (extract_user_to_sg): a loop of iov_iter_extract_pages()     *)
(* calls (KERNEL.md §B.3) that pin pages into a temporary page-pointer     *)
(* array placed in the unused tail of the table itself, then decant each   *)
(* pointer into one per-page entry; a failed round unpins every entry the  *)
(* call added.  KVEC/BVEC/XARRAY: one walk over the elements (kvec: one    *)
(* entry per page; bvec: one entry per bio_vec piece; xarray: one entry    *)
(* per folio), nothing pinned, then one iov_iter_advance().                *)
(*                                                                         *)
(* The table is modelled as memory: SgPtrs pointer-sized words per entry   *)
(* (page_link, offset/length, then the DMA words), so the temporary array  *)
(* and the entries are the same words, as in the kernel.  A user call is   *)
(* Call (set-up) followed by one UserRound per do-while round, so a loop   *)
(* that does not progress is a sequence of states TLC can count.           *)
(***************************************************************************)
EXTENDS Integers, Sequences, FiniteSets

CONSTANTS
    PS,          \* PAGE_SIZE of the model, in bytes
    Layouts,     \* the iterators a behaviour may start from (IovIter layout records)
    Pages,       \* page ids the iterators refer to (the domain of the pin counts)
    PreCounts,   \* how many entries the table holds before the first call
    Cap,         \* entries in the caller's scatterlist array
    SgPtrs,      \* pointer-sized words per struct scatterlist (4 on x86-64: 32 bytes / 8)
    Sizes,       \* maxsize arguments tried (besides "all that is left")
    SgMaxes,     \* sg_max arguments tried (only those that fit the unused part of the table)
    Variant      \* which design runs (the same strings as src/kernel/lib/scatterlist.ts)

VARIABLES
    layout,  \* the iterator as constructed (never changes)
    iter,    \* [count, iovOffset, nrSegs] as in IovIter
    mem,     \* the scatterlist array as words: slot s is word s % SgPtrs of entry s \div SgPtrs
    tbl,     \* [nents, origNents, pre, ptrs]: the sg_table counters; pre = entries there before any call;
             \* ptrs = SgPtrs (a constant, kept in the state so that a trace says how its words group)
    call,    \* the current or last extract_iter_to_sg() call (see NoCall)
    pins,    \* FOLL_PIN pins held per page, taken by the user path and not yet released
    action   \* the step just taken and its arguments, for replay (left out of the view)

vars == <<layout, iter, mem, tbl, call, pins, action>>

\* The iterator arithmetic (advance, first_iovec_segment, want_pages_array, the byte-to-page map) is
\* IovIter's, with its own extraction variant fixed at the final design.
IV == INSTANCE IovIter WITH Sizes <- {0}, PageCounts <- {1}, Steps <- {0}, Allocs <- {"caller"}, Variant <- "v6.6",
                            xtr <- action, fwd <- action, hist <- action

Variants == {"v7.0.7", "bug-user-zero-loop", "bug-kvec-total-len", "bug-user-temp-over-table"}

\* The options of each design (src/kernel/lib/scatterlist.ts SG_VARIANT_OPTIONS holds the same table).
\* The final design has all three fixes; each bug variant takes exactly one of them back out.
ZeroIsFailure == Variant # "bug-user-zero-loop"         \* 6a30653b604a (v6.9-rc6): res <= 0 -> failed
KvecPerPage == Variant # "bug-kvec-total-len"           \* 07b7d66e65d9: seg length, ret -= len, sg_max == 0
TempAfterUsed == Variant # "bug-user-temp-over-table"   \* 118cf3f55975: array at sg, not sgl, + sg_max

UserTypes == {"UBUF", "IOVEC"}
SgTypes == {"UBUF", "IOVEC", "KVEC", "BVEC", "XARRAY"}
Gups == {"all", "one", "zero", "efault"}   \* pin_user_pages_fast(): all pages, one, none (0), -EFAULT
EFAULT == -14
ENOMEM == -12
NoPage == -1      \* a NULL page pointer
Garbage == -2     \* a word that is not a page pointer, read as one
Foreign(e) == 100 + e   \* the page of a pre-existing entry (not ours, never pinned here)

ASSUME VariantOK == Variant \in Variants
ASSUME GeometryOK == SgPtrs \in Nat \ {0} /\ Cap \in Nat /\ PreCounts \subseteq 0..Cap
ASSUME ArgsOK == Sizes \subseteq Nat \ {0} /\ SgMaxes \subseteq Nat
ASSUME TypesOK == \A l \in Layouts : l.type \in SgTypes

-----------------------------------------------------------------------------
Min(a, b) == IF a < b THEN a ELSE b
DivUp(a, b) == (a + b - 1) \div b
Segs == layout.segs
NSegs == Len(layout.segs)

(* Words of the table.  A page pointer and an entry's page_link are the same kind of word; NULL and *)
(* the zeroed words of sg_init_table() are the same word.                                            *)
Zero == [k |-> "zero", a |-> 0, b |-> 0]
PtrWord(p) == IF p = NoPage THEN Zero ELSE [k |-> "page", a |-> p, b |-> 0]
LenWord(off, len) == [k |-> "len", a |-> off, b |-> len]
AsPtr(w) == CASE w.k = "page" -> w.a [] w.k = "zero" -> NoPage [] OTHER -> Garbage
Slots == 0..(Cap * SgPtrs - 1)

Entry(m, e) ==
    LET w == m[e * SgPtrs + 1] IN
    [page |-> AsPtr(m[e * SgPtrs]),
     off |-> CASE w.k = "len" -> w.a [] w.k = "zero" -> 0 [] OTHER -> Garbage,
     len |-> CASE w.k = "len" -> w.b [] w.k = "zero" -> 0 [] OTHER -> Garbage]

\* sg_set_page(&sgl[e], page, len, off): writes page_link and offset/length (not the DMA words).
\* An entry past the array is not stored (SgCapacityInv reports the overrun through nents).
SetEntry(m, e, page, len, off) ==
    IF e < Cap THEN [m EXCEPT ![e * SgPtrs] = PtrWord(page), ![e * SgPtrs + 1] = LenWord(off, len)]
    ELSE m

InitMem(n) ==
    [s \in Slots |-> IF s \div SgPtrs < n
                     THEN CASE s % SgPtrs = 0 -> PtrWord(Foreign(s \div SgPtrs))
                            [] s % SgPtrs = 1 -> LenWord(1, 2)
                            [] OTHER -> Zero
                     ELSE Zero]

PinPages == Pages \cup {NoPage, Garbage} \cup {Foreign(e) : e \in 0..Cap}
Pin(pn, ps) == [p \in DOMAIN pn |-> pn[p] + Cardinality({k \in DOMAIN ps : ps[k] = p})]
Unpin(pn, p) == IF p \in DOMAIN pn THEN [pn EXCEPT ![p] = @ - 1] ELSE pn

NoCall == [phase |-> "idle", maxsize0 |-> 0, sgMax0 |-> 0, nents0 |-> 0, countBefore |-> 0,
           maxsize |-> 0, sgMax |-> 0, ret |-> 0, rounds |-> 0, pagesAt |-> 0,
           lastRes |-> 0, lastSlots |-> 0, result |-> 0, frozen |-> <<>>]

-----------------------------------------------------------------------------
(* extract_user_to_sg() (UBUF, IOVEC)                                      *)

\* One iov_iter_extract_pages(iter, &pages, maxsize, maxpages, 0, &off) on a user-backed iterator
\* (KERNEL.md §B.3) whose pin_user_pages_fast() has outcome g.  res is the return value.
ExtractUser(it, m, maxpages, g) ==
    LET f == IF layout.type = "UBUF" THEN <<1, it.iovOffset>> ELSE IV!FirstIovec(IV!Cur(it), it.iovOffset)
        seg == Segs[f[1]]
        addr == seg.addr + f[2]
        size == IF layout.type = "UBUF" THEN m ELSE Min(m, seg.len - f[2])
        off == addr % PS
        n == IV!WantPages(size, off, maxpages)
        res == CASE g = "all" -> n [] g = "one" -> Min(n, 1) [] g = "zero" -> 0 [] OTHER -> EFAULT
        r == Min(size, res * PS - off)
    IN IF n = 0 THEN [res |-> ENOMEM, off |-> off, pages |-> <<>>, it |-> it]
       ELSE IF res <= 0 THEN [res |-> res, off |-> off, pages |-> <<>>, it |-> it]
       ELSE [res |-> r, off |-> off, pages |-> IV!PageRun((addr - off) \div PS, res),
             it |-> IV!AdvanceIt(it, r)]

\* pin_user_pages_fast() stores the page pointers from slot at on.
PutPtrs(m, at, ps) == [s \in DOMAIN m |-> IF at <= s /\ s < at + Len(ps) THEN PtrWord(ps[s - at + 1]) ELSE m[s]]

\* The decant loop: for each of n pages, read the pointer at slot p, clear it (*pages++ = NULL), set
\* entry e to (page, min(PAGE_SIZE - off, len), off); later pages start at offset 0.
RECURSIVE Decant(_, _, _, _, _, _)
Decant(m, p, e, n, off, len) ==
    IF n = 0 THEN m
    ELSE LET page == AsPtr(m[p])
             seg == Min(PS - off, len)
             m1 == [m EXCEPT ![p] = Zero]
         IN Decant(SetEntry(m1, e, page, seg, off), p + 1, e + 1, n - 1, 0, len - seg)

\* The failure path: while (nents > orig_nents) unpin_user_page(sg_page(&sgl[--nents])).
RECURSIVE Unwind(_, _, _, _)
Unwind(m, pn, n, orig) ==
    IF n <= orig THEN pn
    ELSE Unwind(m, IF n - 1 < Cap THEN Unpin(pn, Entry(m, n - 1).page) ELSE pn, n - 1, orig)

\* Where the temporary page array starts, as a slot: sg_max pointers ending at the end of sg_max
\* entries counted from sg (the first unused entry; 118cf3f55975) or from sgl (before it).
TempArrayAt(nents, sgMax) == (IF TempAfterUsed THEN nents * SgPtrs ELSE 0) + sgMax * SgPtrs - sgMax

-----------------------------------------------------------------------------
(* extract_kvec_to_sg(), extract_bvec_to_sg(), extract_xarray_to_sg()       *)

\* The do-while over one kvec element: entries for len bytes at kaddr (page aligned) + off.  Before
\* 07b7d66e65d9 each entry got the whole remaining len.  sg_max is unsigned: after 0 comes -1 (wrap).
RECURSIVE KvecPages(_, _, _, _, _)
KvecPages(kaddr, off, len, sgMax, ents) ==
    LET seg == Min(len, PS - off)
        ents1 == Append(ents, [page |-> kaddr \div PS, off |-> off, len |-> IF KvecPerPage THEN seg ELSE len])
        len1 == len - seg
        sg1 == sgMax - 1
    IN IF len1 > 0 /\ sg1 # 0 THEN KvecPages(kaddr + PS, 0, len1, sg1, ents1)
       ELSE [ents |-> ents1, left |-> len1, sgMax |-> sg1]

\* for (i = 0; i < nr_segs; i++) from the current element; start skips iov_offset bytes.
RECURSIVE KvecWalk(_, _, _, _, _, _)
KvecWalk(k, start, m, sgMax, ents, ret) ==
    IF k > NSegs THEN [ents |-> ents, ret |-> ret]
    ELSE IF start >= Segs[k].len THEN KvecWalk(k + 1, start - Segs[k].len, m, sgMax, ents, ret)
    ELSE LET kaddr == Segs[k].addr + start
             off == kaddr % PS
             len == Min(m, Segs[k].len - start)
             w == KvecPages(kaddr - off, off, len, sgMax, ents)
             ret1 == ret + len - (IF KvecPerPage THEN w.left ELSE 0)
         IN IF m - len <= 0 \/ w.sgMax = 0 THEN [ents |-> w.ents, ret |-> ret1]
            ELSE KvecWalk(k + 1, 0, m - len, w.sgMax, w.ents, ret1)

\* One entry per bio_vec piece: (bv_page, len, bv_offset + start); a multi-page bvec stays one entry.
RECURSIVE BvecWalk(_, _, _, _, _, _)
BvecWalk(k, start, m, sgMax, ents, ret) ==
    IF k > NSegs THEN [ents |-> ents, ret |-> ret]
    ELSE IF start >= Segs[k].len THEN BvecWalk(k + 1, start - Segs[k].len, m, sgMax, ents, ret)
    ELSE LET len == Min(m, Segs[k].len - start)
             ents1 == Append(ents, [page |-> Segs[k].page, off |-> Segs[k].offset + start, len |-> len])
         IN IF m - len <= 0 \/ sgMax - 1 = 0 THEN [ents |-> ents1, ret |-> ret + len]
            ELSE BvecWalk(k + 1, 0, m - len, sgMax - 1, ents1, ret + len)

\* xas_for_each() from index start / PAGE_SIZE over present (order-0) folios, holes skipped; the
\* offset is offset_in_folio(folio, start) with start the call's first position for every folio.
RECURSIVE XaWalk(_, _, _, _, _, _)
XaWalk(idx, start, m, sgMax, ents, ret) ==
    IF idx \in layout.holes THEN XaWalk(idx + 1, start, m, sgMax, ents, ret)
    ELSE LET off == start % PS
             len == Min(m, PS - off)
             ents1 == Append(ents, [page |-> idx, off |-> off, len |-> len])
         IN IF m - len <= 0 \/ sgMax - 1 = 0 THEN [ents |-> ents1, ret |-> ret + len]
            ELSE XaWalk(idx + 1, start, m - len, sgMax - 1, ents1, ret + len)

KernelWalk(it, m, sgMax) ==
    CASE layout.type = "KVEC" -> KvecWalk(IV!Cur(it), it.iovOffset, m, sgMax, <<>>, 0)
      [] layout.type = "BVEC" -> BvecWalk(IV!Cur(it), it.iovOffset, m, sgMax, <<>>, 0)
      [] OTHER -> LET start == layout.start + it.iovOffset
                  IN XaWalk(start \div PS, start, m, sgMax, <<>>, 0)

RECURSIVE WriteEntries(_, _, _)
WriteEntries(m, e, ents) ==
    IF ents = <<>> THEN m
    ELSE WriteEntries(SetEntry(m, e, Head(ents).page, Head(ents).len, Head(ents).off), e + 1, Tail(ents))

-----------------------------------------------------------------------------
TypeOK ==
    /\ layout \in Layouts
    /\ iter \in [count : 0..layout.count, iovOffset : Nat, nrSegs : 0..NSegs]
    /\ DOMAIN mem = Slots
    /\ tbl \in [nents : Nat, origNents : Nat, pre : PreCounts, ptrs : {SgPtrs}]
    /\ call.phase \in {"idle", "user", "done"}
    /\ DOMAIN pins = PinPages

Init ==
    /\ layout \in Layouts
    /\ iter = [count |-> layout.count, iovOffset |-> 0,
               nrSegs |-> IF layout.type = "XARRAY" THEN 0 ELSE Len(layout.segs)]
    /\ \E n \in PreCounts : tbl = [nents |-> n, origNents |-> n, pre |-> n, ptrs |-> SgPtrs] /\ mem = InitMem(n)
    /\ call = NoCall
    /\ pins = [p \in PinPages |-> 0]
    /\ action = [name |-> "Init"]

\* The caller (as af_alg_sendmsg() does) sets orig_nents = nents and passes the unused entries as
\* sg_max, and asks for at most what the iterator holds: extract_iter_to_sg(iter, m, sgt, s, 0).
\* A kernel-backed iterator is done in this step; a user-backed one sets up its first round.
Call(m, s) ==
    /\ call.phase # "user"
    /\ 0 < m /\ m <= iter.count
    /\ tbl.nents + s <= Cap
    /\ LET c0 == [NoCall EXCEPT !.maxsize0 = m, !.sgMax0 = s, !.nents0 = tbl.nents,
                                !.countBefore = iter.count, !.maxsize = m, !.sgMax = s,
                                !.frozen = [sl \in 0..(tbl.nents * SgPtrs - 1) |-> mem[sl]]]
       IN IF KvecPerPage /\ s = 0 THEN
             /\ call' = [c0 EXCEPT !.phase = "done"]
             /\ tbl' = [tbl EXCEPT !.origNents = tbl.nents]
             /\ UNCHANGED <<iter, mem, pins>>
          ELSE IF layout.type \in UserTypes THEN
             /\ call' = [c0 EXCEPT !.phase = "user", !.pagesAt = TempArrayAt(tbl.nents, s)]
             /\ tbl' = [tbl EXCEPT !.origNents = tbl.nents]
             /\ UNCHANGED <<iter, mem, pins>>
          ELSE LET w == KernelWalk(iter, m, s) IN
             /\ mem' = WriteEntries(mem, tbl.nents, w.ents)
             /\ tbl' = [tbl EXCEPT !.nents = @ + Len(w.ents), !.origNents = tbl.nents]
             /\ iter' = IF w.ret > 0 THEN IV!AdvanceIt(iter, w.ret) ELSE iter
             /\ call' = [c0 EXCEPT !.phase = "done", !.ret = w.ret, !.result = w.ret, !.rounds = 1,
                                   !.lastRes = w.ret, !.lastSlots = Len(w.ents)]
             /\ UNCHANGED pins
    /\ action' = [name |-> "Call", maxsize |-> m, sgMax |-> s]
    /\ UNCHANGED layout

\* One round of extract_user_to_sg()'s do-while: extract (GUP outcome g) into the temporary array,
\* then either unwind and return (failure) or decant into entries and loop while maxsize > 0 and
\* sg_max > 0.  Before 6a30653b604a only res < 0 failed: a 0 return decants DIV_ROUND_UP(off, PS)
\* empty entries and goes round again.
UserRound(g) ==
    /\ call.phase = "user"
    /\ LET x == ExtractUser(iter, call.maxsize, call.sgMax, g)
           memP == PutPtrs(mem, call.pagesAt, x.pages)
           pinsP == Pin(pins, x.pages)
           failed == IF ZeroIsFailure THEN x.res <= 0 ELSE x.res < 0
           len == IF x.res > 0 THEN x.res ELSE 0
           npages == DivUp(x.off + len, PS)
           sg1 == call.sgMax - npages
           m1 == call.maxsize - len
           more == m1 > 0 /\ sg1 # 0
       IN IF failed THEN
             /\ mem' = memP
             /\ pins' = Unwind(memP, pinsP, tbl.nents, tbl.origNents)
             /\ tbl' = [tbl EXCEPT !.nents = tbl.origNents]
             /\ iter' = x.it
             /\ call' = [call EXCEPT !.phase = "done", !.result = x.res, !.rounds = @ + 1,
                                     !.lastRes = x.res, !.lastSlots = 0]
          ELSE
             /\ mem' = Decant(memP, call.pagesAt, tbl.nents, npages, x.off, len)
             /\ pins' = pinsP
             /\ tbl' = [tbl EXCEPT !.nents = @ + npages]
             /\ iter' = x.it
             /\ call' = [call EXCEPT !.phase = IF more THEN "user" ELSE "done", !.maxsize = m1,
                                     !.sgMax = sg1, !.ret = @ + len, !.rounds = @ + 1,
                                     !.pagesAt = @ + npages, !.lastRes = x.res, !.lastSlots = npages,
                                     !.result = IF more THEN 0 ELSE call.ret + len]
    /\ action' = [name |-> "UserRound", gup |-> g]
    /\ UNCHANGED layout

\* Nothing left to extract or no room left: stutter, so a finished run is not reported as a deadlock.
\* A table the call wrote past (nents > Cap, SgCapacityInv's overrun) has no room left either.
Terminating ==
    /\ call.phase # "user"
    /\ (iter.count = 0 \/ tbl.nents >= Cap)
    /\ UNCHANGED vars

Next ==
    \/ \E m \in Sizes \cup {iter.count}, s \in SgMaxes : Call(m, s)
    \/ \E g \in Gups : UserRound(g)
    \/ Terminating

Spec == Init /\ [][Next]_vars

-----------------------------------------------------------------------------
(* Invariants (KERNEL.md §G.10, §F.2 cases 13-17, §H.1, §H.11, §H.12)      *)

\* Indices of the entries the current or last call added (those still in the table and the array).
Added == IF call.phase = "idle" THEN {} ELSE call.nents0..(Min(tbl.nents, Cap) - 1)

RECURSIVE LenSum(_, _)
LenSum(a, b) == IF b <= a THEN 0 ELSE LenSum(a, b - 1) + Entry(mem, b - 1).len

InBvec(en) ==
    \E k \in 1..NSegs : /\ Segs[k].page = en.page
                        /\ Segs[k].offset <= en.off
                        /\ en.off + en.len <= Segs[k].offset + Segs[k].len

\* Every entry the call added is a non-empty piece of one page (a kvec, user or xarray page), or for a
\* bvec iterator a piece of one bio_vec (which may span its physically contiguous pages).
SgSegmentInv ==
    \A e \in Added :
        LET en == Entry(mem, e) IN
        /\ en.len > 0
        /\ en.page >= 0
        /\ en.off >= 0
        /\ IF layout.type = "BVEC" THEN InBvec(en) ELSE en.off + en.len <= PS

\* The entries added so far hold exactly the bytes extracted so far, in stream order, and the iterator
\* moved by exactly that much; on return that is the returned count, within maxsize.  A call that
\* returns 0 or an error leaves no entry of its own behind.
SgTotalInv ==
    LET p0 == layout.count - call.countBefore IN
    call.phase # "idle" =>
        IF call.phase = "done" /\ call.result <= 0 THEN tbl.nents = call.nents0
        ELSE /\ call.ret <= call.maxsize0
             /\ LenSum(call.nents0, Min(tbl.nents, Cap)) = call.ret
             /\ iter.count = call.countBefore - call.ret
             /\ \A e \in Added :
                   LET en == Entry(mem, e)  q == p0 + LenSum(call.nents0, e) IN
                   \A j \in 0..(en.len - 1) :
                       /\ q + j < layout.count
                       /\ IV!Where(q + j) = <<en.page + (en.off + j) \div PS, (en.off + j) % PS>>

\* No word of an entry that was in the table when the call began is ever written.
SgPreservedInv ==
    \A s \in DOMAIN call.frozen : mem[s] = call.frozen[s]

\* The call adds at most sg_max entries: nothing is written past what the caller gave it.
SgCapacityInv ==
    call.phase # "idle" => tbl.nents <= call.nents0 + call.sgMax0

\* The loop makes progress: a round that goes around again extracted bytes and used entries, so
\* sg_max strictly falls and the call ends within sg_max rounds.  A loop that does not progress
\* (6a30653b604a) exceeds the bound after a few rounds; TLC counts the rounds.
SgProgressInv ==
    (call.phase = "user" /\ call.rounds > 0) =>
        /\ call.lastRes > 0
        /\ call.lastSlots > 0
        /\ call.rounds < call.sgMax0

\* Between calls, the user path holds exactly one pin per entry it added (pages of entries from the
\* call's failure path are unpinned); kernel-backed iterators pin nothing.
SgPinBalanceInv ==
    call.phase # "user" =>
        \A p \in PinPages :
            pins[p] = IF layout.type \in UserTypes
                      THEN Cardinality({e \in tbl.pre..(Min(tbl.nents, Cap) - 1) : Entry(mem, e).page = p})
                      ELSE 0
=============================================================================
