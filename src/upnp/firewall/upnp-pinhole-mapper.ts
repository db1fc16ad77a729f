import { isIPv6 } from "node:net";
import { InvalidArgumentError, NoExternalAddressError, UpnpActionError } from "../../errors/errors.js";
import { parseHttpUrl } from "../../http/http-url.js";
import { GrantedMapping, type MappingActions } from "../../mapping/granted-mapping.js";
import type { GatewayEvent, Mapping, MappingCheck, MapRequest, MappingKey, PortMapper, TransportProtocol } from "../../mapping/port-mapper.js";
import { systemHostNetwork, type HostNetwork } from "../../net/host-network.js";
import { interfaceHolding } from "../../net/interface-addresses.js";
import { chooseGlobalIpv6 } from "../../net/ipv6-addresses.js";
import { localAddressToward } from "../../net/local-address.js";
import { checkPort, checkRequiredObject, checkString, checkWholeNumber } from "../../util/check-arguments.js";
import type { CallOptions } from "../../util/deadline.js";
import type { FirewallControlService } from "../description/device-description.js";
import * as firewall from "../igd/firewall-control.js";
import type { ServiceEndpoint } from "../igd/igd-actions.js";
import { normalizeProtocol } from "../igd/igd-client.js";

export interface UpnpPinholeMapperOptions {
  /**
   * Our IPv6 address the pinholes open toward. @default this host's global IPv6 address on the
   * interface toward the gateway: stable before temporary, never link-local or unique-local
   */
  internalAddress?: string | undefined;
  /** Let the default address be a temporary (privacy) one when no stable one exists. @default false */
  allowTemporaryAddress?: boolean | undefined;
  /** Where interfaces and address flags are read. @default the system's */
  hostNetwork?: HostNetwork | undefined;
  /** Clock of the mappings' lease times, in milliseconds. @default Date.now */
  now?: (() => number) | undefined;
}

/** WANIPv6FirewallControl leases run from 1 s to a day; a longer or permanent ask gets a day, renewed. */
const maxPinholeLeaseSeconds = 86400;
/** What a pinhole lease is when the caller names none: the same hour as a port mapping's. */
const defaultPinholeLeaseSeconds = 3600;
/**
 * "No such pinhole": 704 NoSuchEntry is the spec's; miniupnpd 2.3.1 answers 402 for an unknown
 * UniqueID (shared/reference/pmp-pcp.md).
 */
const pinholeGoneCodes: ReadonlySet<number> = new Set([704, 402]);

function pinholeIsGone(error: unknown): boolean {
  return error instanceof UpnpActionError && pinholeGoneCodes.has(error.upnpCode);
}

/**
 * The one mapping interface over a UPnP IGD:2 WANIPv6FirewallControl service: "opening a port"
 * over IPv6 is a firewall pinhole toward one of our own addresses, not a translation.
 */
export class UpnpPinholeMapper implements PortMapper {
  readonly method = "upnp-pinhole";
  readonly #endpoint: ServiceEndpoint;
  readonly #options: UpnpPinholeMapperOptions;
  readonly #now: () => number;
  #internalAddress: string | undefined;
  /** UpdatePinhole renews (a pinhole the firewall forgot is opened again); DeletePinhole releases. */
  readonly #actions: MappingActions = {
    renew: (pinhole, options) => this.#renew(pinhole, options),
    release: (pinhole, options) => firewall.deletePinhole(this.#endpoint, pinhole.pinholeId!, options),
  };

  constructor(
    readonly service: FirewallControlService,
    options: UpnpPinholeMapperOptions = {},
  ) {
    checkRequiredObject("service", service);
    this.#endpoint = { controlUrl: parseHttpUrl(service.controlUrl).href, serviceType: service.serviceType };
    this.#options = options;
    this.#now = options.now ?? Date.now;
    const given = checkString("internalAddress", options.internalAddress);
    if (given !== undefined && !isIPv6(given)) throw new InvalidArgumentError(`internalAddress must be an IPv6 address, got ${JSON.stringify(given)}`);
    this.#internalAddress = given;
  }

