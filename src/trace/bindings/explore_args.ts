// Reading a model's constants for the bindings' exploration facets: the integer sets an action's quantifiers
// range over and the sets of start states. A constant of the wrong shape is the model's error, thrown as one
// message the explorer reports (candidates have no error channel: they run once per state).

import { err, ok, type Result } from '../../shared/result.js';
import { tlaInt, type TlaValue } from '../../tla/value.js';
import type { Constants } from '../binding.js';

export class ConstantShapeError extends Error {}

/** An integer constant, or an integer set / interval constant, as numbers (ascending). */
export function constantInts(c: Constants, name: string): number[] {
  const v = c.get(name);
  const elems = v?.kind === 'set' ? v.elems : v?.kind === 'int' ? [v] : undefined;
  if (elems === undefined || elems.some((e) => e.kind !== 'int')) {
    throw new ConstantShapeError(`the model's constant ${name} is not a set of integers`);
  }
  return [...new Set(elems.map((e) => Number((e as { value: bigint }).value)))].sort((a, b) => a - b);
}

export function constantInt(c: Constants, name: string): number {
  const v = c.get(name);
  if (v?.kind !== 'int') throw new ConstantShapeError(`the model's constant ${name} is not an integer`);
  return Number(v.value);
}

/** The elements of a set constant (initial layouts, sizes). */
export function constantSet(c: Constants, name: string): Result<readonly TlaValue[], string> {
  const v = c.get(name);
  if (v === undefined) return err(`the model sets no constant ${name}`);
  if (v.kind !== 'set') return err(`the model's constant ${name} is not a set`);
  return ok(v.elems);
}

export const integerArg = (n: number): TlaValue => tlaInt(n);
