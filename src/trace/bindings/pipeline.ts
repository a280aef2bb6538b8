// The Pipeline self-test binding: a bounded FIFO queue between a producer and a consumer (the three variants of
// spec/Pipeline.tla as options of one implementation), its abstraction to the spec's variables, its invariant
// checker, and its judgement of a liveness lasso against QueueDrainsProp under LiveSpec's weak fairness for the
// consumer. It exists to test replay itself, lassos included; it models no kernel code.

import { err, ok, type Result } from '../../shared/result.js';
import type { ExplorableBinding, Exploration, Lasso, LassoJudgement, StepAction, StepEffect } from '../binding.js';
import { constantInt, constantInts, integerArg } from './explore_args.js';
import { printTla } from '../../tla/print.js';
import { tlaInt, tlaRecord, tlaSeq, tlaSet, tlaStr, type TlaValue } from '../../tla/value.js';

const VARIANTS = ['bounded', 'bug-overfill', 'bug-consumer-stops'] as const;
type Variant = (typeof VARIANTS)[number];

/** The queue and its two ends. Steps return a new state, so a lasso's closing step can be tried without harm. */
export interface PipelineState {
  readonly variant: Variant;
  readonly capacity: number;
  readonly pending: readonly number[];
  readonly queue: readonly number[];
  readonly done: readonly number[];
  readonly produced: readonly number[];
}

/** The producer's room check: the final design refuses a full queue; bug-overfill is off by one. */
const hasRoom = (s: PipelineState): boolean => (s.variant === 'bug-overfill' ? s.queue.length <= s.capacity : s.queue.length < s.capacity);

/** The consumer runs: bug-consumer-stops quits once it has taken one item. */
const consumerRuns = (s: PipelineState): boolean => s.variant !== 'bug-consumer-stops' || s.done.length < 1;

export function produce(s: PipelineState, item: number): Result<PipelineState, string> {
  if (!s.pending.includes(item)) return err(`item ${item} is not pending (pending: ${s.pending.join(', ') || 'none'})`);
  if (!hasRoom(s)) return err(`the queue is full (${s.queue.length} of ${s.capacity})`);
  return ok({ ...s, pending: s.pending.filter((i) => i !== item), queue: [...s.queue, item], produced: [...s.produced, item] });
}

export function consume(s: PipelineState): Result<PipelineState, string> {
  if (s.queue.length === 0) return err('the queue is empty');
  if (!consumerRuns(s)) return err('the consumer has stopped');
  return ok({ ...s, queue: s.queue.slice(1), done: [...s.done, s.queue[0] as number] });
}

const int = (v: TlaValue | undefined, what: string): Result<number, string> =>
  v?.kind === 'int' ? ok(Number(v.value)) : err(`${what} is not an integer${v === undefined ? '' : `: ${printTla(v)}`}`);

function ints(v: TlaValue | undefined, what: string): Result<number[], string> {
  const elems = v?.kind === 'set' || v?.kind === 'seq' ? v.elems : v?.kind === 'fn' && v.entries.length === 0 ? [] : undefined;
  if (elems === undefined) return err(`${what} is not a set or sequence of integers${v === undefined ? '' : `: ${printTla(v)}`}`);
  const out: number[] = [];
  for (const e of elems) {
    const n = int(e, `an element of ${what}`);
    if (!n.ok) return n;
    out.push(n.value);
  }
  return ok(out);
}

function init(first: ReadonlyMap<string, TlaValue>, variant: string): Result<StepEffect<PipelineState>, string> {
  if (!(VARIANTS as readonly string[]).includes(variant)) return err(`unknown variant ${variant}`);
  const action = first.get('action');
  const cap = action?.kind === 'record' ? action.fields.find(([k]) => k === 'capacity')?.[1] : undefined;
  const capacity = int(cap, 'the Init record\'s capacity');
  if (!capacity.ok) return capacity;
  if (capacity.value < 1) return err(`capacity ${capacity.value}: a queue that holds nothing`);
  const pending = ints(first.get('pending'), 'pending');
  if (!pending.ok) return pending;
  for (const v of ['queue', 'done', 'produced']) {
    const xs = ints(first.get(v), v);
    if (!xs.ok) return xs;
    if (xs.value.length > 0) return err(`${v} is not empty: not the spec's Init`);
  }
  const s: PipelineState = { variant: variant as Variant, capacity: capacity.value, pending: [...pending.value].sort((a, b) => a - b), queue: [], done: [], produced: [] };
  return ok({ state: s, narration: [`${variant}: items ${s.pending.join(', ')} pending, a queue of ${s.capacity}`] });
}

/** The step's `item` and `depth` must be what the implementation did. */
function agrees(a: StepAction, item: number, depth: number): string | undefined {
  const i = int(a.args.get('item'), 'action.item');
  const d = int(a.args.get('depth'), 'action.depth');
  if (!i.ok) return i.error;
  if (!d.ok) return d.error;
  if (i.value !== item || d.value !== depth) return `the implementation's ${a.name} moves item ${item} leaving depth ${depth}, the trace says item ${i.value}, depth ${d.value}`;
  return undefined;
}

