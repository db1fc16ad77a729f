import { randomUUID } from "node:crypto";
import { isIP, isIPv4 } from "node:net";
import { InvalidArgumentError } from "../errors/errors.js";
import { activityNotifier, type VirtualGatewayActivity } from "./gateway-activity.js";
import { combineProfiles, type GatewayProtocols, type QuirkProfileName } from "./quirk-profiles.js";
import type { GatewayQuirks } from "./quirks.js";

/** What a virtual gateway reports from GetStatusInfo. */
export type ConnectionStatus = "Connected" | "Disconnected" | "Connecting" | "PendingDisconnect" | "Disconnecting" | "Unconfigured";

/** Where a gateway sends something on its own (announcements). */
export interface GatewayEndpoint {
  readonly address: string;
  readonly port: number;
}

/** Options of {@link startVirtualGateway}. */
export interface VirtualGatewayOptions {
  /** Address the HTTP server, the SSDP responder and the NAT-PMP/PCP server bind to; `"::1"` works too. @default "127.0.0.1" */
  address?: string;
  /** Answer UPnP: SSDP, descriptions and SOAP control. Off, no SSDP or HTTP socket is opened. @default true, unless a profile turns it off */
  upnp?: boolean;
  /** Answer NAT-PMP (RFC 6886) on the NAT-PMP/PCP port; IPv4 only, as the protocol. @default true, unless a profile turns it off */
  natPmp?: boolean;
  /** Answer PCP (RFC 6887) on the NAT-PMP/PCP port. @default true, unless a profile turns it off */
  pcp?: boolean;
  /**
   * UDP port of the NAT-PMP and PCP server, one socket for both as on miniupnpd (5351 on a real
   * gateway: RFC 6886 §3.1, RFC 6887 §19.1); 0 picks a free one.
   * @default 0
   */
  portControlPort?: number;
  /**
   * Where NAT-PMP address announcements and PCP ANNOUNCEs go, sent from the NAT-PMP/PCP port when
   * the gateway starts, after `reboot()` and after `setExternalAddress()`. A real gateway sends them
   * to 224.0.0.1:5350 (RFC 6886 §3.2.1, RFC 6887 §14.1.1); give loopback addresses, or the group
   * only inside a network namespace (it goes out of the interface of `multicastInterface`, else of `address`).
   * @default [] (announce nowhere)
   */
  portControlAnnounceTo?: readonly GatewayEndpoint[];
  /** TCP port of the description and control server; 0 picks a free one. @default 0 */
  httpPort?: number;
  /**
   * UDP port the SSDP responder answers unicast M-SEARCH on; 0 picks a free one. Tests send their
   * M-SEARCH to `address:ssdpPort`, never to the multicast group.
   * @default 0
   */
  ssdpPort?: number;
  /**
   * Also join 239.255.255.250:1900 on the interface with this IPv4 address, for use inside network
   * namespaces. Never set this on a machine's real interfaces.
   * @default undefined (no multicast)
   */
  multicastInterface?: string;
  /**
   * Where to send the NOTIFY announcements a real gateway multicasts: `ssdp:alive` when it starts
   * and after `reboot()`, `ssdp:byebye` on `close()`. Loopback (or a test's own namespace)
   * addresses only. With `multicastInterface` they also go to the SSDP group on it.
   * @default [] (announce nowhere)
   */
  announceTo?: ReadonlyArray<{ readonly address: string; readonly port: number }>;
  /**
   * The device's UUID, the stable part of its UDNs and USNs; give the one of an earlier gateway to
   * play the same router coming back (after a restart, on another HTTP port).
   * @default a random UUID
   */
  uuid?: string;
  /** `BOOTID.UPNP.ORG` of the first boot; `reboot()` adds 1. @default 1 */
  bootId?: number;
  /** 2: InternetGatewayDevice:2 with WANIPConnection:2; 1: InternetGatewayDevice:1 with WANIPConnection:1. @default 2 */
  igdVersion?: 1 | 2;
  /** `"ppp"` offers WANPPPConnection:1 instead of WANIPConnection. @default "ip" */
  connection?: "ip" | "ppp";
  /**
   * Address GetExternalIPAddress reports. The default is from the RFC 5737 documentation range
   * (porthole's `addressScope` calls it "reserved"); set a private or 100.64/10 address to
   * simulate double NAT.
   * @default "203.0.113.7"
   */
  externalAddress?: string;
  /** Status GetStatusInfo reports. @default "Connected" */
  connectionStatus?: ConnectionStatus;
  /**
   * Whether the IPv6 firewall is on (GetFirewallStatus' `FirewallEnabled`). Off, every
   * WANIPv6FirewallControl action but GetFirewallStatus answers 702 FirewallDisabled, as
   * miniupnpd's `ipv6_disable` flag makes it; PCP still opens pinholes, as miniupnpd's does.
   * @default true
   */
  firewallEnabled?: boolean;
  /**
   * Whether the router's settings let pinholes be opened (GetFirewallStatus'
   * `InboundPinholeAllowed`). Not allowed, AddPinhole and the actions on a pinhole answer 703
   * InboundPinholeNotAllowed; PCP still opens pinholes, as miniupnpd's does.
   * @default true
   */
  inboundPinholeAllowed?: boolean;
  /** Router misbehaviours to imitate, switch by switch; they override `profiles`. @default {} (none) */
  quirks?: GatewayQuirks;
  /**
   * Named router behaviours ({@link quirkProfiles}), applied in order before `quirks`,
   * `connection` and `externalAddress`, which win where both set something.
   * @default [] (none)
   */
  profiles?: readonly QuirkProfileName[];
  /** Told about every search, HTTP GET, control request and NAT-PMP/PCP datagram, once handled. Must not be slow. @default undefined */
  onActivity?: (activity: VirtualGatewayActivity) => void;
  /** Clock for lease expiry, uptime and epoch, in milliseconds like `Date.now`. @default Date.now */
  now?: () => number;
  /**
   * Cancels the start: the promise rejects with `signal.reason` and nothing stays open. Once
   * started, the gateway runs until `close()`.
   */
  signal?: AbortSignal;
}

