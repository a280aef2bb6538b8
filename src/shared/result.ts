// Result values for anything caused by input (a file, a trace, a TLC run): errors are data, not exceptions.

export type Result<T, E> = { ok: true; value: T } | { ok: false; error: E };

export const ok = <T>(value: T): { ok: true; value: T } => ({ ok: true, value });
export const err = <E>(error: E): { ok: false; error: E } => ({ ok: false, error });

/**
 * A per-key memo of an asynchronous Result: callers with the same key share one pending attempt, a success is
 * remembered for the process, and a failure is forgotten so the next call tries again.
 */
export function memoizeOk<T, E>(cache: Map<string, Promise<Result<T, E>>>, key: string, attempt: () => Promise<Result<T, E>>): Promise<Result<T, E>> {
  const known = cache.get(key);
  if (known !== undefined) return known;
  const started = attempt().then((r) => {
    if (!r.ok) cache.delete(key);
    return r;
  });
  cache.set(key, started);
  return started;
}