function step(s: PipelineState, a: StepAction): Result<StepEffect<PipelineState>, string> {
  if (a.name === 'Produce') {
    const item = int(a.args.get('item'), 'action.item');
    if (!item.ok) return item;
    const next = produce(s, item.value);
    if (!next.ok) return next;
    const wrong = agrees(a, item.value, next.value.queue.length);
    return wrong !== undefined ? err(wrong) : ok({ state: next.value, narration: [`produce ${item.value}: queue ${next.value.queue.join(', ')}`] });
  }
  if (a.name === 'Consume') {
    const next = consume(s);
    if (!next.ok) return next;
    const wrong = agrees(a, s.queue[0] as number, next.value.queue.length);
    return wrong !== undefined ? err(wrong) : ok({ state: next.value, narration: [`consume ${s.queue[0]}: queue ${next.value.queue.join(', ') || 'empty'}`] });
  }
  if (a.name === 'Terminating') return terminating(s);
  return err(`${a.name} is not a step of the pipeline`);
}

function abstract(s: PipelineState): ReadonlyMap<string, TlaValue> {
  const seq = (xs: readonly number[]): TlaValue => tlaSeq(xs.map((x) => tlaInt(x)));
  return new Map([
    ['pending', tlaSet(s.pending.map((x) => tlaInt(x)))],
    ['queue', seq(s.queue)],
    ['done', seq(s.done)],
    ['produced', seq(s.produced)],
  ]);
}

function violated(s: PipelineState): string[] {
  const out: string[] = [];
  if (s.queue.length > s.capacity) out.push('QueueBoundInv');
  const where = [...s.pending, ...s.queue, ...s.done];
  if (new Set(where).size !== where.length) out.push('ConservationInv');
  if (s.produced.join() !== [...s.done, ...s.queue].join()) out.push('FifoInv');
  return out;
}

/**
 * QueueDrainsProp, `(queue /= <<>>) ~> (queue = <<>>)`, is violated by a lasso whose cycle never has an empty
 * queue; LiveSpec's WF_vars(Consume) allows the cycle only if the consumer is disabled somewhere in it or
 * consumes in it. The pipeline only ever grows `done`, so its only cycles stutter.
 */
function judgeLasso(l: Lasso<PipelineState>): Result<LassoJudgement<PipelineState>, string> {
  if (l.property !== undefined && l.property !== 'QueueDrainsProp') return err(`the Pipeline binding judges QueueDrainsProp, not ${l.property}`);
  if (l.kind === 'back-to-state') return err('the pipeline cannot return to an earlier state: done only grows');
  const s = l.last;
  if (s.queue.length === 0) return err('the queue is empty in the stuttering state: QueueDrainsProp holds there');
  const canConsume = consume(s);
  if (canConsume.ok) return err(`the consumer can still take item ${s.queue[0]}: weak fairness does not let the behaviour stop here`);
  return ok({
    narration: [
      `the behaviour stops in state ${l.loopIndex} with items ${s.queue.join(', ')} queued forever`,
      `fair: Consume is not enabled there (${canConsume.error}), so WF_vars(Consume) allows stopping`,
      'QueueDrainsProp is violated: the queue is not empty and never becomes empty',
    ],
  });
}

/**
 * Exploration under a model's constants: the one initial state (every item pending, the capacity in the Init
 * record), Produce of every item, Consume, and the stuttering Terminating. Produce and Consume record the item
 * moved and the depth left, read from the queue after the step.
 */
const exploration: Exploration<PipelineState> = {
  initialStates(c) {
    const items = constantInts(c, 'Items');
    const capacity = constantInt(c, 'Capacity');
    return ok([
      new Map<string, TlaValue>([
        ['pending', tlaSet(items.map((i) => tlaInt(i)))],
        ['queue', tlaSeq([])],
        ['done', tlaSeq([])],
        ['produced', tlaSeq([])],
        ['action', tlaRecord([['name', tlaStr('Init')], ['capacity', tlaInt(capacity)]])],
      ]),
    ]);
  },
  candidates(s, c) {
    // The step checks `item` and `depth` against what the implementation did; the candidate carries what
    // the producer is asked to move and the depth it leaves (it is refused if that is not what happens).
    const produce = constantInts(c, 'Items').map((i): StepAction => ({ name: 'Produce', args: new Map([['item', integerArg(i)], ['depth', integerArg(s.queue.length + 1)]]) }));
    const head = s.queue[0];
    const consume: StepAction[] = head === undefined ? [] : [{ name: 'Consume', args: new Map([['item', integerArg(head)], ['depth', integerArg(s.queue.length - 1)]]) }];
    return [...produce, ...consume, { name: 'Terminating', args: new Map() }];
  },
  stuttering: 'Terminating',
  refusalKeepsState: true,
  clone: (s) => s,
  classify(a, before) {
    const out: string[] = [before.variant];
    if (a.name === 'Produce' && before.queue.length >= before.capacity) out.push('produces into a full queue');
    if (a.name === 'Consume' && before.queue.length === 1) out.push('drains the queue');
    return out;
  },
};

/** The pipeline stutters once it has drained (Terminating): the step the spec takes when nothing is left. */
function terminating(s: PipelineState): Result<StepEffect<PipelineState>, string> {
  if (s.pending.length > 0 || s.queue.length > 0) return err('items are still pending or queued');
  return ok({ state: s, narration: ['the pipeline has drained'] });
}

export const binding: ExplorableBinding<PipelineState> = {
  spec: 'Pipeline',
  variants: VARIANTS,
  finalVariant: 'bounded',
  actionArgs: { Init: ['capacity'], Produce: ['item', 'depth'], Consume: ['item', 'depth'], Terminating: [] },
  vars: ['pending', 'queue', 'done', 'produced', 'action'],
  init,
  step,
  abstract,
  violated,
  judgeLasso,
  selfTest: true,
  explore: exploration,
};
