// spec/manifest.json: every model, what it must yield, and why it exists. Shared by check, review and tests.

export type Expectation =
  | { readonly result: 'success' }
  | { readonly result: 'safety'; readonly invariant: string }
  /** TLC finds a behaviour (a lasso) that violates the temporal property named in the cfg's PROPERTIES. */
  | { readonly result: 'liveness'; readonly property: string };

export interface ManifestModel {
  /** The model's name = its cfg file's base name, e.g. "MCIovIterBugClobberMaxsize". */
  readonly name: string;
  /** The spec it instantiates: "IovIter" | "PageLifetime" | "SpliceRead" (or a pipeline self-test spec). */
  readonly spec: string;
  /** The TLA+ module TLC is started on, relative to spec/, e.g. "MCIovIter.tla". */
  readonly module: string;
  /** The cfg, relative to spec/, e.g. "MCIovIterBugClobberMaxsize.cfg". */
  readonly cfg: string;
  /** The model's `Variant` constant (the same string as the implementation's `variant` option). */
  readonly variant: string;
  readonly expect: Expectation;
  /**
   * Distinct states TLC reports with one worker (exact for success; at the violation otherwise). Absent for a
   * sampled model (`sample`): a sampled run counts no distinct states.
   */
  readonly distinct?: number;
  /** Depth of the state graph (success) or length of the counterexample (violation). Absent for a sampled model. */
  readonly depth?: number;
  /** What the model is for, in one or two sentences. */
  readonly purpose: string;
  /** Large models kept out of the default `iterpin check` run. */
  readonly scale?: boolean;
  /**
   * On a deep-tier (`scale`) model that passes: why `iterpin mutate` runs mutants on it without `--include-scale`
   * (it reaches paths no default-tier model does, such as injected failures or a liveness property of them).
   */
  readonly mutate?: string;
  /**
   * Actions of Next this model is allowed never to take, each with the reason (only for a model expected to
   * succeed): any other action that never fires makes `iterpin check` report the model `uncovered`.
   */
  readonly neverFires?: Readonly<Record<string, string>>;
  /** `"k/n"`: k of the n actions of Next fire, as `iterpin check` counts them with -coverage. */
  readonly actionsFired?: string;
  /**
   * A model too large to exhaust, checked by TLC's simulation mode instead: random behaviours of at most `depth`
   * steps, `behaviours` of them or as many as `seconds` allow. Its expectation "success" reads "no violation in N
   * behaviours of depth D", never "holds".
   */
  readonly sample?: SampleSettings;
  /**
   * Why this model runs without TLC's -coverage, when it does: its action counts (and `uncovered` verdict,
   * neverFires, actionsFired) then come from a second TLC run that dumps the state graph (conform/dump-coverage.ts).
   */
  readonly noCoverage?: string;
}

/** How a sampled run draws its behaviours: exactly one of `behaviours` and `seconds`. */
export interface SampleSettings {
  /** The length of every behaviour (TLC's -depth). */
  readonly depth: number;
  /** How many behaviours (TLC's -simulate num=N). */
  readonly behaviours?: number;
  /** Or: as many behaviours as this many seconds allow. */
  readonly seconds?: number;
  /** TLC's -seed, for a reproducible sample; absent: a fresh seed per run (recorded in the report). */
  readonly seed?: number;
  /**
   * For a bug model: other invariants the same bug breaks, which a random behaviour may reach before the expected
   * one (an exhaustive search finds the shortest violation; a sample finds whichever its behaviour meets first).
   */
  readonly alsoFinds?: readonly string[];
}

export interface Manifest {
  readonly version: 1;
  readonly models: readonly ManifestModel[];
}
