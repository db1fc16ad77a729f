import { NoExternalAddressError } from "../errors/errors.js";
import { parseHttpUrl } from "../http/http-url.js";
import { GrantedMapping, type MappingActions } from "../mapping/granted-mapping.js";
import type { GatewayEvent, Mapping, MappingCheck, MapRequest, MappingKey, PortMapper } from "../mapping/port-mapper.js";
import { addressScope, isUsableAddressScope } from "../net/address-scope.js";
import { checkCallOptions, checkString } from "../util/check-arguments.js";
import type { CallOptions } from "../util/deadline.js";
import type { WanConnection } from "./gateway/wan-connection.js";
import { RestartDetector } from "./restart-detector.js";
import { checkAnnouncementListenOptions, listenForAnnouncements, type AnnouncementListenOptions } from "./ssdp/announcement-listener.js";

export interface UpnpPortMapperOptions {
  /** Clock of the mappings' lease times, in milliseconds. @default Date.now */
  now?: (() => number) | undefined;
  /**
   * Where `watch()` listens for the gateway's SSDP announcements (`ssdp:alive` with a new
   * BOOTID.UPNP.ORG after a reboot). Omitted, `watch()` hears nothing: it never joins a multicast
   * group on an interface nobody named. @default undefined
   */
  announcements?: AnnouncementListenOptions | undefined;
  /**
   * The LAN host the mappings lead to: UPnP can map a port to another host, which NAT-PMP and PCP
   * cannot (they map for the host that asks). @default our own address toward the gateway
   */
  internalClient?: string | undefined;
}

/**
 * How far a boot time worked out from `NewUptime` may fall after a grant without counting as a
 * restart: the uptime is whole seconds, and the answer takes a moment to come back.
 */
const uptimeToleranceMs = 2000;

/** What the mapper remembers of each mapping it granted: the request (to renew it as asked) and the boot it was made in. */
interface GrantContext {
  request: MapRequest;
  /** The gateway's BOOTID.UPNP.ORG when the mapping was granted, when known. */
  gatewayBootId: number | undefined;
}

/** The one mapping interface (`PortMapper`) over a UPnP WAN connection service. */
export class UpnpPortMapper implements PortMapper {
  readonly method = "upnp";
  readonly #now: () => number;
  readonly #announcements: AnnouncementListenOptions | undefined;
  readonly #internalClient: string | undefined;
  readonly #restarts: RestartDetector;
  /** The external address as last heard from the gateway. */
  #externalAddress: string | undefined;
  readonly #grants = new WeakMap<Mapping, GrantContext>();
  /** AddPortMapping of the same external port again renews it on UPnP; DeletePortMapping releases it. */
  readonly #actions: MappingActions = {
    renew: (mapping, options) => this.map({ ...this.#grants.get(mapping)!.request, externalPort: mapping.externalPort, anyPort: false }, options),
    release: (mapping, options) => this.unmap(mapping, options),
  };

  constructor(
    readonly connection: WanConnection,
    options: UpnpPortMapperOptions = {},
  ) {
    checkAnnouncementListenOptions(options.announcements);
    this.#now = options.now ?? Date.now;
    this.#announcements = options.announcements;
    this.#internalClient = checkString("internalClient", options.internalClient);
    this.#externalAddress = connection.status?.externalAddress;
    this.#restarts = new RestartDetector({
      descriptionUrl: connection.descriptionUrl,
      description: connection.description,
      address: this.gatewayAddress,
      bootId: connection.bootId,
    });
  }

  get gatewayAddress(): string {
    return parseHttpUrl(this.connection.controlUrl).host;
  }

  async map(request: MapRequest, options: CallOptions = {}): Promise<Mapping> {
    // The external address is asked beside the add when the gateway has not told it yet: one round trip, not two.
    const asked = this.#externalAddress === undefined ? this.getExternalAddress(options).catch(() => undefined) : undefined;
    const [granted] = await Promise.all([
      this.connection.addPortMapping({
        internalPort: request.internalPort,
        externalPort: request.externalPort,
        protocol: request.protocol,
        leaseSeconds: request.leaseSeconds,
        description: request.description,
        internalClient: this.#internalClient,
        anyPort: request.anyPort ?? true,
        signal: options.signal,
        timeoutMs: options.timeoutMs,
      }),
      asked,
    ]);
    // Read once the add is done: the address may have been heard anew meanwhile.
    const mapping = new GrantedMapping({ method: "upnp", ...granted, externalAddress: this.#externalAddress }, this.#now(), this.#actions);
    this.#grants.set(mapping, { request, gatewayBootId: this.#restarts.bootId });
    return mapping;
  }

  unmap(key: MappingKey, options?: CallOptions): Promise<void> {
    return this.connection.deletePortMapping({ externalPort: key.externalPort, protocol: key.protocol }, options);
  }

  /**
   * Reads the mapping back (GetSpecificPortMappingEntry) beside GetStatusInfo: gone, or pointing
   * elsewhere, is `missing`. The gateway restarted since the grant when the boot time its
   * `NewUptime` gives is later than the grant, or when it has announced another BOOTID since.
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
    const gatewayRestarted = this.#bootedAfter(mapping, uptime) || this.#bootIdChangedSince(mapping);
    if (entry.status === "rejected") return { state: "unknown", gatewayRestarted };
    const ours = entry.value !== undefined && entry.value.internalClient === mapping.internalClient && entry.value.internalPort === mapping.internalPort;
    return { state: ours ? "present" : "missing", gatewayRestarted };
  }

  #bootedAfter(mapping: Mapping, uptimeSeconds: number | undefined): boolean {
    return uptimeSeconds !== undefined && this.#now() - uptimeSeconds * 1000 > mapping.grantedAt + uptimeToleranceMs;
  }

  #bootIdChangedSince(mapping: Mapping): boolean {
    const then = this.#grants.get(mapping)?.gatewayBootId;
    const now = this.#restarts.bootId;
    return then !== undefined && now !== undefined && then !== now;
  }

  /**
   * Listens for the gateway's SSDP announcements where `announcements` says (UDA 1.1 §1.2) and
   * reports `restarted` when it comes back with another BOOTID.UPNP.ORG, after `ssdp:byebye`, or
   * at another description URL. Resolves at once, hearing nothing, without `announcements`.
   */
  async watch(listener: (event: GatewayEvent) => void, options: { signal: AbortSignal }): Promise<void> {
    if (this.#announcements === undefined) return;
    await listenForAnnouncements(
      this.#announcements,
      (notify, from) => {
        const reason = this.#restarts.observe(notify, from);
        if (reason !== undefined) listener({ type: "restarted", reason });
      },
      options.signal,
    );
  }

  async getExternalAddress(options?: CallOptions): Promise<string> {
    const address = await this.connection.getExternalAddress(options);
    if (usableOrUndefined(address) === undefined) throw new NoExternalAddressError(address);
    this.#externalAddress = address;
    return address;
  }
}

function usableOrUndefined(address: string): string | undefined {
  return address !== "" && isUsableAddressScope(addressScope(address)) ? address : undefined;
}
