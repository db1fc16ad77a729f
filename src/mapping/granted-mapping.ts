import type { CallOptions } from "../util/deadline.js";
import { leaseTimes, type Mapping, type MappingMethod, type TransportProtocol } from "./port-mapper.js";

/** What a gateway granted, in the terms every protocol shares. */
export interface GrantedFields {
  method: MappingMethod;
  protocol: TransportProtocol;
  externalAddress: string | undefined;
  externalPort: number;
  internalClient: string;
  internalPort: number;
  leaseSeconds: number;
  /** A UPnP IPv6 pinhole's UniqueID. */
  pinholeId?: number | undefined;
}

/** How a mapping is renewed and released: by its mapper, in its protocol. */
export interface MappingActions {
  renew(mapping: Mapping, options?: CallOptions): Promise<Mapping>;
  release(mapping: Mapping, options?: CallOptions): Promise<void>;
}

/** A `Mapping` of any protocol: the fields granted, the lease times, and the mapper's actions. */
export class GrantedMapping implements Mapping {
  readonly method;
  readonly protocol;
  readonly externalAddress;
  readonly externalPort;
  readonly internalClient;
  readonly internalPort;
  readonly leaseSeconds;
  readonly pinholeId;
  readonly grantedAt;
  readonly goodUntil;
  readonly renewAfter;
  readonly #actions: MappingActions;

  constructor(fields: GrantedFields, now: number, actions: MappingActions) {
    this.#actions = actions;
    ({
      method: this.method,
      protocol: this.protocol,
      externalAddress: this.externalAddress,
      externalPort: this.externalPort,
      internalClient: this.internalClient,
      internalPort: this.internalPort,
      leaseSeconds: this.leaseSeconds,
      pinholeId: this.pinholeId,
    } = fields);
    ({ grantedAt: this.grantedAt, goodUntil: this.goodUntil, renewAfter: this.renewAfter } = leaseTimes(now, fields.leaseSeconds));
  }

  renew(options?: CallOptions): Promise<Mapping> {
    return this.#actions.renew(this, options);
  }

  release(options?: CallOptions): Promise<void> {
    return this.#actions.release(this, options);
  }
}
