import { NoExternalAddressError } from "../errors/errors.js";
import { parseHttpUrl } from "../http/http-url.js";
import { leaseTimes, type Mapping, type MapRequest, type MappingKey, type PortMapper } from "../mapping/port-mapper.js";
import { addressScope } from "../net/address-scope.js";
import type { CallOptions } from "../util/deadline.js";
import type { PortMapping } from "./gateway/add-port-mapping.js";
import { isUsableAddressScope } from "./gateway/connection-status.js";
import type { WanConnection } from "./gateway/wan-connection.js";

export interface UpnpPortMapperOptions {
  /** Clock of the mappings' lease times, in milliseconds. @default Date.now */
  now?: (() => number) | undefined;
}

/** A mapping made over UPnP IGD on one WAN connection service. */
class UpnpMapping implements Mapping {
  readonly method = "upnp";
  readonly protocol;
  readonly externalPort;
  readonly internalClient;
  readonly internalPort;
  readonly leaseSeconds;
  readonly grantedAt;
  readonly goodUntil;
  readonly renewAfter;

  constructor(
    private readonly mapper: UpnpPortMapper,
    granted: PortMapping,
    readonly externalAddress: string | undefined,
    private readonly request: MapRequest,
    now: number,
  ) {
    this.protocol = granted.protocol;
    this.externalPort = granted.externalPort;
    this.internalClient = granted.internalClient;
    this.internalPort = granted.internalPort;
    this.leaseSeconds = granted.leaseSeconds;
    ({ grantedAt: this.grantedAt, goodUntil: this.goodUntil, renewAfter: this.renewAfter } = leaseTimes(now, granted.leaseSeconds));
  }

  /** AddPortMapping of the same external port again: on UPnP that renews the lease. */
  renew(options?: CallOptions): Promise<Mapping> {
    return this.mapper.map({ ...this.request, externalPort: this.externalPort, anyPort: false }, options);
  }

  release(options?: CallOptions): Promise<void> {
    return this.mapper.unmap(this, options);
  }
}

/** The one mapping interface (`PortMapper`) over a UPnP WAN connection service. */
export class UpnpPortMapper implements PortMapper {
  readonly method = "upnp";
  readonly #now: () => number;

  constructor(
    readonly connection: WanConnection,
    options: UpnpPortMapperOptions = {},
  ) {
    this.#now = options.now ?? Date.now;
  }

  get gatewayAddress(): string {
    return parseHttpUrl(this.connection.controlUrl).host;
  }

  async map(request: MapRequest, options: CallOptions = {}): Promise<Mapping> {
    const known = this.connection.status?.externalAddress;
    // The external address is asked beside the add when discovery did not learn it: one round trip, not two.
    const [granted, externalAddress] = await Promise.all([
      this.connection.addPortMapping({
        internalPort: request.internalPort,
        externalPort: request.externalPort,
        protocol: request.protocol,
        leaseSeconds: request.leaseSeconds,
        description: request.description,
        anyPort: request.anyPort ?? true,
        signal: options.signal,
        timeoutMs: options.timeoutMs,
      }),
      known !== undefined ? known : this.connection.getExternalAddress(options).then(usableOrUndefined, () => undefined),
    ]);
    return new UpnpMapping(this, granted, externalAddress, request, this.#now());
  }

  unmap(key: MappingKey, options?: CallOptions): Promise<void> {
    return this.connection.deletePortMapping({ externalPort: key.externalPort, protocol: key.protocol }, options);
  }

  async getExternalAddress(options?: CallOptions): Promise<string> {
    const address = await this.connection.getExternalAddress(options);
    if (usableOrUndefined(address) === undefined) throw new NoExternalAddressError(address);
    return address;
  }
}

function usableOrUndefined(address: string): string | undefined {
  return address !== "" && isUsableAddressScope(addressScope(address)) ? address : undefined;
}
