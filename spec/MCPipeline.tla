----------------------------- MODULE MCPipeline -----------------------------
(* The finite model of Pipeline for TLC: four items, a queue of two.       *)
EXTENDS Pipeline

MCItems == 1..4
MCCapacity == 2

VariantBounded == "bounded"
VariantBugOverfill == "bug-overfill"
VariantBugConsumerStops == "bug-consumer-stops"

\* Leaves out `action`, so recording each step's arguments does not multiply the state space.
View == <<pending, queue, done, produced>>
=============================================================================
