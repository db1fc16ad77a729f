/**
 * Entries leased on the gateway's clock, as the port mapping and pinhole tables hold them.
 * Expired entries are dropped on every read, so a fake clock needs no timer to take effect.
 */
export class LeaseTable<Entry extends { readonly expiresAt: number | undefined }> {
  /** In the order they were first added. */
  protected held: Entry[] = [];
  readonly #now: () => number;

  constructor(now: () => number) {
    this.#now = now;
  }

  /** Entries in the order they were first added, expired leases dropped. */
  entries(): readonly Entry[] {
    this.removeExpired();
    return this.held;
  }

  get size(): number {
    return this.entries().length;
  }

  clear(): void {
    this.held = [];
  }

  removeExpired(): void {
    const now = this.#now();
    if (this.held.some((entry) => entry.expiresAt !== undefined && entry.expiresAt <= now)) {
      this.held = this.held.filter((entry) => entry.expiresAt === undefined || entry.expiresAt > now);
    }
  }

  /** Seconds left on the lease, rounded up; 0 for a permanent one. */
  remainingLease(entry: Entry): number {
    if (entry.expiresAt === undefined) return 0;
    return Math.max(1, Math.ceil((entry.expiresAt - this.#now()) / 1000));
  }

  /** Expiry time for a lease granted now; a lease of 0 is permanent. */
  expiryFor(leaseSeconds: number): number | undefined {
    return leaseSeconds === 0 ? undefined : this.#now() + leaseSeconds * 1000;
  }
}
