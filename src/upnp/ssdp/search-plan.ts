import { isIP } from "node:net";
import { InvalidArgumentError } from "../../errors/errors.js";
import { hostHeader } from "../../http/http-url.js";
import { defaultGatewayIPv4 } from "../../net/default-gateway.js";
import { localNetworks, systemHostNetwork, type HostNetwork, type InterfaceTable, type LocalNetwork } from "../../net/host-network.js";
import { checkOptionsObject, checkRequiredObject, checkSignal, checkTimeoutMs, checkWholeNumber } from "../../util/check-arguments.js";
import {
  SSDP_IPV4_MULTICAST,
  SSDP_IPV6_LINK_LOCAL_MULTICAST,
  SSDP_IPV6_SITE_LOCAL_MULTICAST,
  SSDP_PORT,
  buildMSearch,
} from "./ssdp-message.js";
import { ssdpSearchDefaults, type SsdpSearchOptions, type SsdpTraceEvent, type SsdpUnicastTarget } from "./ssdp-search-options.js";

/** Where an M-SEARCH goes. */
export interface Destination {
  family: 4 | 6;
  address: string;
  port: number;
}

/** One M-SEARCH datagram, ready to send (and resend). */
export interface PlannedSend extends Destination {
  searchTarget: string;
  message: Buffer;
}

/** The options checked and turned into what the search does. */
export interface SearchPlan {
  listenMs: number;
  retransmits: number;
  maxReplies: number;
  allowForeignLocations: boolean;
  /** Prefixes of the local interfaces, read once, for the LOCATION check. */
  localNetworks: readonly LocalNetwork[];
  /** The host's interfaces, where a multicast interface given by name is looked up. */
  interfaces: () => InterfaceTable;
  /** The port to bind, after mapping the engine's 1 to 1900. */
  bindPort: number;
  ttl: number;
  multicast: boolean;
  multicastInterface: string;
  families: ReadonlySet<4 | 6>;
  sends: readonly PlannedSend[];
  signal: AbortSignal | undefined;
  onTrace: ((event: SsdpTraceEvent) => void) | undefined;
}

const wholeNumber = checkWholeNumber;

function unicastTargets(targets: unknown): SsdpUnicastTarget[] {
  if (targets === undefined) return [];
  if (!Array.isArray(targets)) throw new InvalidArgumentError(`unicastTargets must be an array of { address, port? }, got ${JSON.stringify(targets)}`);
  return targets.map((target) => checkRequiredObject("unicast SSDP target", target as SsdpUnicastTarget));
}

function unicastDestination(target: SsdpUnicastTarget): Destination {
  const family = typeof target.address === "string" ? isIP(target.address) : 0;
  if (family === 0) {
    throw new InvalidArgumentError(`unicast SSDP target must be an IP address, got ${JSON.stringify(target.address)}`);
  }
  const port = wholeNumber("unicast SSDP target port", target.port ?? SSDP_PORT, 1, 65535);
  return { family: family === 6 ? 6 : 4, address: target.address, port };
}

function multicastDestinations(ipv6: boolean): Destination[] {
  if (!ipv6) return [{ family: 4, address: SSDP_IPV4_MULTICAST, port: SSDP_PORT }];
  return [SSDP_IPV6_SITE_LOCAL_MULTICAST, SSDP_IPV6_LINK_LOCAL_MULTICAST].map((address) => ({
    family: 6,
    address,
    port: SSDP_PORT,
  }));
}

/** Checks the options (throwing `InvalidArgumentError`) and builds every M-SEARCH up front. */
export function planSearch(options: SsdpSearchOptions, host: HostNetwork = options.hostNetwork ?? systemHostNetwork): SearchPlan {
  checkOptionsObject("options", options);
  checkSignal("signal", options.signal);
  const defaults = ssdpSearchDefaults;
  const multicast = options.multicast ?? defaults.multicast;
  const ipv6 = options.ipv6 ?? defaults.ipv6;
  const defaultGateway =
    multicast && !ipv6 && (options.unicastToDefaultGateway ?? true) ? defaultGatewayIPv4(host, options.multicastInterface || undefined) : undefined;
  const destinations = [
    ...(multicast ? multicastDestinations(ipv6) : []),
    ...unicastTargets(options.unicastTargets).map(unicastDestination),
    ...(defaultGateway === undefined ? [] : [unicastDestination({ address: defaultGateway })]),
  ];
  if (destinations.length === 0) {
    throw new InvalidArgumentError("nothing to search: multicast is off and there are no unicastTargets");
  }
  const searchTargets = options.searchTargets ?? defaults.searchTargets;
  if (searchTargets.length === 0) throw new InvalidArgumentError("searchTargets is empty");
  const listenMs = checkTimeoutMs("listenMs", options.listenMs) ?? defaults.listenMs;
  // UDA 1.0 allows MX up to 120; later versions cap it at 5 on the device side.
  const mx = wholeNumber("mx", options.mx ?? defaults.mx, 1, 120);
  const sends = searchTargets.flatMap((searchTarget) =>
    destinations.map((destination) => ({
      ...destination,
      searchTarget,
      message: Buffer.from(buildMSearch({ searchTarget, mx, host: hostHeader(destination.address, destination.port) })),
    })),
  );
  const localPort = wholeNumber("localPort", options.localPort ?? defaults.localPort, 0, 65535);
  return {
    listenMs,
    retransmits: wholeNumber("retransmits", options.retransmits ?? defaults.retransmits, 1, 10),
    maxReplies: wholeNumber("maxReplies", options.maxReplies ?? defaults.maxReplies, 1, Number.MAX_SAFE_INTEGER),
    allowForeignLocations: options.allowForeignLocations ?? defaults.allowForeignLocations,
    localNetworks: localNetworks(host),
    interfaces: () => host.interfaces(),
    bindPort: localPort === 1 ? SSDP_PORT : localPort,
    ttl: wholeNumber("ttl", options.ttl ?? defaults.ttl, 0, 255),
    multicast,
    multicastInterface: options.multicastInterface ?? defaults.multicastInterface,
    families: new Set(destinations.map((destination) => destination.family)),
    sends,
    signal: options.signal,
    onTrace: options.onTrace,
  };
}
