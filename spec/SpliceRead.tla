----------------------------- MODULE SpliceRead -----------------------------
(***************************************************************************)
(* splice(2) from an O_DIRECT file into a pipe, and the ITER_PIPE revert   *)
(* race that made the kernel remove ITER_PIPE (KERNEL.md §E, §G.2).        *)
(*                                                                         *)
(* One task splices from file offset 0 into an empty pipe.  Three designs  *)
(* of the same path are variants:                                          *)
(*  "pipe-get-pages"      generic_file_splice_read() over an ITER_PIPE      *)
(*                        iterator; bio_iov_iter_get_pages() gets the pages *)
(*                        with iov_iter_get_pages2() -> pipe_get_pages(),   *)
(*                        which takes a reference per page (§E.1, §E.3).    *)
(*  "pipe-extract-no-ref" the same over the linux-next conversion           *)
(*                        920756a3306a with the pre-v12                     *)
(*                        iov_iter_extract_pipe_pages(): pages appended to  *)
(*                        the pipe go into the bio with no reference and no *)
(*                        release flag (§E.3, §G.2).                        *)
(*  "copy-splice-read"    the fix: allocate pages, read into them through   *)
(*                        an ITER_BVEC iterator, then hand the used ones to *)
(*                        the pipe (§E.4, v6.5 copy_splice_read()).         *)
(*  "pipe-get-pages-no-revert"  "pipe-get-pages" before 419e9c38aa07        *)
(*                        (2019): __iomap_dio_rw() does not revert, so the *)
(*                        pipe keeps the block's surplus past the sampled  *)
(*                        i_size that the read does not report (§E.2).     *)
(* In all three the iomap DIO read (__iomap_dio_rw, §E.2) samples i_size,   *)
(* builds and submits one bio per file block, and right after submitting   *)
(* -- before it waits -- reverts the iterator by what it read past the     *)
(* sampled size.  A concurrent truncate shrinks i_size at once but frees   *)
(* the blocks only when no direct I/O is in flight (inode_dio_wait), so a  *)
(* DIO that samples the new size can still map the old blocks; the exact   *)
(* extent layout of the syzbot reproducer is UNVERIFIED (§E.3), this is    *)
(* the mechanism.  Another allocator may take any free page; completion    *)
(* writes file data into the bio's pages, whoever owns them by then.       *)
(*                                                                         *)
(* Abstractions: one file block = one page; the splice starts at a block-  *)
(* aligned file offset (O_DIRECT) into a pipe that may already hold full   *)
(* buffers of an earlier writer, anywhere in the ring, and happens once;   *)
(* the pipe lock keeps the reader out until the splice returns; the page   *)
(* allocator hands the task the lowest free page (the other allocator may  *)
(* take any); when AllocFailures, copy_splice_read()'s                     *)
(* alloc_pages_bulk_array() may return fewer pages than asked, or none     *)
(* (-ENOMEM), and in the pipe forms push_anon()'s alloc_page() may fail    *)
(* (the extraction gets no page: -EFAULT, §E.1).                            *)
(* What a page holds is a record: kind, and for file data the file offset  *)
(* of the page's first byte and how many bytes from there are file data.   *)
(***************************************************************************)
EXTENDS Integers, Sequences, FiniteSets

CONSTANTS
    Variant,     \* "copy-splice-read" | "pipe-get-pages" | "pipe-extract-no-ref"
    PageSize,    \* PAGE_SIZE in bytes; also the file system block size
    MaxUsage,    \* pipe->max_usage: most buffers the pipe may hold (= ring size)
    Pages,       \* page frames of the allocator, numbered 1..N
    FileSizes,   \* possible i_size of the file when the splice is issued
    SpliceLens,  \* possible len argument of splice(2)
    TruncSizes,  \* sizes a concurrent ftruncate() may shrink the file to
    OtherMax,    \* most pages the other allocator holds at once
    Offsets,     \* possible file position (*ppos) of the splice; block aligned, as O_DIRECT requires
    Occupancies, \* possible number of full buffers an earlier writer left in the pipe
    PipeTails,   \* possible ring index of the oldest of them (pipe->tail)
    AllocFailures \* TRUE: copy_splice_read()'s bulk allocation may get fewer pages, or none; push_anon() may
                  \* get no page

Variants == {"copy-splice-read", "pipe-get-pages", "pipe-extract-no-ref", "pipe-get-pages-no-revert"}

ASSUME VariantKnown == Variant \in Variants                  \* the same strings as the implementation
ASSUME PageSizePositive == PageSize \in Nat \ {0}            \* bytes per page and per block
ASSUME RingNonEmpty == MaxUsage \in Nat \ {0}                \* a pipe holds at least one buffer
ASSUME PagesNumbered == Pages \subseteq Nat \ {0}            \* page ids are positive numbers
ASSUME SizesAreBytes == FileSizes \cup SpliceLens \cup TruncSizes \subseteq Nat
ASSUME OtherBounded == OtherMax \in Nat                      \* the other allocator's budget
ASSUME EnoughPages == Cardinality(Pages) >= MaxUsage + OtherMax \* only injected allocation failures
ASSUME OffsetsAligned == \A o \in Offsets : o \in Nat /\ o % PageSize = 0
ASSUME OccupancyFits == Occupancies \subseteq 0..MaxUsage /\ PipeTails \subseteq Nat
ASSUME FailuresFlag == AllocFailures \in BOOLEAN

(* pipe-form variants build an ITER_PIPE iterator; the fix an ITER_BVEC one *)
PipeForm == Variant \in {"pipe-get-pages", "pipe-extract-no-ref", "pipe-get-pages-no-revert"}
(* __iomap_dio_rw() reverts the iterator by what it read past i_size (419e9c38aa07, §E.2) *)
Reverts == Variant # "pipe-get-pages-no-revert"

Min(a, b) == IF a <= b THEN a ELSE b
RoundUp(n) == ((n + PageSize - 1) \div PageSize) * PageSize   \* round_up(n, PAGE_SIZE)
DivRoundUp(n) == (n + PageSize - 1) \div PageSize             \* DIV_ROUND_UP(n, PAGE_SIZE)

Slots == 0..(MaxUsage - 1)                 \* ring slots; buffer h lives in slot h % MaxUsage
NoBuf == [page |-> 0, offset |-> 0, len |-> 0, ops |-> "none"]
NoIter == [type |-> "NONE"]
Owners == {"free", "splice", "other"}      \* who allocated the page: nobody, the splice path, the other allocator
\* stale bytes, file data written by a bio, the other user's object, an earlier pipe writer's data
ContentKinds == {"junk", "file", "other", "pipe"}
Junk == [kind |-> "junk", pos |-> 0, upto |-> 0]
BioStates == {"built", "inflight", "done"}
Pcs == {"idle", "dio", "map", "submit", "wait", "return", "done"}
Errs == {"none", "ENOMEM", "EFAULT", "EAGAIN"}
ActionNames == {"Init", "SpliceStart", "DioStart", "Extract", "Submit", "DioRevert", "DioWait",
                "SpliceReturn", "BioComplete", "OtherAlloc", "Truncate", "TruncateBlocks", "PipeRead"}

VARIABLES
    refcount,   \* page -> page reference count (0 = free)
    owner,      \* page -> which allocator holds the page
    content,    \* page -> what was last written into it: [kind, pos |-> file offset of byte 0, upto |-> file bytes]
    file,       \* [isize |-> i_size, mapped |-> bytes of allocated blocks from offset 0]
    pipe,       \* [head, tail, maxUsage, bufs |-> slot -> pipe_buffer]
    iter,       \* the splice destination iterator: ITER_PIPE, ITER_BVEC or none yet
    bvec,       \* copy_splice_read()'s bio_vec array (it holds one reference per page)
    bios,       \* sequence of bios (bio b = bios[b]): [pages, offset, len, pos, flags, state] (pos: the file
                \* offset it reads, bi_sector's meaning); flag "REFFED":
                \* the bio owns a reference per page, put at completion (BIO_PAGE_REFFED; before the
                \* series: BIO_NO_PAGE_REF clear); "CLONED": it shares an ITER_BVEC array (BIO_CLONED)
    dio,        \* the DIO in progress: [isize |-> sampled i_size, pos |-> iomi.pos]
    task,       \* the splicing task: [pc, len |-> requested, then capped, ret, err, pos |-> *ppos at the
                \* start, head0 |-> pipe->head at the start]
    action      \* the last action and its arguments (auxiliary; left out of the view)

pageVars == <<refcount, owner, content>>
taskVars == <<pipe, iter, bvec, dio, task>>
vars == <<refcount, owner, content, file, pipe, iter, bvec, bios, dio, task, action>>

Buffers == [page : Pages \cup {0}, offset : 0..PageSize, len : 0..PageSize, ops : {"anon", "none"}]
PipeIters == [type : {"PIPE"}, count : Nat, head : Nat, startHead : Nat, lastOffset : Int]
BvecIters == [type : {"BVEC"}, count : Nat, idx : Nat \ {0}, iovOffset : 0..PageSize]
BioRecs == [pages : Seq(Pages), offset : 0..PageSize, len : 1..PageSize, pos : Nat,
            flags : SUBSET {"REFFED", "CLONED"}, state : BioStates]

TypeOK ==
    /\ refcount \in [Pages -> 0..3]
    /\ owner \in [Pages -> Owners]
    /\ content \in [Pages -> [kind : ContentKinds, pos : Nat, upto : 0..PageSize]]
    /\ file \in [isize : Nat, mapped : Nat]
    /\ pipe \in [head : Nat, tail : Nat, maxUsage : {MaxUsage}, bufs : [Slots -> Buffers]]
    /\ pipe.tail <= pipe.head /\ pipe.head - pipe.tail <= MaxUsage
    /\ iter \in PipeIters \cup BvecIters \cup {NoIter}
    /\ bvec \in Seq([page : Pages, offset : {0}, len : 1..PageSize])
    /\ bios \in Seq(BioRecs)
    /\ dio \in [isize : Nat, pos : Nat]
    /\ task \in [pc : Pcs, len : Nat, ret : Nat, err : Errs, pos : Nat, head0 : Nat]
    /\ "name" \in DOMAIN action /\ action.name \in ActionNames
    /\ \A f \in DOMAIN action \ {"name"} : action[f] \in Nat

-----------------------------------------------------------------------------
(* Page allocator and page references (KERNEL.md §D).                       *)

FreePages == {p \in Pages : owner[p] = "free"}
LowestOf(S) == CHOOSE p \in S : \A q \in S : p <= q

(* alloc_pages_bulk_array(): the n lowest free pages, in order *)
RECURSIVE AllocN(_, _)
AllocN(n, free) ==
    IF n = 0 \/ free = {} THEN <<>>
    ELSE <<LowestOf(free)>> \o AllocN(n - 1, free \ {LowestOf(free)})

Range(s) == {s[i] : i \in DOMAIN s}

(* put_page() on each page of the sequence ps (a page may occur more than once) *)
RECURSIVE PutPages(_, _)
PutPages(ps, st) ==
    IF ps = <<>> THEN st
    ELSE LET p == Head(ps)
             rc == st.rc[p] - 1
         IN PutPages(Tail(ps),
                     [rc |-> [st.rc EXCEPT ![p] = rc],
                      own |-> IF rc = 0 THEN [st.own EXCEPT ![p] = "free"] ELSE st.own])

Refs == [rc |-> refcount, own |-> owner]

SlotOf(h) == h % MaxUsage
PipeFull == pipe.head - pipe.tail >= MaxUsage

(* pipe_buf_release()'s last_offset() helper: how an iterator sees the last buffer *)
LastOffset(b) == IF b.ops = "anon" THEN b.len ELSE 0 - (b.offset + b.len)

-----------------------------------------------------------------------------
(* The ITER_PIPE iterator (KERNEL.md §E.1).                                  *)

(* append_pipe(i, size): grow the last anonymous buffer if it has room, else  *)
(* push_anon() a fresh page; decrements i->count itself.  Returns the page,   *)
(* the offset in it and the bytes appended, with the new pipe and iterator.  *)
AppendPipe(size) ==
    IF iter.lastOffset > 0 /\ iter.lastOffset < PageSize
    THEN LET s == SlotOf(pipe.head - 1)
             chunk == Min(size, PageSize - iter.lastOffset)
         IN [page |-> pipe.bufs[s].page, off |-> iter.lastOffset, chunk |-> chunk, new |-> FALSE,
             pipe |-> [pipe EXCEPT !.bufs[s].len = @ + chunk],
             iter |-> [iter EXCEPT !.lastOffset = @ + chunk, !.count = @ - chunk]]
    ELSE LET p == LowestOf(FreePages)
             chunk == Min(size, PageSize)
         IN [page |-> p, off |-> 0, chunk |-> chunk, new |-> TRUE,
             pipe |-> [pipe EXCEPT !.bufs[SlotOf(pipe.head)] =
                                       [page |-> p, offset |-> 0, len |-> chunk, ops |-> "anon"],
                                   !.head = @ + 1],
             iter |-> [iter EXCEPT !.head = pipe.head, !.lastOffset = chunk, !.count = @ - chunk]]

(* iov_iter_revert() on ITER_PIPE: walk back from pipe->head, releasing whole  *)
(* buffers (pipe_buf_release -> put_page) and shrinking the last partial one. *)
RECURSIVE PipeRevert(_, _, _, _, _)
PipeRevert(h, u, p, it, st) ==
    IF h <= it.startHead
    THEN [pipe |-> p, iter |-> [it EXCEPT !.head = h, !.lastOffset = 0], st |-> st]
    ELSE LET s == SlotOf(h - 1)
             b == p.bufs[s]
         IN IF u < b.len
            THEN [pipe |-> [p EXCEPT !.bufs[s].len = b.len - u],
                  iter |-> [it EXCEPT !.head = h - 1, !.lastOffset = LastOffset([b EXCEPT !.len = b.len - u])],
                  st |-> st]
            ELSE PipeRevert(h - 1, u - b.len,
                            [p EXCEPT !.bufs[s] = NoBuf, !.head = @ - 1], it,
                            PutPages(<<b.page>>, st))

(* pipe_discard_from(pipe, h0): release every buffer from the head back to   *)
(* index h0 (generic_file_splice_read()'s error path, §E.1).                  *)
RECURSIVE PipeDiscardFrom(_, _, _)
PipeDiscardFrom(h0, p, st) ==
    IF p.head <= h0 THEN [pipe |-> p, st |-> st]
    ELSE LET s == SlotOf(p.head - 1)
         IN PipeDiscardFrom(h0, [p EXCEPT !.bufs[s] = NoBuf, !.head = @ - 1], PutPages(<<p.bufs[s].page>>, st))

-----------------------------------------------------------------------------
(* The ITER_BVEC iterator over copy_splice_read()'s array (KERNEL.md §A.4).   *)

(* iov_iter_advance(): move n bytes forward, stepping over finished bio_vecs *)
RECURSIVE BvecAdvance(_, _)
BvecAdvance(it, n) ==
    IF it.idx > Len(bvec) \/ n + it.iovOffset < bvec[it.idx].len
    THEN [it EXCEPT !.iovOffset = @ + n]
    ELSE BvecAdvance([it EXCEPT !.idx = @ + 1, !.iovOffset = 0], n + it.iovOffset - bvec[it.idx].len)

(* iov_iter_revert(): step back element by element; pages are untouched *)
RECURSIVE BvecBack(_, _)
BvecBack(it, u) ==
    IF u <= bvec[it.idx - 1].len
    THEN [it EXCEPT !.idx = @ - 1, !.iovOffset = bvec[it.idx - 1].len - u]
    ELSE BvecBack([it EXCEPT !.idx = @ - 1], u - bvec[it.idx - 1].len)

BvecRevert(it, u) ==
    IF u <= it.iovOffset THEN [it EXCEPT !.iovOffset = @ - u, !.count = @ + u]
    ELSE BvecBack([it EXCEPT !.count = @ + u, !.iovOffset = 0], u - it.iovOffset)

-----------------------------------------------------------------------------
(* Initial state: a file of some size whose blocks are all written, a pipe    *)
(* that may hold full buffers an earlier writer left (pages 1..occ, content   *)
(* "pipe"), the other pages free, and a task about to splice len bytes from a *)
(* block-aligned file position.                                               *)

PriorBuf(i) == [page |-> i, offset |-> 0, len |-> PageSize, ops |-> "anon"]

Init ==
    /\ \E occ \in Occupancies, t0 \in PipeTails :
          /\ refcount = [p \in Pages |-> IF p <= occ THEN 1 ELSE 0]
          /\ owner = [p \in Pages |-> IF p <= occ THEN "splice" ELSE "free"]
          /\ content = [p \in Pages |-> IF p <= occ THEN [kind |-> "pipe", pos |-> 0, upto |-> 0] ELSE Junk]
          /\ pipe = [head |-> t0 + occ, tail |-> t0, maxUsage |-> MaxUsage,
                     bufs |-> [s \in Slots |->
                                 IF \E i \in 1..occ : SlotOf(t0 + i - 1) = s
                                 THEN PriorBuf(CHOOSE i \in 1..occ : SlotOf(t0 + i - 1) = s)
                                 ELSE NoBuf]]
          /\ \E len \in SpliceLens, pos \in Offsets :
                task = [pc |-> "idle", len |-> len, ret |-> 0, err |-> "none", pos |-> pos, head0 |-> t0 + occ]
    /\ \E size \in FileSizes : file = [isize |-> size, mapped |-> RoundUp(size)]
    /\ iter = NoIter
    /\ bvec = <<>>
    /\ bios = <<>>
    /\ dio = [isize |-> 0, pos |-> 0]
    /\ action = [name |-> "Init"]

(* copy_splice_read()'s alloc_pages_bulk_array(): all n pages, or with        *)
(* failures injected any number of them (0: the call fails, -ENOMEM).  The    *)
(* action records how many pages it fell short by (`short`).                  *)
AllocCounts(n) == IF AllocFailures THEN 0..n ELSE {n}

(* push_anon()'s alloc_page() in the pipe forms: with failures injected it may *)
(* get no page (1) when append_pipe() needs a new buffer; growing the last     *)
(* anonymous buffer allocates nothing.  The Extract action records it (nomem). *)
PushAnonFails(grows) == IF AllocFailures /\ ~grows THEN {0, 1} ELSE {0}

(* The task's start: do_splice_read() caps len at the free pipe space; then    *)
(* generic_file_splice_read() sets up iov_iter_pipe() (pipe forms), or          *)
(* copy_splice_read() allocates DIV_ROUND_UP(len, PS) pages, caps len at what   *)
(* it got (returning -ENOMEM when it got none) and builds an ITER_BVEC          *)
(* iterator over them (the fix).                                              *)
SpliceStart ==
    /\ task.pc = "idle"
    /\ LET len == Min(task.len, (MaxUsage - (pipe.head - pipe.tail)) * PageSize)
           n == DivRoundUp(len)
       IN IF PipeForm
          THEN /\ iter' = [type |-> "PIPE", count |-> len, head |-> pipe.head,
                           startHead |-> pipe.head, lastOffset |-> 0]
               /\ task' = [task EXCEPT !.pc = "dio", !.len = len]
               /\ action' = [name |-> "SpliceStart", len |-> len, short |-> 0]
               /\ UNCHANGED <<pageVars, bvec>>
          ELSE \E got \in AllocCounts(n) :
                 IF got = 0
                 THEN /\ task' = [task EXCEPT !.pc = "done", !.len = len, !.err = "ENOMEM"]
                      /\ action' = [name |-> "SpliceStart", len |-> len, short |-> n]
                      /\ UNCHANGED <<pageVars, bvec, iter>>
                 ELSE LET ps == AllocN(got, FreePages)
                          len2 == Min(len, got * PageSize)
                      IN /\ bvec' = [i \in 1..got |-> [page |-> ps[i], offset |-> 0,
                                                       len |-> Min(PageSize, len2 - (i - 1) * PageSize)]]
                         /\ iter' = [type |-> "BVEC", count |-> len2, idx |-> 1, iovOffset |-> 0]
                         /\ refcount' = [p \in Pages |-> IF p \in Range(ps) THEN 1 ELSE refcount[p]]
                         /\ owner' = [p \in Pages |-> IF p \in Range(ps) THEN "splice" ELSE owner[p]]
                         /\ content' = [p \in Pages |-> IF p \in Range(ps) THEN Junk ELSE content[p]]
                         /\ task' = [task EXCEPT !.pc = "dio", !.len = len2]
                         /\ action' = [name |-> "SpliceStart", len |-> len2, short |-> n - got]
    /\ UNCHANGED <<file, pipe, bios, dio>>

(* __iomap_dio_rw(): dio->i_size = i_size_read(); a read starting at or past *)
(* it returns 0 at once, otherwise inode_dio_begin() and the mapping loop.     *)
DioStart ==
    /\ task.pc = "dio"
    /\ dio' = [isize |-> file.isize, pos |-> task.pos]
    /\ task' = [task EXCEPT !.pc = IF task.pos >= file.isize THEN "return" ELSE "map"]
    /\ action' = [name |-> "DioStart", size |-> file.isize]
    /\ UNCHANGED <<pageVars, file, pipe, iter, bvec, bios>>

(* iomap_dio_bio_iter() -> bio_iov_iter_get_pages(): put the next block's     *)
(* pages into a new bio.  ITER_PIPE: append_pipe(), plus get_page() in         *)
(* pipe_get_pages() for the pipe_get_pages() forms and nothing for the pre-v12 *)
(* iov_iter_extract_pipe_pages(); ITER_BVEC: bio_iov_bvec_set() shares the     *)
(* caller's pages (BIO_CLONED, no references) and advances the iterator.      *)
(* When push_anon() gets no page (nomem = 1), append_pipe() returns NULL       *)
(* before touching the pipe or the iterator, the page getter returns -EFAULT,  *)
(* the bio is put and __iomap_dio_rw() ends its loop with that error (the      *)
(* failing bio is the first of its one-block extent, so nothing was copied in *)
(* this iteration; a failure after earlier bios of the same extent would       *)
(* return their count and let the loop try again, a step that changes nothing *)
(* this model records).                                                       *)
Extract ==
    /\ task.pc = "map"
    /\ task.err = "none"
    /\ iter.count > 0
    /\ dio.pos < file.mapped
    /\ LET size == Min(PageSize, Min(iter.count, file.mapped - dio.pos))
           b == Len(bios) + 1
       IN IF PipeForm
          THEN LET grows == iter.lastOffset > 0 /\ iter.lastOffset < PageSize   \* room in the last buffer
               IN /\ grows \/ (~PipeFull /\ FreePages # {})                    \* or a new one
                  /\ \E nomem \in PushAnonFails(grows) :
                       IF nomem = 1
                       THEN /\ task' = [task EXCEPT !.err = "EFAULT"]
                            /\ action' = [name |-> "Extract", bio |-> 0, size |-> size, page |-> 0, nomem |-> 1]
                            /\ UNCHANGED <<pageVars, pipe, iter, bios, dio, bvec>>
                       ELSE LET a == AppendPipe(size)
                                reffed == Variant \in {"pipe-get-pages", "pipe-get-pages-no-revert"}
                            IN /\ pipe' = a.pipe
                               /\ iter' = a.iter
                               /\ refcount' = [refcount EXCEPT ![a.page] = (IF a.new THEN 1 ELSE @) + (IF reffed THEN 1 ELSE 0)]
                               /\ owner' = IF a.new THEN [owner EXCEPT ![a.page] = "splice"] ELSE owner
                               /\ content' = IF a.new THEN [content EXCEPT ![a.page] = Junk] ELSE content
                               /\ bios' = Append(bios, [pages |-> <<a.page>>, offset |-> a.off, len |-> a.chunk, pos |-> dio.pos,
                                                        flags |-> IF reffed THEN {"REFFED"} ELSE {}, state |-> "built"])
                               /\ dio' = [dio EXCEPT !.pos = @ + a.chunk]
                               /\ task' = [task EXCEPT !.pc = "submit"]
                               /\ action' = [name |-> "Extract", bio |-> b, size |-> size, page |-> a.page, nomem |-> 0]
                               /\ UNCHANGED bvec
          ELSE LET e == bvec[iter.idx]
                   chunk == Min(size, e.len - iter.iovOffset)
               IN /\ bios' = Append(bios, [pages |-> <<e.page>>, offset |-> e.offset + iter.iovOffset,
                                           len |-> chunk, pos |-> dio.pos, flags |-> {"CLONED"}, state |-> "built"])
                  /\ iter' = [BvecAdvance(iter, chunk) EXCEPT !.count = @ - chunk]
                  /\ dio' = [dio EXCEPT !.pos = @ + chunk]
                  /\ task' = [task EXCEPT !.pc = "submit"]
                  /\ action' = [name |-> "Extract", bio |-> b, size |-> size, page |-> e.page, nomem |-> 0]
                  /\ UNCHANGED <<pageVars, pipe, bvec>>
    /\ UNCHANGED file

(* iomap_dio_submit_bio() -> submit_bio(): the device now owns a pending write *)
(* of file data into the bio's pages.                                          *)
Submit ==
    /\ task.pc = "submit"
    /\ LET b == Len(bios)
       IN /\ bios' = [bios EXCEPT ![b].state = "inflight"]
          /\ action' = [name |-> "Submit", bio |-> b]
    /\ task' = [task EXCEPT !.pc = "map"]
    /\ UNCHANGED <<pageVars, file, pipe, iter, bvec, dio>>

(* __iomap_dio_rw() after the loop, before waiting: "we only report that we've *)
(* read data up to i_size", so iov_iter_revert(iter, iomi.pos - dio->i_size)    *)
(* (419e9c38aa07; the variant before it does not revert: unroll 0).  The loop  *)
(* ends when the iterator is empty, past the written blocks, or on an error.   *)
DioRevert ==
    /\ task.pc = "map"
    /\ iter.count = 0 \/ dio.pos >= file.mapped \/ task.err # "none"
    /\ LET u == IF Reverts /\ dio.pos >= dio.isize THEN dio.pos - dio.isize ELSE 0
       IN /\ IF u = 0 THEN UNCHANGED <<iter, pipe, refcount, owner>>
             ELSE IF iter.type = "PIPE"
             THEN LET r == PipeRevert(pipe.head, u, pipe, [iter EXCEPT !.count = @ + u], Refs)
                  IN /\ pipe' = r.pipe
                     /\ iter' = r.iter
                     /\ refcount' = r.st.rc
                     /\ owner' = r.st.own
             ELSE /\ iter' = BvecRevert(iter, u)
                  /\ UNCHANGED <<pipe, refcount, owner>>
          /\ action' = [name |-> "DioRevert", unroll |-> u]
    /\ task' = [task EXCEPT !.pc = "wait"]
    /\ UNCHANGED <<content, file, bvec, bios, dio>>

(* The synchronous kiocb waits for every bio; iomap_dio_complete() returns     *)
(* the DIO's error if it has one, else dio->size clipped to the sampled i_size, *)
(* then inode_dio_end().                                                       *)
DioWait ==
    /\ task.pc = "wait"
    /\ \A b \in 1..Len(bios) : bios[b].state = "done"
    /\ LET ret == IF task.err # "none" THEN 0 ELSE Min(dio.pos, dio.isize) - task.pos
       IN /\ task' = [task EXCEPT !.pc = "return", !.ret = ret]
          /\ action' = [name |-> "DioWait", ret |-> ret]
    /\ UNCHANGED <<pageVars, file, pipe, iter, bvec, bios, dio>>

(* The ->splice_read() method returns.  generic_file_splice_read(): the pipe  *)
(* already holds what was read; on an error it frees what was emitted          *)
(* (pipe_discard_from(pipe, start_head)) and returns -EAGAIN for -EFAULT.      *)
(* copy_splice_read(): keep DIV_ROUND_UP(ret, PS) pages, release_pages() the   *)
(* rest, push the kept ones into the pipe as default_pipe_buf_ops buffers.     *)
SpliceReturn ==
    /\ task.pc = "return"
    /\ IF PipeForm
       THEN /\ IF task.err = "none"
               THEN UNCHANGED <<refcount, owner, pipe>>
               ELSE LET d == PipeDiscardFrom(iter.startHead, pipe, Refs)
                    IN /\ pipe' = d.pipe
                       /\ refcount' = d.st.rc
                       /\ owner' = d.st.own
            /\ UNCHANGED <<content, bvec>>
            /\ action' = [name |-> "SpliceReturn", ret |-> task.ret]
       ELSE LET keep == DivRoundUp(task.ret)
                dropped == [i \in 1..(Len(bvec) - keep) |-> bvec[keep + i].page]
                st == PutPages(dropped, Refs)
            IN /\ refcount' = st.rc
               /\ owner' = st.own
               /\ pipe' = [pipe EXCEPT
                             !.bufs = [s \in Slots |->
                                 LET i == ((s - pipe.head) % MaxUsage) + 1
                                 IN IF i <= keep
                                    THEN [page |-> bvec[i].page, offset |-> 0,
                                          len |-> Min(PageSize, task.ret - (i - 1) * PageSize), ops |-> "anon"]
                                    ELSE pipe.bufs[s]],
                             !.head = @ + keep]
               /\ bvec' = <<>>
               /\ action' = [name |-> "SpliceReturn", ret |-> task.ret]
               /\ UNCHANGED content
    /\ iter' = NoIter
    /\ task' = [task EXCEPT !.pc = "done", !.err = IF @ = "EFAULT" THEN "EAGAIN" ELSE @]
    /\ UNCHANGED <<file, bios, dio>>

(* What a page holds after the device wrote bio b's bytes [off, off + len) of  *)
(* the file from bio.pos: file data whose byte 0 is file offset pos - off;    *)
(* extends file data from the same offset that it continues, else starts anew. *)
Written(c, bio) ==
    LET base == bio.pos - bio.offset
    IN IF c.kind = "file" /\ c.pos = base /\ c.upto >= bio.offset
       THEN [c EXCEPT !.upto = IF bio.offset + bio.len > c.upto THEN bio.offset + bio.len ELSE c.upto]
       ELSE [kind |-> "file", pos |-> base, upto |-> IF bio.offset = 0 THEN bio.len ELSE 0]

(* bio completion: the device writes file data into every page of the bio, then *)
(* bio_release_pages() drops what extraction took (put_page iff REFFED).       *)
BioComplete(b) ==
    /\ bios[b].state = "inflight"
    /\ content' = [p \in Pages |-> IF p \in Range(bios[b].pages) THEN Written(content[p], bios[b]) ELSE content[p]]
    /\ IF "REFFED" \in bios[b].flags
       THEN LET st == PutPages(bios[b].pages, Refs)
            IN refcount' = st.rc /\ owner' = st.own
       ELSE UNCHANGED <<refcount, owner>>
    /\ bios' = [bios EXCEPT ![b].state = "done"]
    /\ action' = [name |-> "BioComplete", bio |-> b]
    /\ UNCHANGED <<file, taskVars>>

(* Some other kernel user (an skb, say) allocates page p: it must be free. *)
OtherAlloc(p) ==
    /\ owner[p] = "free"
    /\ Cardinality({q \in Pages : owner[q] = "other"}) < OtherMax
    /\ refcount' = [refcount EXCEPT ![p] = 1]
    /\ owner' = [owner EXCEPT ![p] = "other"]
    /\ content' = [content EXCEPT ![p] = [kind |-> "other", pos |-> 0, upto |-> 0]]
    /\ action' = [name |-> "OtherAlloc", page |-> p]
    /\ UNCHANGED <<file, taskVars, bios>>

(* ftruncate(): i_size_write() of a smaller size. *)
Truncate(n) ==
    /\ n < file.isize
    /\ file' = [file EXCEPT !.isize = n]
    /\ action' = [name |-> "Truncate", size |-> n]
    /\ UNCHANGED <<pageVars, taskVars, bios>>

(* The rest of truncate: after inode_dio_wait() the blocks past EOF are freed. *)
DioActive == task.pc \in {"map", "submit", "wait"}
TruncateBlocks ==
    /\ file.mapped > RoundUp(file.isize)
    /\ ~DioActive
    /\ file' = [file EXCEPT !.mapped = RoundUp(file.isize)]
    /\ action' = [name |-> "TruncateBlocks", mapped |-> RoundUp(file.isize)]
    /\ UNCHANGED <<pageVars, taskVars, bios>>

(* A reader consumes the oldest buffer: pipe_buf_release() -> put_page(). The *)
(* splice holds the pipe lock, so the reader runs after the splice returned.  *)
PipeRead ==
    /\ task.pc = "done"
    /\ pipe.tail < pipe.head
    /\ LET s == SlotOf(pipe.tail)
           st == PutPages(<<pipe.bufs[s].page>>, Refs)
       IN /\ refcount' = st.rc
          /\ owner' = st.own
          /\ pipe' = [pipe EXCEPT !.bufs[s] = NoBuf, !.tail = @ + 1]
          /\ action' = [name |-> "PipeRead", slot |-> s]
    /\ UNCHANGED <<content, file, iter, bvec, bios, dio, task>>

(* Nothing left to do: the splice returned, the reader drained the pipe and *)
(* no bio is in flight.  Stuttering, so that only unintended stops deadlock. *)
Quiescent ==
    /\ task.pc = "done"
    /\ pipe.head = pipe.tail
    /\ \A b \in 1..Len(bios) : bios[b].state = "done"

Finished == Quiescent /\ UNCHANGED vars

(* The splicing task's own steps, in program order. *)
TaskStep == SpliceStart \/ DioStart \/ Extract \/ Submit \/ DioRevert \/ DioWait \/ SpliceReturn

Next ==
    \/ TaskStep
    \/ \E b \in 1..Len(bios) : BioComplete(b)
    \/ \E p \in Pages : OtherAlloc(p)
    \/ \E n \in TruncSizes : Truncate(n)
    \/ TruncateBlocks
    \/ PipeRead
    \/ Finished

Spec == Init /\ [][Next]_vars

(* Progress only where the kernel guarantees it: the task runs (it blocks only *)
(* on its own bios), the device completes every submitted bio, the pipe's      *)
(* buffers are consumed by its reader or released when it is closed.  The      *)
(* other allocator and truncate need not act.                                  *)
LiveSpec ==
    /\ Spec
    /\ WF_vars(TaskStep)
    /\ WF_vars(\E b \in 1..Len(bios) : BioComplete(b))
    /\ WF_vars(PipeRead)

-----------------------------------------------------------------------------
(* Invariants.                                                               *)

InFlight(b) == bios[b].state \in {"built", "inflight"}
RingSlots == {SlotOf(h) : h \in pipe.tail..(pipe.head - 1)}
Buf(h) == pipe.bufs[SlotOf(h)]
Max(a, b) == IF a >= b THEN a ELSE b

(* No bio that may still be written by the device targets a page that was     *)
(* freed (or freed and handed to someone else) since it was extracted.        *)
NoUseAfterFreeInv ==
    \A b \in 1..Len(bios) : InFlight(b) =>
        \A p \in Range(bios[b].pages) : refcount[p] > 0 /\ owner[p] = "splice"

(* Completion never writes into a page that now belongs to another allocator. *)
NoCorruptionInv ==
    \A p \in Pages : owner[p] = "other" => content[p].kind = "other"

(* Each buffer in the ring owns one reference to its own, live page. *)
PipeOwnsBuffersInv ==
    \A s \in RingSlots :
        /\ pipe.bufs[s].page \in Pages
        /\ refcount[pipe.bufs[s].page] >= 1
        /\ owner[pipe.bufs[s].page] = "splice"
        /\ \A t \in RingSlots : t # s => pipe.bufs[t].page # pipe.bufs[s].page

(* Once the splice returned, the reader drained the pipe and no bio is in      *)
(* flight, every page the splice path allocated is free again.                 *)
NoLeakInv ==
    Quiescent => \A p \in Pages : owner[p] \in {"free", "other"}

(* Who holds references: pipe buffers, bios that took one, copy_splice_read's  *)
(* array, the other allocator.  The count is exactly that, and 0 means free.   *)
Holders(p) ==
    Cardinality({s \in RingSlots : pipe.bufs[s].page = p})
    + Cardinality({b \in 1..Len(bios) : InFlight(b) /\ "REFFED" \in bios[b].flags /\ p \in Range(bios[b].pages)})
    + Cardinality({i \in DOMAIN bvec : bvec[i].page = p})
    + (IF owner[p] = "other" THEN 1 ELSE 0)

RefsAccountedInv ==
    \A p \in Pages : refcount[p] = Holders(p) /\ (owner[p] = "free" <=> refcount[p] = 0)

(* What the splice added to the pipe is file data. *)
PipeDataInv ==
    task.pc = "done" => \A h \in Max(pipe.tail, task.head0)..(pipe.head - 1) : content[Buf(h).page].kind = "file"

(* Bytes of copy_splice_read()'s bio_vec array before element k. *)
RECURSIVE BvecBytesBefore(_)
BvecBytesBefore(k) == IF k <= 1 THEN 0 ELSE BvecBytesBefore(k - 1) + bvec[k - 1].len

(* The ITER_BVEC cursor says how far the iterator went (KERNEL.md §A.2, §A.4):  *)
(* iov_offset is progress within the current element, always short of its end  *)
(* (advance steps over an element it reaches the end of; revert stops in the    *)
(* first element u fits in), the cursor stays within the array (one past it at  *)
(* the end), and the bytes before it are the bytes consumed: len - count, after *)
(* every advance and every revert.  Once the DIO reverted (pc wait or return), *)
(* the bytes consumed are what the read reports, the data up to the i_size it  *)
(* sampled (§E.2: the revert is there so the iterator says so, as PipeRingInv  *)
(* asks of ITER_PIPE; a read at or past that size consumed nothing).           *)
BvecPosInv ==
    iter.type = "BVEC" =>
        /\ iter.idx \in 1..(Len(bvec) + 1)
        /\ iter.iovOffset \in 0..(IF iter.idx <= Len(bvec) THEN bvec[iter.idx].len - 1 ELSE 0)
        /\ BvecBytesBefore(iter.idx) + iter.iovOffset = task.len - iter.count
        /\ task.pc = "wait" \/ task.pc = "return" =>
              task.len - iter.count = Max(0, Min(dio.pos, dio.isize) - task.pos)

(* Bytes the ring holds in buffers [from, pipe->head). *)
RECURSIVE RingBytesFrom(_)
RingBytesFrom(from) == IF from >= pipe.head THEN 0 ELSE Buf(from).len + RingBytesFrom(from + 1)

(* The pipe ring at every state, so after every revert and every read          *)
(* (KERNEL.md §E.1, §H.11): tail <= head, occupancy within max_usage; every     *)
(* buffer in [tail, head) is a non-empty piece of one page; every slot outside  *)
(* is empty (pipe_buf_release() cleared it); no page is in two buffers.  While  *)
(* an ITER_PIPE iterator writes the ring: its head and last_offset describe the *)
(* last buffer, the buffers since start_head hold exactly the bytes it consumed *)
(* (append_pipe() and the revert keep them in step), and once the DIO returned *)
(* without an error exactly what the read reports (§E.2: the revert after      *)
(* 419e9c38aa07; an error's buffers go at the splice's return).               *)
PipeRingInv ==
    /\ pipe.tail <= pipe.head
    /\ pipe.head - pipe.tail <= MaxUsage
    /\ \A h \in pipe.tail..(pipe.head - 1) :
          /\ Buf(h).page \in Pages
          /\ Buf(h).ops # "none"
          /\ Buf(h).len > 0
          /\ Buf(h).offset + Buf(h).len <= PageSize
    /\ \A s \in Slots \ RingSlots : pipe.bufs[s] = NoBuf
    /\ \A h, k \in pipe.tail..(pipe.head - 1) : h # k => Buf(h).page # Buf(k).page
    /\ iter.type = "PIPE" =>
          /\ iter.startHead <= iter.head /\ iter.head <= pipe.head
          /\ IF iter.lastOffset = 0
             THEN pipe.head = iter.startHead
             ELSE iter.head = pipe.head - 1 /\ iter.lastOffset = LastOffset(Buf(pipe.head - 1))
          /\ RingBytesFrom(iter.startHead) = task.len - iter.count
          /\ task.pc = "return" /\ task.err = "none" => task.len - iter.count = task.ret

(* What a reader of the pipe gets, at every read (the reader runs once the     *)
(* splice returned; KERNEL.md §H.12, §E.2, §E.4): the buffers the splice added  *)
(* hold the file's bytes from its start position in order -- buffer h the bytes *)
(* at pos + (h - head0) * PAGE_SIZE + offset, written there by the device --    *)
(* without a hole, and never past what the read returned; the pipe got all of  *)
(* it; a failed splice (-ENOMEM, -EAGAIN) added nothing; and a read that did   *)
(* not fail returned every byte up to the i_size it sampled (§E.2: a DIO read   *)
(* is short only at EOF, which a truncate may move, §E.3 step 8), so no block   *)
(* within i_size goes unread.                                                 *)
SpliceEnd(h) == (h - task.head0) * PageSize + Buf(h).offset + Buf(h).len
PipeFileDataInv ==
    task.pc = "done" =>
        /\ \A h \in Max(pipe.tail, task.head0)..(pipe.head - 1) :
              /\ content[Buf(h).page].kind = "file"
              /\ content[Buf(h).page].pos = task.pos + (h - task.head0) * PageSize
              /\ Buf(h).offset + Buf(h).len <= content[Buf(h).page].upto
              /\ SpliceEnd(h) <= task.ret
              /\ h < pipe.head - 1 => Buf(h).offset + Buf(h).len = PageSize
        /\ pipe.head - 1 >= Max(pipe.tail, task.head0) => SpliceEnd(pipe.head - 1) = task.ret
        /\ pipe.head - task.head0 = DivRoundUp(task.ret)
        /\ task.err # "none" => task.ret = 0
        /\ task.err = "none" => task.ret = Max(0, Min(task.len, dio.isize - task.pos))

\* The bio lifecycle in order (KERNEL.md §C.1: a bio is built, submitted, then completed; as PageLifetime's
\* BioLifecycleInv): the bio Extract has just built is the one Submit sends next, no other bio is ever left
\* unsubmitted, and (BioComplete's guard) only a bio in flight completes.
BioLifecycleInv ==
    /\ task.pc = "submit" => Len(bios) > 0 /\ bios[Len(bios)].state = "built"
    /\ \A b \in 1..Len(bios) : bios[b].state = "built" => b = Len(bios) /\ task.pc = "submit"

\* Which error a splice returns (KERNEL.md §E.4, §E.1): copy_splice_read()'s only error is -ENOMEM, from its
\* bulk allocation, before any DIO (no pages, no bios, nothing read); the pipe forms' push_anon() failure is the
\* page getter's -EFAULT while the read runs, which generic_file_splice_read() returns as -EAGAIN. Those two
\* allocations are the only ways this splice can fail (the file's blocks are written, the pipe has room: §E.4's
\* len cap), so an error needs AllocFailures: a model that injects no allocation failure sees none. (Which step
\* failed is not in the state: the VIEW leaves `action` out, so a failure taken for another is the same state.)
SpliceErrnoInv ==
    /\ task.err # "none" => AllocFailures
    /\ task.err = "ENOMEM" => ~PipeForm /\ task.pc = "done" /\ task.ret = 0 /\ bvec = <<>> /\ bios = <<>>
    /\ task.err = "EFAULT" \/ task.err = "EAGAIN" => PipeForm
    /\ task.err = "EFAULT" => task.pc = "map" \/ task.pc = "wait" \/ task.pc = "return"
    /\ task.err = "EAGAIN" => task.pc = "done"

\* The DIO has sampled i_size: every path past SpliceStart runs DioStart, but copy_splice_read()'s -ENOMEM.
\* (Equalities, not set literals of pc names: `iterpin mutate` swaps a string for the members of the smallest set
\* literal listing it, and Pcs should stay that set.)
DioStarted ==
    \/ task.pc = "map" \/ task.pc = "submit" \/ task.pc = "wait" \/ task.pc = "return"
    \/ task.pc = "done" /\ task.err # "ENOMEM"

\* Bytes the DIO's bios read, the first k of them.
RECURSIVE BioBytes(_)
BioBytes(k) == IF k = 0 THEN 0 ELSE BioBytes(k - 1) + bios[k].len

\* What the DIO reads (KERNEL.md §E.2, §H.12): __iomap_dio_rw() samples i_size when it starts, before any I/O,
\* and a read at or past it returns at once, issuing none (the read reports only data up to it). Each bio reads
\* the file on from where the last one stopped, from the splice position; together they read no more than the
\* iterator's count, and iomi.pos is where the last one ended.
DioIoInv ==
    /\ task.pc = "idle" \/ task.pc = "dio" => bios = <<>>
    /\ bios # <<>> => task.pos < dio.isize
    /\ \A b \in 1..Len(bios) : bios[b].pos = task.pos + BioBytes(b - 1)
    /\ BioBytes(Len(bios)) <= task.len
    /\ DioStarted => dio.pos = task.pos + BioBytes(Len(bios))

\* A splice makes progress (KERNEL.md §E.4, §E.2): only an injected allocation failure (SpliceErrnoInv) ends
\* it without its DIO; one that did not fail ran the DIO, which sampled i_size (truncate, the only change of
\* i_size here, only shrinks it, §E.3 step 8, so the sample is at least today's size), and if it got pages and
\* pipe room (len > 0 after the caps) and started before that EOF, it returned bytes, never 0 for nothing.
SpliceProgressInv ==
    task.pc = "done" /\ task.err = "none" =>
        /\ dio.isize >= file.isize
        /\ task.len > 0 /\ task.pos < dio.isize => task.ret > 0

\* The task's locals follow its program order (KERNEL.md §E.1, §E.4): before the splice starts and once it
\* returned there is no destination iterator and no bio_vec array; from the start to the return there is the
\* iterator its form builds (generic_file_splice_read()'s ITER_PIPE over the pipe, copy_splice_read()'s ITER_BVEC
\* over the pages it allocated, an array of at least one page), nothing has failed before the start, and the
\* read's return value exists only once the DIO completed (iomap_dio_complete(), pc "return").
TaskLocalsInv ==
    LET running == ~(task.pc = "idle" \/ task.pc = "done")
    IN /\ running => iter.type = (IF PipeForm THEN "PIPE" ELSE "BVEC") /\ (bvec # <<>>) = ~PipeForm
       /\ ~running => iter = NoIter /\ bvec = <<>>
       /\ task.pc = "idle" => task.err = "none"
       /\ ~(task.pc = "return" \/ task.pc = "done") => task.ret = 0

-----------------------------------------------------------------------------
(* Temporal properties, checked under LiveSpec.                              *)

(* Every submitted bio completes (the device side; KERNEL.md §C, §E.3 step 7). *)
BioCompletesProp ==
    \A b \in 1..MaxUsage :
        (b <= Len(bios) /\ bios[b].state = "inflight") ~> (b <= Len(bios) /\ bios[b].state = "done")

(* Every buffer the splice put in the pipe is eventually consumed or released. *)
BuffersConsumedProp == (task.pc = "done") ~> (pipe.head = pipe.tail)

(* The splice returns, and every page the splice path allocated goes back to  *)
(* the allocator (§H.1, §H.10): in the end no page is the splice path's.      *)
PagesReturnedProp == <>[](task.pc = "done" /\ \A p \in Pages : owner[p] # "splice")

=============================================================================
