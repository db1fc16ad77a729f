import type { TransportProtocol } from "../mapping/port-mapper.js";

/** One entry of the virtual gateway's port mapping table. */
export interface MappingTableEntry {
  /** Remote host the mapping is limited to; "" means any. */
  readonly remoteHost: string;
  readonly externalPort: number;
  readonly protocol: TransportProtocol;
  readonly internalPort: number;
  readonly internalClient: string;
  readonly enabled: boolean;
  readonly description: string;
  /** Lease granted, in seconds; 0 means permanent. */
  readonly leaseSeconds: number;
  /** When the lease runs out, in milliseconds on the gateway's clock; undefined when permanent. */
  readonly expiresAt: number | undefined;
}

/**
 * The mapping table, keyed on external port and protocol (like miniupnpd, the remote host is
 * stored but not part of the key). Expired entries are dropped on every read, so a fake clock
 * needs no timer to take effect.
 */
export class PortMappingTable {
  #entries: MappingTableEntry[] = [];
  readonly #now: () => number;

  constructor(now: () => number) {
    this.#now = now;
  }

  /** Entries in the order they were first added; GetGenericPortMappingEntry indexes this. */
  entries(): readonly MappingTableEntry[] {
    this.removeExpired();
    return this.#entries;
  }

  get size(): number {
    return this.entries().length;
  }

  find(externalPort: number, protocol: TransportProtocol): MappingTableEntry | undefined {
    return this.entries().find((entry) => entry.externalPort === externalPort && entry.protocol === protocol);
  }

  /** Adds the mapping, or replaces the one with the same key where it stands. */
  put(mapping: MappingTableEntry): void {
    const index = this.entries().findIndex(
      (entry) => entry.externalPort === mapping.externalPort && entry.protocol === mapping.protocol,
    );
    if (index === -1) this.#entries.push(mapping);
    else this.#entries[index] = mapping;
  }

  delete(externalPort: number, protocol: TransportProtocol): boolean {
    const before = this.entries().length;
    this.#entries = this.#entries.filter((entry) => !(entry.externalPort === externalPort && entry.protocol === protocol));
    return this.#entries.length < before;
  }

  clear(): void {
    this.#entries = [];
  }

  removeExpired(): void {
    const now = this.#now();
    if (this.#entries.some((entry) => entry.expiresAt !== undefined && entry.expiresAt <= now)) {
      this.#entries = this.#entries.filter((entry) => entry.expiresAt === undefined || entry.expiresAt > now);
    }
  }

  /** Seconds left on the lease, as GetSpecificPortMappingEntry reports it; 0 for a permanent one. */
  remainingLease(mapping: MappingTableEntry): number {
    if (mapping.expiresAt === undefined) return 0;
    return Math.max(1, Math.ceil((mapping.expiresAt - this.#now()) / 1000));
  }

  /** Expiry time for a lease granted now. */
  expiryFor(leaseSeconds: number): number | undefined {
    return leaseSeconds === 0 ? undefined : this.#now() + leaseSeconds * 1000;
  }
}
