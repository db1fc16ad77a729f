import type { EpochWatch } from "./epoch-watch.js";

/**
 * Which losses of state each mapping has already been told about, so that `check()` reports a
 * gateway restart once per mapping, whichever call noticed it (a reply to another request, an
 * announcement heard by `watch()`).
 */
export class RestartLedger {
  readonly #seen = new WeakMap<object, number>();

  constructor(private readonly epoch: EpochWatch) {}

  /** Records a mapping just granted: losses seen until now (including by its own reply) do not concern it. */
  granted(mapping: object): void {
    this.#seen.set(mapping, this.epoch.losses);
  }

  /**
   * True when the gateway lost its state since `mapping` was granted or last asked about, and
   * marks it told. A mapping this ledger never saw counts from `lossesBefore`.
   */
  restartedSince(mapping: object, lossesBefore: number): boolean {
    const seen = this.#seen.get(mapping) ?? lossesBefore;
    this.#seen.set(mapping, this.epoch.losses);
    return this.epoch.losses > seen;
  }
}
