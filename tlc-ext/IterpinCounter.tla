--------------------------- MODULE IterpinCounter ---------------------------
\* Counts model-checking steps per action for `iterpin check`. TLC overrides IterpinCount with the Java method
\* of IterpinCounter.java (compiled by `iterpin setup`), which counts one step for `name` on each evaluation;
\* here, without it, the operator is only TRUE.
IterpinCount(name) == TRUE
=============================================================================
