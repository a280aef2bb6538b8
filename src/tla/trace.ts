// The trace every part of iterpin exchanges: TLC counterexamples, ITF files from other tools, replay input.

import type { TlaValue } from './value.js';

/** What `#meta` of an ITF trace records about where the trace came from. All fields optional on input. */
export interface TraceMeta {
  readonly format?: string; // "ITF"
  readonly source?: string; // e.g. "iterpin check" or another tool's name
  readonly spec?: string; // "IovIter" | "PageLifetime" | "SpliceRead"
  readonly model?: string; // manifest model name, e.g. "MCIovIterBugClobberMaxsize"
  readonly variant?: string; // the model's Variant constant, e.g. "bug-clobber-maxsize"
  readonly invariant?: string; // the violated invariant, when the trace is a counterexample
  readonly property?: string; // the violated temporal property, when the trace is a liveness counterexample
  /**
   * A liveness counterexample is a lasso: after its last state the behaviour goes on from state `loopIndex`
   * (0-based) forever. `lasso` says how TLC ended it: "back-to-state" (a step from the last state leads back to
   * state loopIndex) or "stuttering" (the last state repeats forever; loopIndex is the last state's index).
   */
  readonly loopIndex?: number;
  readonly lasso?: 'back-to-state' | 'stuttering';
  readonly tlcVersion?: string; // "TLC2 Version 2.18 of 20 March 2023"
  readonly jarSha256?: string;
  readonly [extra: string]: unknown;
}

/** TLC's header of a trace state: `N: <Action line L, col C to line L2, col C2 of module M>`. */
export interface TlcActionHeader {
  readonly name: string; // "Initial predicate" for the first state
  readonly module?: string;
  readonly line?: number;
  readonly col?: number;
  readonly endLine?: number;
  readonly endCol?: number;
}

export interface TraceState {
  /** 0-based position in the behaviour. */
  readonly index: number;
  /** Every variable of the spec, `action` included. */
  readonly values: ReadonlyMap<string, TlaValue>;
  /** Present when the state came from TLC's output. */
  readonly header?: TlcActionHeader;
}

export interface Trace {
  readonly meta: TraceMeta;
  readonly vars: readonly string[];
  readonly states: readonly TraceState[];
}