/** Options with every default applied, plus the identity of this gateway instance. */
export interface GatewayConfig {
  readonly address: string;
  readonly httpPort: number;
  readonly ssdpPort: number;
  readonly multicastInterface: string | undefined;
  readonly announceTo: ReadonlyArray<{ readonly address: string; readonly port: number }>;
  readonly bootId: number;
  readonly protocols: GatewayProtocols;
  readonly portControlPort: number;
  readonly portControlAnnounceTo: readonly GatewayEndpoint[];
  readonly igdVersion: 1 | 2;
  readonly connection: "ip" | "ppp";
  readonly externalAddress: string;
  readonly connectionStatus: ConnectionStatus;
  readonly firewallEnabled: boolean;
  readonly inboundPinholeAllowed: boolean;
  readonly quirks: Readonly<GatewayQuirks>;
  readonly now: () => number;
  /** Calls `onActivity`, if any, shielding the gateway from its exceptions. */
  readonly notify: (activity: VirtualGatewayActivity) => void;
  /** Base of the UUIDs of the root device and its embedded devices. */
  readonly uuid: string;
}

function checkPort(name: string, port: number): number {
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new InvalidArgumentError(`${name} must be an integer from 0 to 65535, got ${port}`);
  }
  return port;
}

function checkAddress(name: string, address: string): string {
  if (isIP(address) === 0) throw new InvalidArgumentError(`${name} must be an IP address, got "${address}"`);
  return address;
}

/** UDA 1.1 §1.2.2: BOOTID.UPNP.ORG is a non-negative 31-bit number. */
function checkBootId(bootId: number): number {
  if (!Number.isInteger(bootId) || bootId < 0 || bootId > 0x7fffffff) throw new InvalidArgumentError(`bootId must be an integer from 0 to 2147483647, got ${bootId}`);
  return bootId;
}

/** NAT-PMP is IPv4 only (RFC 6886): off on an IPv6 address unless asked for, which is an error. */
function checkProtocols(protocols: GatewayProtocols, address: string, natPmpAsked: boolean): GatewayProtocols {
  for (const [name, on] of Object.entries(protocols)) checkBoolean(name, on, false);
  if (!isIPv4(address)) {
    if (natPmpAsked) throw new InvalidArgumentError(`NAT-PMP is IPv4 only; the gateway's address is ${address}`);
    protocols = { ...protocols, natPmp: false };
  }
  if (!protocols.upnp && !protocols.natPmp && !protocols.pcp) throw new InvalidArgumentError("a virtual gateway needs one protocol at least: upnp, natPmp or pcp");
  return protocols;
}

