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

/** One value per key (e.g. per app context), made by `make` on first use and kept while the key lives. */
export function onePer<K extends object, V>(make: (key: K) => V): (key: K) => V {
  const made = new WeakMap<K, V>();
  return (key) => {
    let found = made.get(key);
    if (found === undefined) {
      found = make(key);
      made.set(key, found);
    }
    return found;
  };
}
