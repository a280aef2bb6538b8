------------------------------ MODULE Pipeline ------------------------------
(***************************************************************************)
(* A self-test of iterpin's TLC pipeline, not a model of the kernel: a     *)
(* producer moves items into a bounded FIFO queue, a consumer drains it.   *)
(* It is small enough to check in a second and exercises every value form  *)
(* the trace path must carry: sets, sequences, records, strings, integers. *)
(* Variant "bounded" is the intended design; "bug-overfill" checks the     *)
(* queue bound off by one, so the queue grows past Capacity;               *)
(* "bug-consumer-stops" has a consumer that quits after its first item, so *)
(* items left in the queue are never taken: no invariant breaks, but the   *)
(* liveness property QueueDrainsProp does (under LiveSpec's fairness).     *)
(***************************************************************************)
EXTENDS Naturals, Sequences, FiniteSets

CONSTANTS
    Items,      \* the items the producer will hand over, e.g. 1..4
    Capacity,   \* the queue's bound
    Variant     \* "bounded" | "bug-overfill" | "bug-consumer-stops"

ASSUME CapacityPositive == Capacity \in Nat \ {0}    \* a queue that can hold something
ASSUME KnownVariant == Variant \in {"bounded", "bug-overfill", "bug-consumer-stops"}    \* the variants this spec knows

VARIABLES
    pending,    \* items not yet produced (a set)
    queue,      \* items in flight, oldest first (a sequence)
    done,       \* items consumed, in consumption order (a sequence)
    produced,   \* items produced so far, in production order (a sequence)
    action      \* the last step's name and arguments, for replay

pipeVars == <<pending, queue, done, produced>>
vars == <<pipeVars, action>>

Range(s) == {s[i] : i \in DOMAIN s}

TypeOK ==
    /\ pending \subseteq Items
    /\ queue \in Seq(Items)
    /\ done \in Seq(Items)
    /\ produced \in Seq(Items)
    /\ action \in [name : {"Init"}, capacity : {Capacity}]
                  \cup [name : {"Produce", "Consume"}, item : Items, depth : Nat]

Init ==
    /\ pending = Items
    /\ queue = <<>>
    /\ done = <<>>
    /\ produced = <<>>
    /\ action = [name |-> "Init", capacity |-> Capacity]   \* the bound travels with the trace, for replay

\* The producer's room check: the final design refuses a full queue, the buggy one is off by one.
HasRoom == IF Variant = "bug-overfill" THEN Len(queue) <= Capacity ELSE Len(queue) < Capacity

\* Hand item i to the queue.
Produce(i) ==
    /\ i \in pending
    /\ HasRoom
    /\ pending' = pending \ {i}
    /\ queue' = Append(queue, i)
    /\ produced' = Append(produced, i)
    /\ action' = [name |-> "Produce", item |-> i, depth |-> Len(queue) + 1]
    /\ UNCHANGED done

\* The consumer is still running: the buggy one quits once it has taken one item.
ConsumerRuns == Variant /= "bug-consumer-stops" \/ Len(done) < 1

\* Take the oldest item off the queue.
Consume ==
    /\ queue /= <<>>
    /\ ConsumerRuns
    /\ queue' = Tail(queue)
    /\ done' = Append(done, Head(queue))
    /\ action' = [name |-> "Consume", item |-> Head(queue), depth |-> Len(queue) - 1]
    /\ UNCHANGED <<pending, produced>>

\* The pipeline has drained: stutter, so a finished run is not reported as a deadlock.
Terminating ==
    /\ pending = {}
    /\ queue = <<>>
    /\ UNCHANGED vars

Next ==
    \/ \E i \in Items : Produce(i)
    \/ Consume
    \/ Terminating

Spec == Init /\ [][Next]_vars

\* The consumer is weakly fair: while it can take an item it eventually does. The producer needs no fairness
\* for the property below (items that are never produced never enter the queue).
LiveSpec == Spec /\ WF_vars(Consume)

-----------------------------------------------------------------------------

\* The queue never holds more than Capacity items.
QueueBoundInv == Len(queue) <= Capacity

\* Every item is in exactly one place: pending, queued or done.
ConservationInv ==
    /\ pending \cap Range(queue) = {}
    /\ pending \cap Range(done) = {}
    /\ Range(queue) \cap Range(done) = {}
    /\ pending \cup Range(queue) \cup Range(done) = Items
    /\ Len(queue) + Len(done) = Cardinality(Items) - Cardinality(pending)

\* Items leave in the order they entered.
FifoInv == produced = done \o queue

\* A queue that holds items is eventually empty again: nothing handed to the consumer is left behind.
QueueDrainsProp == (queue /= <<>>) ~> (queue = <<>>)
=============================================================================
