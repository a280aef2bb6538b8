// The exit codes every `iterpin` command and every layer that decides one (replay verdicts, TLC outcomes) share.

/**
 * Exit codes shared by all commands. Command-specific outcomes (a model that differs from the manifest, a trace
 * that diverged) use the range 1–9; input and environment problems use 64 and up (after sysexits.h).
 */
export const EXIT = {
  ok: 0,
  /** check: some model's outcome differs from the manifest; replay: the verdict is not the expected one. */
  mismatch: 1,
  /** replay: the implementation diverged from the trace. */
  diverged: 2,
  /** replay: the implementation refused an action of the trace. */
  notEnabled: 3,
  /** check: a model expected to succeed has an action of Next that never fired and that its neverFires does not list. */
  uncovered: 4,
  /** replay: a liveness counterexample's states matched, but the binding could not confirm its lasso. */
  unconfirmed: 5,
  /** Wrong command-line usage. */
  usage: 64,
  /** A file given on the command line is not what it should be (bad trace, bad vector, bad manifest). */
  badInput: 65,
  /** A file could not be read. */
  noInput: 66,
  /** An internal error: a bug in iterpin. */
  internal: 70,
  /** TLC could not run to a verdict: parse error, cfg error, crash. */
  tlcError: 71,
  /** Output could not be written. */
  cantCreate: 73,
  /** TLC ran past its time limit and was killed. */
  timeout: 75,
  /** The TLC jar's SHA-256 is not the pinned one; iterpin refuses to run it. */
  untrustedJar: 77,
  /** Java, Maven, the jar or a container engine is missing or wrong. */
  environment: 78,
  /** The run was interrupted (SIGINT, Ctrl-C); `iterpin check` says how to resume it. */
  interrupted: 130,
} as const;
