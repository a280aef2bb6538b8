// The two kinds of line of TLC's `-dump dot` state graph that carry the graph: a state, `FP [label="…"]` with
// `,style = filled` when it is an initial state, and a transition, `FROM -> TO` with `[label="Action"…]` when
// `actionlabels` is asked for. Labels are DOT strings (`\\`, `\"` and `\n` escaped). Fingerprints may be negative.

/** A state line: 1 = fingerprint, 2 = the label (escaped), 3 = set when the state is initial. */
export const DOT_STATE_LINE = /^(-?\d+) \[label="((?:[^"\\]|\\.)*)"(,style = filled)?\];?$/;

/** A transition line: 1 = from, 2 = to, 3 = the action label (escaped), absent without `actionlabels`. */
export const DOT_EDGE_LINE = /^(-?\d+) -> (-?\d+)(?: \[label="((?:[^"\\]|\\.)*)".*\])?;?$/;
