/**
 * A value recomputed in the background once it is `refreshAfterMs` old and
 * never served once it is `maxAgeMs` old: readers under load never wait for a
 * rebuild, and nothing shown is older than `maxAgeMs` (the status page says
 * when it was rendered). Runtime-independent: no timers, driven by reads.
 */
export interface Stamped<T> {
  value: T;
  /** Clock time the value was computed for. */
  at: number;
}

export class Refreshing<T> {
  private entry?: Stamped<T>;
  private inflight?: Promise<Stamped<T>>;
  private scheduled = false;

  constructor(
    private readonly compute: (now: number) => Promise<T>,
    private readonly now: () => number,
    private readonly maxAgeMs: number,
    /** Late, so refreshes are rare, but early enough to finish before maxAgeMs. */
    private readonly refreshAfterMs = Math.max(maxAgeMs / 2, maxAgeMs - 1_000),
  ) {}

  /** The current value if it may still be served; starts a background refresh when due. */
  peek(): Stamped<T> | undefined {
    const entry = this.entry;
    // maxAgeMs 0 means: never reuse (tests read their own writes at once, even on a frozen clock).
    if (!entry || this.maxAgeMs <= 0) return undefined;
    const age = this.now() - entry.at;
    if (age > this.maxAgeMs || age < 0) return undefined;
    if (age > this.refreshAfterMs && !this.inflight && !this.scheduled) {
      // After this response: a synchronous driver (better-sqlite3) would otherwise
      // run the whole refresh inside the request that happened to notice it was due.
      this.scheduled = true;
      setTimeout(() => {
        this.scheduled = false;
        void this.refresh().catch(() => undefined);
      }, 0);
    }
    return entry;
  }

  async get(): Promise<Stamped<T>> {
    return this.peek() ?? (await this.refresh());
  }

  /** Drops the value (config reload): the next read computes afresh. */
  invalidate(): void {
    this.entry = undefined;
  }

  private refresh(): Promise<Stamped<T>> {
    if (this.inflight) return this.inflight;
    const at = this.now();
    const run = this.compute(at).then(
      (value) => {
        this.inflight = undefined;
        // A slower, older computation never replaces a newer one.
        if (!this.entry || this.entry.at <= at) this.entry = { value, at };
        return this.entry;
      },
      (error: unknown) => {
        this.inflight = undefined;
        throw error;
      },
    );
    this.inflight = run;
    return run;
  }
}
