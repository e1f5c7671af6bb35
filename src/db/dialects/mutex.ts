/**
 * @module db/dialects/mutex
 * A first-come-first-served async mutex, for drivers over a single connection.
 */
export class Mutex {
  #tail: Promise<void> = Promise.resolve();
  #release: (() => void) | undefined;

  /** Wait until every earlier `lock()` has been unlocked, then hold the lock. */
  async lock(): Promise<void> {
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const previous = this.#tail;
    this.#tail = previous.then(() => held);
    await previous;
    this.#release = release;
  }

  /** Let the next waiter in. */
  unlock(): void {
    const release = this.#release;
    this.#release = undefined;
    release?.();
  }
}
