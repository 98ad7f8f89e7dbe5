/**
 * `run` once per key (e.g. per app context), shared by concurrent callers; a failure is forgotten so
 * the next call tries again.
 */
export function oncePer<K extends object>(run: (key: K) => Promise<void>): (key: K) => Promise<void> {
  const pending = new WeakMap<K, Promise<void>>();
  return (key) => {
    let p = pending.get(key);
    if (!p) {
      p = run(key).catch((err: unknown) => {
        pending.delete(key);
        throw err;
      });
      pending.set(key, p);
    }
    return p;
  };
}
