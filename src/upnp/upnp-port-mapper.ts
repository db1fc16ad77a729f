import { NoExternalAddressError } from "../errors/errors.js";
import { parseHttpUrl } from "../http/http-url.js";
import { leaseTimes, type GatewayEvent, type Mapping, type MappingCheck, type MapRequest, type MappingKey, type PortMapper } from "../mapping/port-mapper.js";
import { addressScope } from "../net/address-scope.js";
import { checkCallOptions } from "../util/check-arguments.js";
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
  /** The last uptime the gateway reported: one lower than it means the gateway restarted. */
  #lastUptimeSeconds: number | undefined;

  constructor(
    readonly connection: WanConnection,
    options: UpnpPortMapperOptions = {},
  ) {
    this.#now = options.now ?? Date.now;
    this.#lastUptimeSeconds = connection.status?.uptimeSeconds;
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

  /**
   * Reads the mapping back (GetSpecificPortMappingEntry) beside GetStatusInfo: gone, or pointing
   * elsewhere, is `missing`; an uptime lower than the last one seen means the router restarted.
   */
  async check(mapping: Mapping, options?: CallOptions): Promise<MappingCheck> {
    // Checked here: the two questions below settle together, so their own checks would only make "unknown".
    checkCallOptions(options);
    const [entry, status] = await Promise.allSettled([
      this.connection.getPortMapping(mapping.externalPort, mapping.protocol, options),
      this.connection.getStatusInfo(options),
    ]);
    options?.signal?.throwIfAborted();
    const uptime = status.status === "fulfilled" ? status.value.uptimeSeconds : undefined;
    const gatewayRestarted = uptime !== undefined && this.#lastUptimeSeconds !== undefined && uptime < this.#lastUptimeSeconds;
    if (uptime !== undefined) this.#lastUptimeSeconds = uptime;
    if (entry.status === "rejected") return { state: "unknown", gatewayRestarted };
    const ours = entry.value !== undefined && entry.value.internalClient === mapping.internalClient && entry.value.internalPort === mapping.internalPort;
    return { state: ours ? "present" : "missing", gatewayRestarted };
  }

  /** Nothing yet: UPnP gateways announce restarts with SSDP NOTIFY, which this mapper does not listen for. */
  async watch(_listener: (event: GatewayEvent) => void, _options: { signal: AbortSignal }): Promise<void> {}

  async getExternalAddress(options?: CallOptions): Promise<string> {
    const address = await this.connection.getExternalAddress(options);
    if (usableOrUndefined(address) === undefined) throw new NoExternalAddressError(address);
    return address;
  }
}

function usableOrUndefined(address: string): string | undefined {
  return address !== "" && isUsableAddressScope(addressScope(address)) ? address : undefined;
}
