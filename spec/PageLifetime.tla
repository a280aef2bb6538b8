---------------------------- MODULE PageLifetime ----------------------------
(***************************************************************************)
(* Page references and pins from iov_iter extraction to bio release.       *)
(*                                                                         *)
(* A process maps user pages (one reference per mapping; a never-written   *)
(* buffer maps the zero page, which takes none), a kernel caller owns      *)
(* kernel pages (one reference each), and direct I/O (DIO) reads or        *)
(* writes them through UBUF/IOVEC/KVEC/BVEC/XARRAY iterators.              *)
(* bio_iov_iter_get_pages() pins user pages (FOLL_PIN adds the bias 1024   *)
(* to a small folio's refcount; pins of a zero page are no-ops), lists     *)
(* KVEC/XARRAY pages without references and shares a BVEC array; it merges *)
(* a page that continues the last bvec and releases the extra pin of a     *)
(* same-page merge at once.  iomap_dio_zero() adds the zero page.  Bios    *)
(* are submitted, DMA'd and completed; completion runs bio_release_pages() *)
(* per the bio's flags.  The user may munmap() a page at any time; a kernel *)
(* owner frees its buffer only once no I/O uses it (the caller's contract). *)
(*                                                                         *)
(* Kernel sources: KERNEL.md §B.1-B.3 (extraction), §C (bio flags, release, *)
(* bio_iov_iter_get_pages v6.5, iomap_dio_zero, c8070b787519 zero-page      *)
(* pins), §D (refcount/pincount rules), §G.0/G.3/G.4 (variants), §H.1-4.   *)
(* The iterator is abstracted to a list of elements, each within one page  *)
(* (an iovec/kvec/bvec, or one page's part of a UBUF/XARRAY range); the     *)
(* byte arithmetic of extraction is the IovIter spec's job.  Page numbers  *)
(* are page frame numbers: pages p and p+1 are physically adjacent, so a   *)
(* bvec may grow over both (a multi-page bvec), exactly as bio_add_page()  *)
(* merges them.  Every folio here is small (order 0).                       *)
(*                                                                         *)
(* Variants: "v6.5" (the final design); "legacy" (before the series: DIO   *)
(* takes FOLL_GET references, bios are put_page()d unless BIO_NO_PAGE_REF, *)
(* KVEC is refused, XARRAY pages are get_page()d, iomap_dio_zero() takes a *)
(* reference on the zero page); "bug-dio-reffed" (G.3: a bio of pinned      *)
(* pages is flagged BIO_PAGE_REFFED); "bug-same-page-merge" (G.4: the extra *)
(* pin of a same-page merge is kept); "bug-zero-page-put" (iomap_dio_zero() *)
(* takes no reference on the zero page but flags its bio for put_page);     *)
(* "bug-same-page-failed-add" (G.4's other half, d1916c86ccdc until          *)
(* 5905afc2c7bb: a refused add that reported a same-page merge released the *)
(* page there and again in the release-unused-pages loop); "bug-release-     *)
(* unaligned" (G.5, 1b151e2435fc until 38b43539d64b: __bio_release_pages()  *)
(* releases ceil(len/PS) pages from the page holding bv_offset, one too few  *)
(* for a fragment that starts mid-page and crosses a page).                  *)
(*                                                                         *)
(* Failure injection (issue: cleanup on every path), each an argument of   *)
(* GetPages so traces record it, enabled per model by the constant Inject: *)
(* "gup": pin_user_pages_fast() stops short at a chosen page and the next  *)
(* call fails with -EFAULT, anywhere in a multi-bio DIO; "add":            *)
(* bio_add_hw_page() refuses a chosen page (a hardware limit: the bio is   *)
(* full early; when the page would merge into the last bvec as the same    *)
(* page, that is a failed same-page merge).  The refused page and the rest *)
(* of the extraction are released by the release-unused-pages loop, the    *)
(* iterator is reverted to it, and the bio goes out with what it has (an   *)
(* empty one fails the DIO).  This is the bio_map_user_iov() and zone-append *)
(* (bio_iov_add_zone_append_page()) form of the add loop, §C.3-C.4.        *)
(* "alloc": the page array of the fill's alloc-th iov_iter_extract_pages() *)
(* call cannot be allocated (a NULL *pages, as bio_map_user_iov() passes    *)
(* for more than UIO_FASTIOV vecs: kvmalloc_array() fails, -ENOMEM, §B.1-   *)
(* B.2, §G.9); the call takes nothing, and the error path (out_unmap, §C.4) *)
(* releases what the bio already holds with bio_release_pages() and frees  *)
(* it unsubmitted: the DIO fails having mapped nothing more.  A call is one *)
(* segment for IOVEC/KVEC, up to the bio's free vecs for UBUF/XARRAY        *)
(* (§B.3-B.6); a fill with fewer calls is not affected, as a gup or add    *)
(* failure at a page the fill never reaches.                               *)
(***************************************************************************)
EXTENDS Integers, Sequences, FiniteSets

CONSTANTS
    Variant,    \* "v6.5" | "legacy" | "bug-dio-reffed" | "bug-same-page-merge" | "bug-zero-page-put"
    PageSize,   \* bytes per page (4096)
    Bias,       \* GUP_PIN_COUNTING_BIAS: one FOLL_PIN on a small folio (1024)
    ZeroBase,   \* a zero page's refcount when only its reservation holds it
    Layouts,    \* the initial memories and DIOs to start from: a set of layout records
    Inject      \* the failures GetPages may inject: a subset of {"gup", "add", "alloc"}

Variants == {"v6.5", "legacy", "bug-dio-reffed", "bug-same-page-merge", "bug-zero-page-put",
             "bug-same-page-failed-add", "bug-release-unaligned"}
UserTypes == {"UBUF", "IOVEC"}
IterTypes == {"UBUF", "IOVEC", "KVEC", "BVEC", "XARRAY"}
Kinds == {"user", "kernel", "zero"}
Flags == {"PINNED", "REFFED", "NO_PAGE_REF", "CLONED"}
NoPage == 0     \* a page-table entry after munmap()

\* One iterator element: `len` bytes at `off` in page `page` (a user virtual page for UBUF/IOVEC).
Elem == [page : Nat, off : Nat, len : Nat]
\* A DIO's iterator, and bi_max_vecs of the bios it fills.
IterRec == [type : IterTypes, dir : {"SOURCE", "DEST"}, elems : Seq(Elem), maxVecs : Nat \ {0}]
\* A layout is a record [kind : page -> Kinds, mapping : user virtual page -> page, iter : dio -> IterRec,
\* owned : the kernel pages held by their owner]; each is one initial state.

ASSUME KnownVariant == Variant \in Variants                  \* the variants this spec knows
ASSUME PositiveSizes == PageSize \in Nat \ {0} /\ Bias \in Nat \ {0}  \* pages and the bias are real
ASSUME ZeroBasePositive == ZeroBase \in Nat \ {0}            \* the reservation holds the zero page
ASSUME KnownInjections == Inject \subseteq {"gup", "add", "alloc"}  \* the failure points this spec has

Range(s) == {s[i] : i \in DOMAIN s}

\* A read into a never-written buffer would break COW (pin_user_pages_fast() with FOLL_WRITE maps a fresh
\* page in place of the zero page); the model keeps zero-page buffers to writes, as in the G.3 reproducer.
ASSUME NoCowInLayouts ==
    \A L \in Layouts : \A d \in DOMAIN L.iter :
        (L.iter[d].type \in UserTypes /\ L.iter[d].dir = "DEST")
            => \A e \in Range(L.iter[d].elems) : L.kind[L.mapping[e.page]] /= "zero"

VARIABLES
    kind,       \* page -> "user" | "kernel" | "zero" (fixed by the layout)
    ref,        \* page -> its folio's refcount (pins included, via the bias)
    freed,      \* pages whose refcount reached zero: back in the allocator
    owned,      \* kernel pages their kernel owner still holds
    mapping,    \* user virtual page -> page, NoPage once unmapped
    iter,       \* dio -> its iterator [type, dir, elems, maxVecs] (fixed by the layout)
    dio,        \* dio -> [pos |-> elements consumed, err |-> extraction failed, zeroed |-> iomap_dio_zero ran]
    bios,       \* dio -> the bios it issued, oldest first: [kind, state, flags, taken, vecs]
    action      \* the last step's name and arguments, for replay

layoutVars == <<kind, mapping, iter>>
pageVars == <<ref, freed, owned>>
dioVars == <<dio, bios>>
vars == <<layoutVars, pageVars, dioVars, action>>

Pages == DOMAIN kind
VPages == DOMAIN mapping
Dios == DOMAIN iter

BioStates == {"built", "inflight", "dma", "released"}
\* A bio's lifecycle events in the only order the block layer allows (§C.2): submit_bio(), the device's DMA,
\* bio_endio(), and bio_release_pages() from the completion.
Lifecycle == <<"submit", "dma", "endio", "release">>
Vec == [page : Nat, off : Nat, len : Nat]
BioRec == [kind : {"data", "zero"}, state : BioStates, flags : SUBSET Flags,
           taken : {"pin", "ref", "none"}, vecs : Seq(Vec), trail : Seq(Range(Lifecycle))]

TypeOK ==
    /\ kind \in [Pages -> Kinds]
    /\ ref \in [Pages -> Int]
    /\ freed \subseteq Pages
    /\ owned \subseteq {p \in Pages : kind[p] = "kernel"}
    /\ mapping \in [VPages -> Pages \cup {NoPage}]
    /\ iter \in [Dios -> IterRec]
    /\ dio \in [Dios -> [pos : Nat, err : BOOLEAN, zeroed : BOOLEAN]]
    /\ bios \in [Dios -> Seq(BioRec)]
    /\ action.name \in {"Init", "GetPages", "Submit", "Dma", "Complete", "IomapDioZero",
                        "UserUnmap", "KernelFree", "Terminating"}

-----------------------------------------------------------------------------
(* The baseline: the references a page's owners hold when no I/O runs.     *)

\* Page-table entries mapping p (a zero-page entry holds no reference).
MapCount(p) == Cardinality({v \in VPages : mapping[v] = p})

Baseline(p) ==
    IF kind[p] = "zero" THEN ZeroBase
    ELSE MapCount(p) + (IF p \in owned THEN 1 ELSE 0)

\* Pages whose count fell from positive to zero or below go back to the allocator; a zero page is reserved
\* and never does (freeing it would be a "bad page" report; ZeroPageStableInv names that failure).
NewlyFreed(r) == {p \in Pages : kind[p] /= "zero" /\ ref[p] > 0 /\ r[p] <= 0}

-----------------------------------------------------------------------------
(* The variant's choices (KERNEL.md §C.1, §C.3, §C.5, §C.6, §G.3).         *)

\* How bio_iov_iter_get_pages() takes an iterator's pages: pin, reference, or just list them.
Taken(t) ==
    CASE t \in UserTypes -> IF Variant = "legacy" THEN "ref" ELSE "pin"
      [] t = "XARRAY"    -> IF Variant = "legacy" THEN "ref" ELSE "none"
      [] OTHER           -> "none"

\* The flags bio_iov_iter_get_pages() (or dio_bio_alloc()) sets for an iterator type. G.3: dio_bio_alloc()
\* set BIO_PAGE_REFFED on every bio it allocated, kernel-backed ones included.
DataFlags(t) ==
    CASE Variant = "bug-dio-reffed" -> IF t = "BVEC" THEN {"CLONED", "REFFED"} ELSE {"REFFED"}
      [] t = "BVEC"      -> IF Variant = "legacy" THEN {"CLONED", "NO_PAGE_REF"} ELSE {"CLONED"}
      [] t \in UserTypes -> IF Variant = "legacy" THEN {} ELSE {"PINNED"}
      [] OTHER           -> {}

\* iomap_dio_zero(): legacy takes a reference on the zero page; since the series it takes none.
ZeroTaken == IF Variant = "legacy" THEN "ref" ELSE "none"
ZeroFlags == IF Variant = "bug-zero-page-put" THEN {"REFFED"} ELSE {}

\* bio_release_page(): what the flags make the bio do with each page.
ReleaseMode(f) ==
    IF Variant = "legacy"
    THEN IF "NO_PAGE_REF" \in f THEN "none" ELSE "put"
    ELSE CASE "PINNED" \in f -> "unpin"
           [] "REFFED" \in f -> "put"
           [] OTHER          -> "none"

\* What acquiring one page adds to its refcount (§D.1; pins of a zero page are no-ops, c8070b787519).
Grab(p, how) ==
    CASE how = "pin" -> IF kind[p] = "zero" THEN 0 ELSE Bias
      [] how = "ref" -> 1
      [] OTHER       -> 0

\* What releasing one page takes from its refcount.
Drop(p, mode) ==
    CASE mode = "unpin" -> IF kind[p] = "zero" THEN 0 ELSE Bias
      [] mode = "put"   -> 1
      [] OTHER          -> 0

-----------------------------------------------------------------------------
(* Bvecs and merging (bvec_try_merge_page()).                              *)

\* The pages a bvec covers: bv_page + off/PageSize .. bv_page + (off+len-1)/PageSize.
VecPageIdx(v) == (v.off \div PageSize)..((v.off + v.len - 1) \div PageSize)
VecPages(v) == {v.page + i : i \in VecPageIdx(v)}
BioPages(b) == UNION {VecPages(v) : v \in Range(b.vecs)}

\* How many single-page segments of bio b are page p (bio_for_each_segment_all visits each once).
Occurrences(b, p) == Cardinality({i \in DOMAIN b.vecs : p \in VecPages(b.vecs[i])})

\* The pages __bio_release_pages() releases for a bvec: every page it touches; G.5 counted ceil(len/PS) pages
\* from the page holding bv_offset, one too few for a fragment that starts mid-page and crosses a page.
ReleasedPages(v) ==
    IF Variant = "bug-release-unaligned"
    THEN {v.page + (v.off \div PageSize) + i : i \in 0..((v.len + PageSize - 1) \div PageSize) - 1}
    ELSE VecPages(v)
ReleasedOccurrences(b, p) == Cardinality({i \in DOMAIN b.vecs : p \in ReleasedPages(b.vecs[i])})

\* (page, off) continues the last bvec's bytes physically.
Continues(v, p, off) == v.page * PageSize + v.off + v.len = p * PageSize + off
\* ... and starts in the page that bvec ends in: a same-page merge.
SamePage(v, p) == (v.page * PageSize + v.off + v.len - 1) \div PageSize = p

\* The user iterators name virtual pages; kernel ones name pages.
Resolve(d, e) == IF iter[d].type \in UserTypes THEN mapping[e.page] ELSE e.page

\* The pages one iov_iter_extract_pages() call hands the add loop (§B.3-B.6): one segment (an IOVEC/KVEC element
\* here lies within one page), or up to the bio's free vecs of a contiguous range (UBUF, XARRAY).
CallPages(d, vecs) == IF iter[d].type \in {"IOVEC", "KVEC"} THEN 1 ELSE iter[d].maxVecs - Len(vecs)

(***************************************************************************)
(* __bio_iov_iter_get_pages() repeated until the bio is full, the iterator *)
(* is empty or a page cannot be taken (munmap()ed, its refcount driven to *)
(* zero or below by a double release, or an injected fault at element      *)
(* `fault`: pin_user_pages_fast() stops short, the next call fails with    *)
(* -EFAULT), bio_add_hw_page() refuses element `refuse`, or the page       *)
(* array of extraction call `nomem` cannot be allocated (-ENOMEM).          *)
(* Element k on; `call` counts the extraction calls made and the pages the *)
(* current one still hands over.  Returns the bvecs, the refcounts, the    *)
(* first element not taken, and whether the fill ended in -ENOMEM.         *)
(***************************************************************************)
\* GUP cannot grab page p at refcounts r (§D.1-D.2): try_get_folio() WARNs on a negative count and cannot add to
\* a zero one (GUP-fast), and the slow path's try_grab_page() WARNs on a count <= 0 and fails with -ENOMEM. A user
\* page still mapped after a double release freed it stops GUP there as an unmapped page does. A pin of a zero
\* page grabs nothing and is never refused; kernel iterators list their pages without GUP.
GupRefuses(d, p, r) ==
    /\ iter[d].type \in UserTypes
    /\ p /= NoPage
    /\ Grab(p, Taken(iter[d].type)) > 0
    /\ r[p] <= 0

RECURSIVE Fill(_, _, _, _, _, _, _, _, _)
Fill(d, k, vecs, r, flags, fault, refuse, nomem, call) ==
    IF k > Len(iter[d].elems) \/ Len(vecs) = iter[d].maxVecs
    THEN [vecs |-> vecs, ref |-> r, next |-> k, nomem |-> FALSE]
    ELSE LET e == iter[d].elems[k]
             p == Resolve(d, e)
             \* a new extraction call starts here when the last one has handed over all its pages, or when GUP
             \* stopped short at this page (the next call starts at it, and allocates its array before pinning)
             stops == p = NoPage \/ GupRefuses(d, p, r) \/ k = fault
             starts == call.left = 0 \/ stops
             c == IF starts THEN [n |-> call.n + 1, left |-> CallPages(d, vecs)] ELSE call
             c1 == [c EXCEPT !.left = @ - 1]
         IN IF starts /\ c.n = nomem
            THEN \* want_pages_array() cannot allocate: the call returns -ENOMEM having taken nothing
                 [vecs |-> vecs, ref |-> r, next |-> k, nomem |-> TRUE]
            ELSE IF stops
            THEN [vecs |-> vecs, ref |-> r, next |-> k, nomem |-> FALSE]
            ELSE LET r1 == [r EXCEPT ![p] = @ + Grab(p, Taken(iter[d].type))]
                     last == vecs[Len(vecs)]
                 IN IF k = refuse
                    THEN \* the refused page goes back in the release-unused-pages loop; before 5905afc2c7bb a
                         \* refusal that reported same_page had already released it once
                         LET same == vecs /= <<>> /\ Continues(last, p, e.off) /\ SamePage(last, p)
                             times == IF same /\ Variant = "bug-same-page-failed-add" THEN 2 ELSE 1
                         IN [vecs |-> vecs, ref |-> [r1 EXCEPT ![p] = @ - times * Drop(p, ReleaseMode(flags))],
                             next |-> k, nomem |-> FALSE]
                 ELSE IF vecs /= <<>> /\ Continues(last, p, e.off)
                    THEN LET merged == [vecs EXCEPT ![Len(vecs)].len = @ + e.len]
                             \* v6.5: bio_release_page() on a same-page merge; G.4 kept the extra pin
                             release == SamePage(last, p) /\ Variant /= "bug-same-page-merge"
                             r2 == IF release THEN [r1 EXCEPT ![p] = @ - Drop(p, ReleaseMode(flags))]
                                   ELSE r1
                         IN Fill(d, k + 1, merged, r2, flags, fault, refuse, nomem, c1)
                    ELSE Fill(d, k + 1, Append(vecs, [page |-> p, off |-> e.off, len |-> e.len]), r1, flags,
                              fault, refuse, nomem, c1)

-----------------------------------------------------------------------------
(* DIO progress.                                                           *)

Running(d) == ~dio[d].err /\ dio[d].pos < Len(iter[d].elems)
\* The DIO's last bio was submitted (iomap submits each bio before building the next).
NoBioBuilt(d) == \A k \in DOMAIN bios[d] : bios[d][k].state /= "built"
LiveBio(b) == b.state /= "released"
DioDone(d) == ~Running(d) /\ \A k \in DOMAIN bios[d] : ~LiveBio(bios[d][k])
\* Pages of a DIO's kernel iterator: its owner must keep them until the DIO is done.
KernelPagesOf(d) == IF iter[d].type \in UserTypes THEN {} ELSE {e.page : e \in Range(iter[d].elems)}
LiveBioPages(d) == UNION {BioPages(bios[d][k]) : k \in {i \in DOMAIN bios[d] : LiveBio(bios[d][i])}}
LivePages == UNION {LiveBioPages(d) : d \in Dios}

Init ==
    \E L \in Layouts :
        /\ kind = L.kind
        /\ mapping = L.mapping
        /\ iter = L.iter
        /\ owned = L.owned
        /\ ref = [p \in DOMAIN L.kind |->
                    IF L.kind[p] = "zero" THEN ZeroBase
                    ELSE Cardinality({v \in DOMAIN L.mapping : L.mapping[v] = p})
                         + (IF p \in L.owned THEN 1 ELSE 0)]
        /\ freed = {}
        /\ dio = [d \in DOMAIN L.iter |-> [pos |-> 0, err |-> FALSE, zeroed |-> FALSE]]
        /\ bios = [d \in DOMAIN L.iter |-> <<>>]
        /\ action = [name |-> "Init"]

\* The failures a GetPages step of DIO d may inject, as <<gup, add, alloc>>: GUP fails at the gup-th page of the
\* fill (user iterators), bio_add_hw_page() refuses its add-th page, or the page array of its alloc-th extraction
\* call cannot be allocated (no extraction for BVEC: the bio shares the array); 0 = no failure of that kind.
Injections(d) ==
    LET n == Len(iter[d].elems) - dio[d].pos
        t == iter[d].type
    IN {<<0, 0, 0>>}
       \cup (IF "gup" \in Inject /\ t \in UserTypes THEN {<<k, 0, 0>> : k \in 1..n} ELSE {})
       \cup (IF "add" \in Inject /\ t /= "BVEC" THEN {<<0, k, 0>> : k \in 1..n} ELSE {})
       \cup (IF "alloc" \in Inject /\ t /= "BVEC" THEN {<<0, 0, k>> : k \in 1..n} ELSE {})

\* bio_iov_iter_get_pages(): a new bio for DIO d, filled from its iterator (§C.3), with the injected failures.
GetPages(d, gup, add, alloc) ==
    /\ Running(d)
    /\ NoBioBuilt(d)
    /\ LET t == iter[d].type
           pos == dio[d].pos
           elems == iter[d].elems
           flags == DataFlags(t)
       IN CASE t = "BVEC" ->
                \* bio_iov_bvec_set(): the bio shares the rest of the bvec array; no references
                /\ bios' = [bios EXCEPT ![d] = Append(@, [kind |-> "data", state |-> "built", flags |-> flags,
                                                         taken |-> "none", trail |-> <<>>,
                                                         vecs |-> SubSeq(elems, pos + 1, Len(elems))])]
                /\ dio' = [dio EXCEPT ![d].pos = Len(elems)]
                /\ action' = [name |-> "GetPages", dio |-> d, bio |-> Len(bios[d]) + 1, gup |-> gup, add |-> add, alloc |-> alloc]
                /\ UNCHANGED pageVars
            [] t = "KVEC" /\ Variant = "legacy" ->
                \* iov_iter_get_pages() did not support ITER_KVEC: -EFAULT
                /\ dio' = [dio EXCEPT ![d].err = TRUE]
                /\ action' = [name |-> "GetPages", dio |-> d, bio |-> 0, gup |-> gup, add |-> add, alloc |-> alloc]
                /\ UNCHANGED <<pageVars, bios>>
            [] OTHER ->
                LET at(k) == IF k = 0 THEN 0 ELSE pos + k
                    res == Fill(d, pos + 1, <<>>, ref, flags, at(gup), at(add), alloc, [n |-> 0, left |-> 0])
                    \* bio_release_pages(bio, false) on the unsubmitted bio: each page it holds, per its flags
                    unmapped == [p \in Pages |-> res.ref[p] - ReleasedOccurrences([vecs |-> res.vecs], p)
                                                              * Drop(p, ReleaseMode(flags))]
                IN IF res.nomem
                   THEN \* -ENOMEM (out_unmap, §C.4): what the bio took goes back, the bio is freed, the DIO fails
                        /\ ref' = unmapped
                        /\ freed' = freed \cup NewlyFreed(unmapped)
                        /\ dio' = [dio EXCEPT ![d].err = TRUE]
                        /\ action' = [name |-> "GetPages", dio |-> d, bio |-> 0, gup |-> gup, add |-> add, alloc |-> alloc]
                        /\ UNCHANGED <<owned, bios>>
                   ELSE IF res.vecs = <<>>
                   THEN \* nothing could be taken (-EFAULT, or -EINVAL from a refused first add: its page was
                        \* taken and released again): the DIO ends with what it submitted
                        /\ dio' = [dio EXCEPT ![d].err = TRUE]
                        /\ action' = [name |-> "GetPages", dio |-> d, bio |-> 0, gup |-> gup, add |-> add, alloc |-> alloc]
                        /\ UNCHANGED <<pageVars, bios>>
                   ELSE /\ ref' = res.ref
                        /\ bios' = [bios EXCEPT ![d] = Append(@, [kind |-> "data", state |-> "built",
                                                                 flags |-> flags, taken |-> Taken(t),
                                                                 vecs |-> res.vecs, trail |-> <<>>])]
                        /\ dio' = [dio EXCEPT ![d].pos = res.next - 1]
                        /\ freed' = freed \cup NewlyFreed(res.ref)
                        /\ action' = [name |-> "GetPages", dio |-> d, bio |-> Len(bios[d]) + 1, gup |-> gup, add |-> add, alloc |-> alloc]
                        /\ UNCHANGED owned
    /\ UNCHANGED layoutVars

\* iomap_dio_zero(): a write DIO, before it is done, zeroes a partial block with a bio holding the zero page,
\* submitted at once. A failed extraction does not stop it: iomap_dio_bio_iter() puts the bio it could not fill
\* and goes on to its sub-block tail zeroing (goto zero_tail), so a short write exposes no stale data (§C.3, §C.6).
IomapDioZero(d) ==
    /\ iter[d].dir = "SOURCE"
    /\ ~dio[d].zeroed
    /\ ~DioDone(d)
    /\ NoBioBuilt(d)
    /\ \E z \in Pages :
        /\ kind[z] = "zero"
        /\ \A y \in Pages : kind[y] = "zero" => z <= y        \* ZERO_PAGE(0)
        /\ ref' = [ref EXCEPT ![z] = @ + Grab(z, ZeroTaken)]
        /\ bios' = [bios EXCEPT ![d] = Append(@, [kind |-> "zero", state |-> "inflight", flags |-> ZeroFlags,
                                                 taken |-> ZeroTaken, trail |-> <<"submit">>,
                                                 vecs |-> <<[page |-> z, off |-> 0, len |-> PageSize]>>])]
    /\ dio' = [dio EXCEPT ![d].zeroed = TRUE]
    /\ action' = [name |-> "IomapDioZero", dio |-> d, bio |-> Len(bios[d]) + 1]
    /\ UNCHANGED <<layoutVars, freed, owned>>

\* submit_bio().
Submit(d, k) ==
    /\ bios[d][k].state = "built"
    /\ bios' = [bios EXCEPT ![d][k].state = "inflight", ![d][k].trail = Append(@, "submit")]
    /\ action' = [name |-> "Submit", dio |-> d, bio |-> k]
    /\ UNCHANGED <<layoutVars, pageVars, dio>>

\* The device transfers the data: into the pages for a read, out of them for a write.
Dma(d, k) ==
    /\ bios[d][k].state = "inflight"
    /\ bios' = [bios EXCEPT ![d][k].state = "dma", ![d][k].trail = Append(@, "dma")]
    /\ action' = [name |-> "Dma", dio |-> d, bio |-> k]
    /\ UNCHANGED <<layoutVars, pageVars, dio>>

\* bio_endio() -> bio_release_pages(): every single-page segment released once, per the bio's flags.
Complete(d, k) ==
    /\ bios[d][k].state = "dma"
    /\ LET b == bios[d][k]
           mode == ReleaseMode(b.flags)
           r == [p \in Pages |-> ref[p] - ReleasedOccurrences(b, p) * Drop(p, mode)]
       IN /\ ref' = r
          /\ freed' = freed \cup NewlyFreed(r)
    /\ bios' = [bios EXCEPT ![d][k].state = "released", ![d][k].trail = @ \o <<"endio", "release">>]
    /\ action' = [name |-> "Complete", dio |-> d, bio |-> k]
    /\ UNCHANGED <<layoutVars, owned, dio>>

\* munmap() of one user page, allowed at any time: the page-table entry's reference goes.
UserUnmap(v) ==
    /\ mapping[v] /= NoPage
    /\ LET p == mapping[v]
           r == IF kind[p] = "zero" THEN ref ELSE [ref EXCEPT ![p] = @ - 1]
       IN /\ ref' = r
          /\ freed' = freed \cup NewlyFreed(r)
    /\ mapping' = [mapping EXCEPT ![v] = NoPage]
    /\ action' = [name |-> "UserUnmap", vpage |-> v]
    /\ UNCHANGED <<kind, iter, owned, dioVars>>

\* A kernel owner frees its buffer page: allowed only once no DIO over it is still running.
KernelFree(p) ==
    /\ p \in owned
    /\ \A d \in Dios : p \in KernelPagesOf(d) => DioDone(d)
    /\ LET r == [ref EXCEPT ![p] = @ - 1]
       IN /\ ref' = r
          /\ freed' = freed \cup NewlyFreed(r)
    /\ owned' = owned \ {p}
    /\ action' = [name |-> "KernelFree", page |-> p]
    /\ UNCHANGED <<layoutVars, dioVars>>

\* Every DIO has finished: stutter, so a finished run is not reported as a deadlock.
Terminating ==
    /\ \A d \in Dios : DioDone(d)
    /\ UNCHANGED vars

Next ==
    \/ \E d \in Dios : \E i \in Injections(d) : GetPages(d, i[1], i[2], i[3])
    \/ \E d \in Dios : IomapDioZero(d)
    \/ \E d \in Dios : \E k \in DOMAIN bios[d] : Submit(d, k)
    \/ \E d \in Dios : \E k \in DOMAIN bios[d] : Dma(d, k)
    \/ \E d \in Dios : \E k \in DOMAIN bios[d] : Complete(d, k)
    \/ \E v \in VPages : UserUnmap(v)
    \/ \E p \in Pages : KernelFree(p)
    \/ Terminating

Spec == Init /\ [][Next]_vars

-----------------------------------------------------------------------------

\* No freed page is still mapped, still held by its kernel owner, or still the target of a live bio.
NoUseAfterFreeInv ==
    \A p \in freed :
        /\ \A v \in VPages : mapping[v] /= p
        /\ p \notin owned
        /\ p \notin LivePages

\* No refcount ever drops below zero.
NoUnderflowInv == \A p \in Pages : ref[p] >= 0

\* Once no bio is live, every page's refcount is back to what its owners hold.
NoLeakInv ==
    (\A d \in Dios : \A k \in DOMAIN bios[d] : ~LiveBio(bios[d][k]))
        => \A p \in Pages : ref[p] = Baseline(p)

\* A bio is never both PINNED and REFFED, and the primitive its flags made bio_release_pages() apply
\* matched how its pages were taken: PINNED iff pinned, REFFED (or no BIO_NO_PAGE_REF, legacy) iff reffed.
\* The flags act only at release, so a released bio is where a mismatch has done its work.
FlagsMirrorAcquisitionInv ==
    \A d \in Dios : \A k \in DOMAIN bios[d] :
        LET b == bios[d][k] IN
        /\ ~({"PINNED", "REFFED"} \subseteq b.flags)
        /\ b.state = "released" =>
              ReleaseMode(b.flags) = CASE b.taken = "pin" -> "unpin"
                                       [] b.taken = "ref" -> "put"
                                       [] OTHER           -> "none"

\* A user page a live bio targets reports folio_maybe_dma_pinned() (refcount >= the bias).
DmaPinnedVisibleInv ==
    \A p \in LivePages : kind[p] = "user" => ref[p] >= Bias

\* Every zero page keeps at least its reservation's reference and is never freed.
ZeroPageStableInv ==
    \A p \in Pages : kind[p] = "zero" => ref[p] >= ZeroBase /\ p \notin freed

\* A page other than a zero page is back in the allocator exactly when its refcount is zero: the put_page() or
\* unpin_user_page() that drops the last reference frees it, and nothing holding one frees it (§D.1).
FreedAtZeroInv ==
    \A p \in Pages : kind[p] /= "zero" => (p \in freed <=> ref[p] = 0)

\* A DIO's extraction fails only where the kernel's does: a user page it reached was munmap()ed, or a double
\* release drove its refcount to zero or below (GUP pins nothing: -EFAULT, §B.3, §C.3, §D.2), before the series a
\* KVEC (-EFAULT, §C.3), or an injected failure the model enables (GUP of user pages; a refused add or the page
\* array's -ENOMEM, §B.2, §C.4). Unmapping is final and nothing raises a refcount GUP refused, so the page the DIO
\* stopped at stays that way. The refcount test is written out rather than read from GupRefuses, so an edit of what
\* GUP refuses cannot change what this invariant accepts (a pin of a zero page is a no-op and never refused).
DioErrorCauseInv ==
    \A d \in Dios : dio[d].err =>
        LET t == iter[d].type IN
        \/ Variant = "legacy" /\ t = "KVEC"
        \/ t \in UserTypes /\ dio[d].pos < Len(iter[d].elems)
                             /\ LET p == mapping[iter[d].elems[dio[d].pos + 1].page]
                                IN p \notin Pages \/ (kind[p] /= "zero" /\ ref[p] <= 0)
        \/ t \in UserTypes /\ "gup" \in Inject
        \/ t /= "BVEC" /\ ("add" \in Inject \/ "alloc" \in Inject)

-----------------------------------------------------------------------------
(* Exact accounting and order at every state, not only at quiescence       *)
(* (KERNEL.md §H.1, §H.3, §H.11, §H.12).                                   *)

\* Every bio, as <<dio, index>>.
BioSlots == UNION {{<<d, k>> : k \in DOMAIN bios[d]} : d \in Dios}

\* What a live bio holds on page p by its flags: exactly what bio_release_pages() will drop, one unit per
\* single-page segment (§C.2): a pin (the bias; nothing for a zero page) if PINNED, a reference if REFFED (or,
\* before the series, unless BIO_NO_PAGE_REF), nothing for borrowed kernel pages and shared bvecs.
BioHolds(b, p) == IF LiveBio(b) THEN Occurrences(b, p) * Drop(p, ReleaseMode(b.flags)) ELSE 0

\* What the bios in S (a set of <<dio, index>>) hold on page p, together.
RECURSIVE HeldBy(_, _)
HeldBy(S, p) ==
    IF S = {} THEN 0
    ELSE LET x == CHOOSE y \in S : TRUE IN BioHolds(bios[x[1]][x[2]], p) + HeldBy(S \ {x}, p)

Held(p) == HeldBy(BioSlots, p)

\* Each page's refcount is its owners' baseline plus exactly what the live bios hold by their flags (§H.1, §H.3;
\* every folio here is small, so pins live in the refcount and there is no separate pincount).
PageRefsAccountedInv == \A p \in Pages : ref[p] = Baseline(p) + Held(p)

\* The state a bio is in after its first n lifecycle events.
StateAfter(n) == CASE n = 0 -> "built" [] n = 1 -> "inflight" [] n = 2 -> "dma" [] n = 4 -> "released"
                   [] OTHER -> "none"

\* DMA only after submission, completion only after DMA, bio_release_pages() only from the completion, and each
\* event at most once: every bio's events are a prefix of Lifecycle, and its state says how far it got.
BioLifecycleInv ==
    \A d \in Dios : \A k \in DOMAIN bios[d] :
        LET t == bios[d][k].trail IN
        /\ Len(t) <= Len(Lifecycle)
        /\ t = SubSeq(Lifecycle, 1, Len(t))
        /\ bios[d][k].state = StateAfter(Len(t))

\* No bio owning its bvec array holds more bvecs than bi_max_vecs (§H.11: bio_full() before every add); a BVEC
\* bio shares the iterator's array (BIO_CLONED, bi_max_vecs 0) and iomap_dio_zero() allocates one vec.
BioMaxVecsInv ==
    \A d \in Dios : \A k \in DOMAIN bios[d] :
        LET b == bios[d][k] IN
        "CLONED" \notin b.flags => Len(b.vecs) <= IF b.kind = "zero" THEN 1 ELSE iter[d].maxVecs

\* BIO_CLONED is set exactly on the data bios bio_iov_bvec_set() makes for a BVEC iterator, and such a bio shares
\* the iterator's bio_vec array (§C.3): its bvecs are the iterator's remaining ones as they stand, neither merged
\* nor cut at bi_max_vecs. Every other bio (a user or kernel iterator's, iomap_dio_zero()'s) owns its array.
BioClonedInv ==
    \A d \in Dios : \A k \in DOMAIN bios[d] :
        LET b == bios[d][k]
            es == iter[d].elems
        IN /\ ("CLONED" \in b.flags) = (b.kind = "data" /\ iter[d].type = "BVEC")
           /\ "CLONED" \in b.flags => \E j \in 1..Len(es) : b.vecs = SubSeq(es, j, Len(es))

\* The add loop merges a page that continues the last bvec inside the same page into that bvec, and drops the
\* extra pin at once (§C.3, §G.4, §H.3: the bio releases each such page once): a bio that owns its bvec array
\* never holds two consecutive bvecs that continue each other within one page.
SamePageMergedInv ==
    \A d \in Dios : \A k \in DOMAIN bios[d] :
        LET vs == bios[d][k].vecs IN
        "CLONED" \notin bios[d][k].flags =>
            \A i \in 1..(Len(vs) - 1) :
                ~(Continues(vs[i], vs[i + 1].page, vs[i + 1].off) /\ SamePage(vs[i], vs[i + 1].page))

\* A DIO fills one bio with bio_iov_iter_get_pages() (§C.3) and submits it before it fills the next or zeroes a
\* block (iomap's loop, as NoBioBuilt and LiveSpec's fairness have it): only a DIO's newest bio may be built and
\* not yet submitted, so a DIO never has two such bios.
OneUnsubmittedBioInv ==
    \A d \in Dios : \A k \in DOMAIN bios[d] : bios[d][k].state = "built" => k = Len(bios[d])

\* The device never writes into a zero page: a user read pins with FOLL_WRITE, which maps a fresh page in place of
\* the zero page (§H.9; NoCowInLayouts), and iomap_dio_zero() zeroes for a write only (§C.6). So every bio that
\* holds a zero page belongs to a write (SOURCE) DIO.
ZeroPageNotWrittenInv ==
    \A d \in Dios : \A k \in DOMAIN bios[d] :
        (\E p \in BioPages(bios[d][k]) : p \in Pages /\ kind[p] = "zero") => iter[d].dir = "SOURCE"

\* A DIO stops at the first error bio_iov_iter_get_pages() returns (§C.3: the error comes back when no vec was
\* added; iomap puts that bio and builds no other): a DIO whose extraction failed has no bio built and waiting.
FailedDioStopsInv ==
    \A d \in Dios : dio[d].err => NoBioBuilt(d)

\* Kernel iterators take nothing on their pages, so their owner keeps them for the whole I/O (§H.2): a kernel
\* page its owner has freed belongs to no DIO still running or holding a live bio, its zero bio included. (Written
\* out rather than read from DioDone, which KernelFree's guard uses.)
KernelPagesKeptInv ==
    \A d \in Dios : (\E p \in KernelPagesOf(d) : p \notin owned) =>
        /\ dio[d].err \/ dio[d].pos = Len(iter[d].elems)
        /\ \A k \in DOMAIN bios[d] : bios[d][k].state = "released"

\* iomap_dio_zero() (§C.6) zeroes a write DIO's partial block once in these models, and dio.zeroed records that
\* it ran: a DIO holds one zero bio once it zeroed and none before. (A zeroing repeated without bound would make
\* the state space infinite; this bound makes it a violation TLC reports at once.)
ZeroBioOnceInv ==
    \A d \in Dios : Cardinality({k \in DOMAIN bios[d] : bios[d][k].kind = "zero"}) = IF dio[d].zeroed THEN 1 ELSE 0

\* Bytes within one page: the unit in which a DIO's bytes are compared.
Piece(pg, off, len) == [page |-> pg, off |-> off, len |-> len]

\* A bvec's pieces, one per page it covers (a multi-page bvec splits at page boundaries).
VecPieces(v) ==
    LET first == v.off \div PageSize
        n == (v.off + v.len - 1) \div PageSize - first + 1
        lo(i) == IF i = 1 THEN v.off % PageSize ELSE 0
        hi(i) == IF i = n THEN ((v.off + v.len - 1) % PageSize) + 1 ELSE PageSize
    IN [i \in 1..n |-> Piece(v.page + first + i - 1, lo(i), hi(i) - lo(i))]

RECURSIVE Concat(_)
Concat(ss) == IF ss = <<>> THEN <<>> ELSE Head(ss) \o Concat(Tail(ss))

\* Adjacent pieces of one page that continue each other are one piece (a same-page merge, or a bio boundary
\* inside a page, describe the same bytes either way).
RECURSIVE Coalesce(_)
Coalesce(s) ==
    IF Len(s) <= 1 THEN s
    ELSE LET rest == Coalesce(Tail(s))
             h == Head(s)
             n == Head(rest)
         IN IF h.page = n.page /\ h.off + h.len = n.off
            THEN <<[h EXCEPT !.len = @ + n.len]>> \o Tail(rest)
            ELSE <<h>> \o rest

\* The page behind an iterator element; -v for a user page v unmapped since (its page is not known any more).
ElemPage(d, e) ==
    IF iter[d].type \in UserTypes
    THEN IF mapping[e.page] = NoPage THEN -e.page ELSE mapping[e.page]
    ELSE e.page

ElemPieces(d) == [i \in 1..dio[d].pos |-> LET e == iter[d].elems[i] IN Piece(ElemPage(d, e), e.off, e.len)]

DataBios(d) == SelectSeq(bios[d], LAMBDA b : b.kind = "data")

BioPieces(d) ==
    LET db == DataBios(d)
    IN Concat([i \in DOMAIN db |-> Concat([j \in DOMAIN db[i].vecs |-> VecPieces(db[i].vecs[j])])])

\* The DIO's data bios, in order, describe exactly the bytes of the iterator it has consumed: nothing skipped,
\* repeated or reordered, nothing past its count (§H.12).
DioCoverageInv ==
    \A d \in Dios :
        LET bp == Coalesce(BioPieces(d))
            ep == Coalesce(ElemPieces(d))
        IN /\ dio[d].pos <= Len(iter[d].elems)
           /\ Len(bp) = Len(ep)
           /\ \A i \in DOMAIN ep :
                /\ bp[i].off = ep[i].off
                /\ bp[i].len = ep[i].len
                /\ ep[i].page < 0 \/ bp[i].page = ep[i].page

-----------------------------------------------------------------------------
(* Liveness, with fairness only where the kernel guarantees progress: the  *)
(* DIO task submits each bio it built (iomap submits before building the   *)
(* next), the device transfers every submitted bio, and its completion     *)
(* runs.  Nothing forces a DIO to build its next bio, a user to unmap or an *)
(* owner to free (KERNEL.md §C.2, §H.1).                                   *)

LiveSpec ==
    /\ Spec
    /\ WF_vars(\E d \in Dios : \E k \in DOMAIN bios[d] : Submit(d, k))
    /\ WF_vars(\E d \in Dios : \E k \in DOMAIN bios[d] : Dma(d, k))
    /\ WF_vars(\E d \in Dios : \E k \in DOMAIN bios[d] : Complete(d, k))

\* Constant bounds for the temporal formulas' quantifiers: every DIO, bio slot and page of any layout.
DioIds == UNION {DOMAIN L.iter : L \in Layouts}
PageIds == UNION {DOMAIN L.kind : L \in Layouts}
ElemCounts == UNION {{Len(L.iter[d].elems) : d \in DOMAIN L.iter} : L \in Layouts}
BioIds == 1..((CHOOSE n \in ElemCounts : \A m \in ElemCounts : m <= n) + 1)   \* one bio per element, and the zero bio

BioIn(d, k, S) == d \in Dios /\ k \in DOMAIN bios[d] /\ bios[d][k].state \in S

\* Every submitted bio is eventually completed and its pages released.
BiosCompleteProp == \A d \in DioIds : \A k \in BioIds : BioIn(d, k, {"inflight", "dma"}) ~> BioIn(d, k, {"released"})

\* Every pin and reference taken for a bio is eventually dropped: a page held above its owners' baseline comes
\* back to exactly that baseline (a leak keeps it above forever).
PinsReleasedProp ==
    \A p \in PageIds : (p \in Pages /\ ref[p] > Baseline(p)) ~> (p \in Pages /\ ref[p] = Baseline(p))

=============================================================================
