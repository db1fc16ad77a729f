/** Events in arrival order, each awaited by `next()`: tests wait for what a watcher reports. */
export class EventQueue<T> {
  readonly #arrived: T[] = [];
  readonly #waiting: Array<(event: T) => void> = [];

  readonly push = (event: T): void => {
    const waiter = this.#waiting.shift();
    if (waiter === undefined) this.#arrived.push(event);
    else waiter(event);
  };

  next(): Promise<T> {
    const event = this.#arrived.shift();
    return event === undefined ? new Promise((resolve) => this.#waiting.push(resolve)) : Promise.resolve(event);
  }

  /** Events that arrived and were not taken yet. */
  get pending(): readonly T[] {
    return this.#arrived;
  }
}
