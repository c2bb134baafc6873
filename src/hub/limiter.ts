export interface Limits {
  /** Requests let at the store at once. */
  slots: number;
  /** Requests that may wait for a slot; one more is refused at once. */
  queue: number;
  /** How long one may wait before it is refused. */
  waitMs: number;
}

/**
 * A counting semaphore with a short, bounded queue: past it, a caller is told "no" at once rather
 * than piling up until every request is too late to be of use.
 */
export class Limiter {
  private busy = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly limits: Limits) {}

  /** True with a slot held (give it back with `release`), false when saturated. */
  acquire(): Promise<boolean> {
    if (this.busy < this.limits.slots) {
      this.busy++;
      return Promise.resolve(true);
    }
    if (this.waiting.length >= this.limits.queue) return Promise.resolve(false);
    return new Promise((resolve) => {
      const grant = () => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.waiting.splice(this.waiting.indexOf(grant), 1);
        resolve(false);
      }, this.limits.waitMs);
      this.waiting.push(grant);
    });
  }

  release(): void {
    // A freed slot passes straight to the longest waiter, so `busy` stays as it is.
    const next = this.waiting.shift();
    if (next) next();
    else this.busy--;
  }
}