  get gatewayAddress(): string {
    return parseHttpUrl(this.#endpoint.controlUrl).host;
  }

  /**
   * Our address the pinholes open toward: the one given, or the best global IPv6 address of the
   * interface our traffic to the gateway leaves from.
   */
  async internalAddress(): Promise<string> {
    if (this.#internalAddress !== undefined) return this.#internalAddress;
    const host = this.#options.hostNetwork ?? systemHostNetwork;
    const local = await localAddressToward(this.gatewayAddress);
    const interfaceName = interfaceHolding(host, local);
    const chosen = interfaceName === undefined ? undefined : chooseGlobalIpv6(host, interfaceName, { allowTemporary: this.#options.allowTemporaryAddress });
    if (chosen === undefined) {
      throw new NoExternalAddressError("", `this host has no global IPv6 address on ${interfaceName ?? "the interface toward the gateway"} for a pinhole to open toward`);
    }
    this.#internalAddress = chosen;
    return chosen;
  }

  /** Whether the firewall is on and lets pinholes be opened (the caller should check before relying on pinholes). */
  getFirewallStatus(options?: CallOptions): Promise<firewall.FirewallStatus> {
    return firewall.getFirewallStatus(this.#endpoint, options);
  }

  async map(request: MapRequest, options?: CallOptions): Promise<Mapping> {
    checkRequiredObject("request", request);
    const internalPort = checkPort("internalPort", request.internalPort);
    if (request.externalPort !== undefined && checkPort("externalPort", request.externalPort) !== internalPort) {
      throw new InvalidArgumentError(`a pinhole opens the internal port itself: externalPort ${request.externalPort} cannot differ from internalPort ${internalPort}`, "port");
    }
    const protocol = normalizeProtocol(checkString("protocol", request.protocol) ?? "");
    const asked = request.leaseSeconds === undefined ? defaultPinholeLeaseSeconds : checkWholeNumber("leaseSeconds", request.leaseSeconds, 0, 0xffffffff, "lease");
    const leaseSeconds = asked === 0 ? maxPinholeLeaseSeconds : Math.min(asked, maxPinholeLeaseSeconds);
    const internalClient = await this.internalAddress();
    const pinholeId = await firewall.addPinhole(this.#endpoint, { remoteHost: "", remotePort: 0, internalClient, internalPort, protocol, leaseSeconds }, options);
    return this.#granted({ protocol, internalClient, internalPort, leaseSeconds, pinholeId });
  }

  /** No translation on IPv6: the internet reaches our own address and port. */
  #granted(pinhole: { protocol: TransportProtocol; internalClient: string; internalPort: number; leaseSeconds: number; pinholeId: number }): Mapping {
    return new GrantedMapping({ method: "upnp-pinhole", ...pinhole, externalAddress: pinhole.internalClient, externalPort: pinhole.internalPort }, this.#now(), this.#actions);
  }

  async #renew(pinhole: Mapping, options?: CallOptions): Promise<Mapping> {
    try {
      await firewall.updatePinhole(this.#endpoint, pinhole.pinholeId!, pinhole.leaseSeconds, options);
    } catch (error) {
      if (!pinholeIsGone(error)) throw error;
      return this.map({ protocol: pinhole.protocol, internalPort: pinhole.internalPort, leaseSeconds: pinhole.leaseSeconds }, options);
    }
    return this.#granted({ ...pinhole, pinholeId: pinhole.pinholeId! });
  }

  /**
   * Removes the pinhole for this port by its parameters, as a later process must (only the
   * UniqueID names a pinhole, and no action lists them): AddPinhole of the same pinhole returns
   * the existing UniqueID on miniupnpd (shared/reference/pmp-pcp.md), which is then deleted. On
   * a firewall that opens a second pinhole instead, only that one goes; the first runs out with
   * its lease.
   */
  async unmap(key: MappingKey, options?: CallOptions): Promise<void> {
    const internalPort = checkPort("internalPort", key.internalPort);
    const protocol = normalizeProtocol(checkString("protocol", key.protocol) ?? "");
    const internalClient = await this.internalAddress();
    const pinholeId = await firewall.addPinhole(this.#endpoint, { remoteHost: "", remotePort: 0, internalClient, internalPort, protocol, leaseSeconds: 1 }, options);
    await firewall.deletePinhole(this.#endpoint, pinholeId, options);
  }

  /** For a pinhole, the address the internet reaches is our own global IPv6 address. */
  getExternalAddress(_options?: CallOptions): Promise<string> {
    return this.internalAddress();
  }

  /** GetPinholePackets answers for a pinhole the firewall still has; "no such entry" means it is gone. */
  async check(mapping: Mapping, options?: CallOptions): Promise<MappingCheck> {
    if (mapping.pinholeId === undefined) return { state: "unknown", gatewayRestarted: false };
    try {
      await firewall.getPinholePackets(this.#endpoint, mapping.pinholeId, options);
      return { state: "present", gatewayRestarted: false };
    } catch (error) {
      options?.signal?.throwIfAborted();
      return { state: pinholeIsGone(error) ? "missing" : "unknown", gatewayRestarted: false };
    }
  }

  /** The firewall announces nothing of its own; restarts are heard by the IGD's SSDP watcher. */
  async watch(_listener: (event: GatewayEvent) => void, _options: { signal: AbortSignal }): Promise<void> {}
}
