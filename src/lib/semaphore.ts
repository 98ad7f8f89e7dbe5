/** Gives a slot back; calling it again does nothing. */
export type Release = () => void;

/**
 * At most `size` holders at a time; the others wait in arrival order, at most `maxWaiting` of them
 * (unbounded unless given). In-process only (one per server process), for bounding CPU- or
 * memory-heavy work such as password hashing, code generation and exports.
 */
export class Semaphore {
  private held = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    readonly size: number,
    readonly maxWaiting = Number.POSITIVE_INFINITY,
  ) {}

  /** Holders plus waiters: 0 means idle. */
  get load(): number {
    return this.held + this.waiting.length;
  }

  /**
   * A slot now or a place in the queue; `undefined` when every slot is held and the queue is full
   * (the caller refuses the work). The promise resolves with the slot's release.
   */
  tryEnter(): Promise<Release> | undefined {
    if (this.held >= this.size && this.waiting.length >= this.maxWaiting) return undefined;
    return this.acquire().then(() => once(() => this.release()));
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await work();
    } finally {
      this.release();
    }
  }

  private acquire(): Promise<void> {
    if (this.held < this.size) {
      this.held += 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next(); // the slot passes straight to the next waiter
    else this.held -= 1;
  }
}

function once(fn: () => void): Release {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    fn();
  };
}

/** A bounded Semaphore per key (e.g. per organization); a key's semaphore is dropped once idle. */
export class KeyedSemaphore {
  private readonly byKey = new Map<string, Semaphore>();

  constructor(
    readonly size: number,
    readonly maxWaiting: number,
  ) {}

  /** As Semaphore.tryEnter, for `key`'s own slots and queue. */
  tryEnter(key: string): Promise<Release> | undefined {
    let gate = this.byKey.get(key);
    if (!gate) {
      gate = new Semaphore(this.size, this.maxWaiting);
      this.byKey.set(key, gate);
    }
    const entered = gate.tryEnter();
    if (!entered) return undefined;
    const owner = gate;
    return entered.then((release) =>
      once(() => {
        release();
        if (owner.load === 0 && this.byKey.get(key) === owner) this.byKey.delete(key);
      }),
    );
  }

  /** Keys with work held or waiting (for tests and metrics). */
  get keys(): number {
    return this.byKey.size;
  }
}

/** Counts work in flight per key and refuses to start more than `max` for one key (no waiting). */
export class KeyedConcurrency {
  private readonly inFlight = new Map<string, number>();

  constructor(readonly max: number) {}

  tryEnter(key: string): boolean {
    const n = this.inFlight.get(key) ?? 0;
    if (n >= this.max) return false;
    this.inFlight.set(key, n + 1);
    return true;
  }

  leave(key: string): void {
    const n = (this.inFlight.get(key) ?? 1) - 1;
    if (n <= 0) this.inFlight.delete(key);
    else this.inFlight.set(key, n);
  }
}
