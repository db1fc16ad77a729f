/**
 * NAT-PMP and PCP gateways send their "epoch" (seconds since their mapping table started) in every
 * reply and announcement; a value lower than the time passed says the gateway lost its mappings
 * (rebooted, or its external address changed), and each must then be made again (RFC 6886 §3.6,
 * RFC 6887 §8.5). Each protocol has its own rule for "lower than expected".
 */

/** One epoch as the gateway sent it, with our clock's time of arrival. */
export interface EpochSample {
  /** The gateway's epoch, in seconds. */
  serverSeconds: number;
  /** When it arrived, in milliseconds on our clock. */
  clientMs: number;
}

/** True when `current` shows that the gateway lost its state since `previous`. */
export type EpochRule = (previous: EpochSample, current: EpochSample) => boolean;

/** The epochs one gateway sent, in order, and how often they showed a loss of state. */
export class EpochWatch {
  #last: EpochSample | undefined;
  #losses = 0;

  constructor(
    private readonly rule: EpochRule,
    private readonly now: () => number,
  ) {}

  /** Records an epoch just received; true when it shows a loss of state since the previous one. */
  observe(serverSeconds: number): boolean {
    const current = { serverSeconds, clientMs: this.now() };
    const lost = this.#last !== undefined && this.rule(this.#last, current);
    this.#last = current;
    if (lost) this.#losses++;
    return lost;
  }

  /** How many losses of state were seen so far: a mapping granted when it was lower is gone. */
  get losses(): number {
    return this.#losses;
  }

  /** True once any epoch was received. */
  get started(): boolean {
    return this.#last !== undefined;
  }
}