/** Lifetimes go into 32-bit fields; a range that is no range would grant nonsense. */
function checkLifetimeQuirks(quirks: GatewayQuirks): GatewayQuirks {
  const limits = { pcpMinLifetimeSeconds: quirks.pcpMinLifetimeSeconds, pcpMaxLifetimeSeconds: quirks.pcpMaxLifetimeSeconds, natPmpMaxLifetimeSeconds: quirks.natPmpMaxLifetimeSeconds };
  for (const [name, value] of Object.entries(limits)) {
    if (value !== undefined && (!Number.isInteger(value) || value < 1 || value > 0xffffffff)) {
      throw new InvalidArgumentError(`quirks.${name} must be a whole number of seconds from 1 to 4294967295, got ${value}`);
    }
  }
  if ((limits.pcpMinLifetimeSeconds ?? 0) > (limits.pcpMaxLifetimeSeconds ?? 0xffffffff)) {
    throw new InvalidArgumentError("quirks.pcpMinLifetimeSeconds must not be above quirks.pcpMaxLifetimeSeconds");
  }
  return quirks;
}

function checkBoolean(name: string, value: boolean | undefined, fallback: boolean): boolean {
  if (value !== undefined && typeof value !== "boolean") throw new InvalidArgumentError(`${name} must be true or false, got ${JSON.stringify(value)}`);
  return value ?? fallback;
}

/** The firewall's numbers are a 32-bit field (GetOutboundPinholeTimeout) and a count. */
function checkFirewallQuirks(quirks: GatewayQuirks): GatewayQuirks {
  const counts = { outboundPinholeTimeoutSeconds: quirks.outboundPinholeTimeoutSeconds, pinholeLimit: quirks.pinholeLimit };
  for (const [name, value] of Object.entries(counts)) {
    if (value !== undefined && (!Number.isInteger(value) || value < 0 || value > 0xffffffff)) {
      throw new InvalidArgumentError(`quirks.${name} must be a whole number from 0 to 4294967295, got ${value}`);
    }
  }
  return quirks;
}

export function resolveConfig(options: VirtualGatewayOptions = {}): GatewayConfig {
  const address = checkAddress("address", options.address ?? "127.0.0.1");
  const igdVersion = options.igdVersion ?? 2;
  if (igdVersion !== 1 && igdVersion !== 2) throw new InvalidArgumentError(`igdVersion must be 1 or 2`);
  const profiles = combineProfiles(options.profiles ?? []);
  return {
    address,
    httpPort: checkPort("httpPort", options.httpPort ?? 0),
    ssdpPort: checkPort("ssdpPort", options.ssdpPort ?? 0),
    multicastInterface: options.multicastInterface,
    announceTo: (options.announceTo ?? []).map((target) => ({ address: checkAddress("announceTo address", target.address), port: checkPort("announceTo port", target.port) })),
    bootId: checkBootId(options.bootId ?? 1),
    protocols: checkProtocols(
      {
        upnp: options.upnp ?? profiles.protocols.upnp ?? true,
        natPmp: options.natPmp ?? profiles.protocols.natPmp ?? true,
        pcp: options.pcp ?? profiles.protocols.pcp ?? true,
      },
      address,
      options.natPmp === true,
    ),
    portControlPort: checkPort("portControlPort", options.portControlPort ?? 0),
    portControlAnnounceTo: (options.portControlAnnounceTo ?? []).map((target) => ({
      address: checkAddress("portControlAnnounceTo address", target.address),
      port: checkPort("portControlAnnounceTo port", target.port),
    })),
    igdVersion,
    connection: options.connection ?? profiles.connection ?? "ip",
    externalAddress: options.externalAddress ?? profiles.externalAddress ?? "203.0.113.7",
    connectionStatus: options.connectionStatus ?? "Connected",
    firewallEnabled: checkBoolean("firewallEnabled", options.firewallEnabled, true),
    inboundPinholeAllowed: checkBoolean("inboundPinholeAllowed", options.inboundPinholeAllowed, true),
    quirks: checkFirewallQuirks(checkLifetimeQuirks({ ...profiles.quirks, ...options.quirks })),
    now: options.now ?? Date.now,
    notify: activityNotifier(options.onActivity),
    uuid: options.uuid ?? randomUUID(),
  };
}
