import type { HostNetwork } from "../../net/host-network.js";
import { IGD_SEARCH_TARGETS, type SsdpResponse } from "./ssdp-message.js";

/**
 * A search reply and where it came from. Its `location` passed the LOCATION check (see
 * `allowForeignLocations`); an IPv6 link-local host in it carries the zone of the interface the
 * reply came in on when the device left it out.
 */
export interface SsdpReply extends SsdpResponse {
  /** Source address of the reply datagram (not necessarily the host in LOCATION, tailscale#5502). */
  address: string;
  /** Source port of the reply; routers often answer from an ephemeral port (tailscale#6833). */
  port: number;
  family: 4 | 6;
}

/** An address to send a unicast M-SEARCH to (UDA 1.1 §1.3.2), typically the default gateway. */
export interface SsdpUnicastTarget {
  /** An IPv4 or IPv6 literal; an IPv6 link-local one may carry a zone (`fe80::1%eth0`). */
  address: string;
  /** @default 1900 */
  port?: number;
}

interface TraceEndpoint {
  family: 4 | 6;
  /** The remote address: where a datagram was sent to, or came from. */
  address: string;
  port: number;
}

/** What `onTrace` is told, for a verbose log of the search. */
export type SsdpTraceEvent =
  | (TraceEndpoint & { type: "sent"; searchTarget: string; attempt: number; text: string })
  | (TraceEndpoint & { type: "send-failed"; searchTarget: string; attempt: number; error: unknown })
  | (TraceEndpoint & { type: "received"; reply: SsdpReply })
  | (TraceEndpoint & { type: "duplicate"; reply: SsdpReply })
  | (TraceEndpoint & { type: "ignored"; reason: "too large" | "not a search reply"; bytes: number; text: string })
  /** A search reply whose LOCATION is not followed (see `allowForeignLocations`); `reason` says why. */
  | (TraceEndpoint & { type: "location-refused"; reply: SsdpReply; reason: string });

export interface SsdpSearchOptions {
  /** Ends the search: the iteration rejects with `signal.reason`. */
  signal?: AbortSignal | undefined;
  /**
   * How long to listen for replies, in milliseconds, counted from the first M-SEARCH. When it
   * passes the iterable simply ends; that is not an error.
   * @default 2000
   */
  listenMs?: number | undefined;
  /** The `ST` values to search for, each in its own M-SEARCH. @default IGD_SEARCH_TARGETS */
  searchTargets?: readonly string[] | undefined;
  /**
   * Search over IPv6 instead of IPv4: the multicast M-SEARCH goes to FF05::C, then FF02::C.
   * Unicast targets are searched over their own family either way.
   * @default false
   */
  ipv6?: boolean | undefined;
  /**
   * Interface the multicast M-SEARCH leaves from: an IPv4 address or an interface name (for IPv6
   * the interface name, i.e. the zone). `""` keeps the OS default. Multi-homed hosts need it:
   * multicast leaves from one interface only (goupnp#33).
   * @default ""
   */
  multicastInterface?: string | undefined;
  /**
   * Local port to search from, as the engine's `discover_local_port`: 0 lets the OS pick one,
   * 1 means 1900, any other value is that port. 1900 is often held by the OS SSDP service, hence
   * the ephemeral default (node-ssdp#31).
   * @default 0
   */
  localPort?: number | undefined;
  /** Multicast TTL / hop limit; UDA 1.1 recommends 2. @default 2 */
  ttl?: number | undefined;
  /**
   * The `MX` header, in seconds (1 to 120). Routers answer long before it anyway (miniupnpd:
   * ~60 ms), and the iterable does not wait for it: `listenMs` alone decides how long to listen.
   * @default 1
   */
  mx?: number | undefined;
  /**
   * How many times, in total, each M-SEARCH is sent, because UDP is lossy (UDA 1.1 §1.3.2). Sends
   * are 0, 250, 750, 1750 ms ... after the start; a search target that got a reply is not resent.
   * From 1 to 10.
   * @default 3
   */
  retransmits?: number | undefined;
  /** Send the M-SEARCH to the SSDP multicast group. @default true */
  multicast?: boolean | undefined;
  /**
   * Also send a unicast M-SEARCH to each of these: some gateways answer only one kind of search
   * and host firewalls may drop multicast replies (tailscale#3197).
   * @default []
   */
  unicastTargets?: readonly SsdpUnicastTarget[] | undefined;
  /**
   * With an IPv4 multicast search, also send a unicast M-SEARCH to the default gateway (Linux):
   * some routers answer only unicast searches, and host firewalls may drop multicast replies
   * (tailscale#3197). Ignored when `multicast` is off, so searches aimed at chosen targets stay there.
   * @default true
   */
  unicastToDefaultGateway?: boolean | undefined;
  /** Stop after this many distinct replies, so a flood cannot grow without bound. @default 256 */
  maxReplies?: number | undefined;
  /**
   * Follow any `http:` LOCATION. By default a reply is only handed out when its LOCATION host is
   * the address the reply came from or an address on a network of the interface it came in on, so
   * that anyone on the LAN answering the search cannot send porthole to `127.0.0.1`, to another
   * network or to another scheme; other replies are reported to `onTrace` as `location-refused`.
   * @default false
   */
  allowForeignLocations?: boolean | undefined;
  /**
   * Called for every datagram sent, received or ignored, for a verbose trace. Must not throw; an
   * exception from it is ignored so that it cannot break the search.
   */
  onTrace?: ((event: SsdpTraceEvent) => void) | undefined;
  /**
   * Where the default gateway and the local networks (for the LOCATION check) are read from.
   * Tests pass a host of their own. @default the system's (`/proc/net/route`, `os.networkInterfaces()`)
   */
  hostNetwork?: HostNetwork | undefined;
}

/** The defaults of `SsdpSearchOptions`. */
export const ssdpSearchDefaults = Object.freeze({
  listenMs: 2000,
  searchTargets: IGD_SEARCH_TARGETS,
  ipv6: false,
  multicastInterface: "",
  localPort: 0,
  ttl: 2,
  mx: 1,
  retransmits: 3,
  multicast: true,
  maxReplies: 256,
  allowForeignLocations: false,
});

