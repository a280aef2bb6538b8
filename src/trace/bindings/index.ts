// The registry of replay bindings, one per spec. A new spec's binding is added here and nowhere else.

import type { Binding } from '../binding.js';

const LOADERS: Readonly<Record<string, () => Promise<Binding<unknown>>>> = {
  IovIter: async () => (await import('./iov_iter.js')).binding as Binding<unknown>,
  PageLifetime: async () => (await import('./page_lifetime.js')).binding as Binding<unknown>,
  SpliceRead: async () => (await import('./splice_read.js')).binding as Binding<unknown>,
  IterToSg: async () => (await import('./iter_to_sg.js')).binding as Binding<unknown>,
  Pipeline: async () => (await import('./pipeline.js')).binding as Binding<unknown>,
};

export const SPECS: readonly string[] = Object.keys(LOADERS);

export async function loadBinding(spec: string): Promise<Binding<unknown> | undefined> {
  const load = LOADERS[spec];
  return load === undefined ? undefined : load();
}

/** Finds the spec whose variables are exactly the trace's (for traces whose #meta names no spec). */
export async function bindingForVars(vars: readonly string[]): Promise<Binding<unknown> | undefined> {
  const have = new Set(vars);
  for (const spec of SPECS) {
    const b = await loadBinding(spec);
    if (b !== undefined && b.vars.length === have.size && b.vars.every((v) => have.has(v))) return b;
  }
  return undefined;
}
