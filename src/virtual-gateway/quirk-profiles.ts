import { InvalidArgumentError } from "../errors/errors.js";
import type { GatewayQuirks } from "./quirks.js";

/** Which protocols a gateway answers (`VirtualGatewayOptions` `upnp`, `natPmp`, `pcp`). */
export interface GatewayProtocols {
  readonly upnp: boolean;
  readonly natPmp: boolean;
  readonly pcp: boolean;
}

/** A named router behaviour: a set of quirk switches, and for some a different WAN side or other protocols. */
export interface QuirkProfile {
  /** What the gateway does, in one line. */
  readonly summary: string;
  /** Where the behaviour was reported. */
  readonly source: string;
  readonly quirks?: Readonly<GatewayQuirks>;
  /** Replaces the WAN connection service (`"ppp"`: WANPPPConnection:1 only). */
  readonly connection?: "ip" | "ppp";
  /** Replaces the address GetExternalIPAddress reports. */
  readonly externalAddress?: string;
  /** Turns protocols on or off. */
  readonly protocols?: Partial<GatewayProtocols>;
}

/**
 * Router behaviours by name, for `startVirtualGateway({ profiles })` and `porthole gateway --quirk`.
 * Each turns on the switches of {@link GatewayQuirks} that together imitate one kind of router.
 */
export const quirkProfiles = {
  "permanent-only": {
    summary: "refuses any finite lease with 725 OnlyPermanentLeasesSupported",
    source: "MikroTik, Netgear (tailscale#9343)",
    quirks: { onlyPermanentLeases: true },
  },
  "arris-402": {
    summary: "refuses any finite lease with 402 Invalid Args",
    source: "ARRIS cable modems (tailscale#15223)",
    quirks: { rejectNonZeroLeaseWith402: true },
  },
  "finite-only": {
    summary: "refuses permanent leases (0) with 402 Invalid Args",
    source: "net-tools#52",
    quirks: { rejectZeroLeaseWith402: true },
  },
  "ephemeral-ssdp": {
    summary: "answers M-SEARCH from another UDP port than the one searched",
    source: "tailscale#6833, #7377",
    quirks: { replyFromEphemeralPort: true },
  },
  "igd1-announced": {
    summary: "announces IGD:1 over SSDP while its description says IGD:2",
    source: "rust-igd#12",
    quirks: { announceIgd1ButDescribeIgd2: true },
  },
  "urlbase-last": {
    summary: "writes URLBase after <device> and control URLs without a leading slash",
    source: "MikroTik (nicotine-plus#2955)",
    quirks: { urlBaseAfterDevice: true, controlUrlStyle: "relative-no-slash" },
  },
  "latin1-name": {
    summary: "puts Latin-1 bytes in a description that declares UTF-8",
    source: "aioupnp#7",
    quirks: { invalidUtf8InDescription: true },
  },
  tr064: {
    summary: "uses the legacy urn:dslforum-org device and service types",
    source: "TR-064 boxes",
    quirks: { dslforumServiceNames: true },
  },
  chunked: {
    summary: "sends every HTTP reply with Transfer-Encoding: chunked",
    source: "BiPAC 7404VNOX (miniupnpc changelog)",
    quirks: { chunkedReplies: true },
  },
  http10: {
    summary: "replies HTTP/1.0 without Content-Length, ending the body by closing",
    source: "miniupnpc changelog",
    quirks: { http10NoContentLength: true },
  },
  "trailing-junk": {
    summary: "sends junk bytes after every HTTP reply body",
    source: "miniupnpc's /addcrap test server",
    quirks: { trailingJunk: true },
  },
  "html-content-type": {
    summary: "labels its XML replies text/html",
    source: "nat-port-mapper",
    quirks: { contentTypeHtml: true },
  },
  "argument-order": {
    summary: "answers 402 unless SOAP arguments come in the description's order",
    source: "rust-igd#48, upnpclient#5",
    quirks: { requireArgumentOrder: true },
  },
  "all-arguments": {
    summary: "answers 402 \"No RemoteHost\" when an argument element is left out",
    source: "TP-Link CPE210 (nat-puncher#5)",
    quirks: { requireAllArguments: true },
  },
  "uppercase-protocol": {
    summary: "answers 402 unless the protocol is written TCP or UDP",
    source: "TP-Link ER605 (tailscale#7377)",
    quirks: { rejectLowercaseProtocol: true },
  },
  "status-fails": {
    summary: "fails GetStatusInfo with 501 while mapping works",
    source: "TP-Link (godot#70458)",
    quirks: { getStatusInfoFails: true },
  },
  "secure-mode": {
    summary: "maps only to the asking host's own address and only ports from 1024 (606 otherwise)",
    source: "miniupnpd secure_mode and default permission rules",
    quirks: { secureMode: true, rejectPortsBelow1024: true },
  },
  "drops-mappings": {
    summary: "accepts AddPortMapping and keeps nothing",
    source: "DD-WRT (tailscale#18196)",
    quirks: { silentlyDropMappings: true },
  },
  "ppp-only": {
    summary: "offers WANPPPConnection:1 instead of WANIPConnection",
    source: "DSL modems",
    connection: "ppp",
  },
  "double-nat": {
    summary: "reports a private external address (10.0.0.2): another NAT sits upstream",
    source: "miniupnp#647",
    externalAddress: "10.0.0.2",
  },
  cgnat: {
    summary: "reports a carrier-grade NAT external address (100.64.0.2)",
    source: "miniupnp#732",
    externalAddress: "100.64.0.2",
  },
  slow: {
    summary: "waits one second before every SSDP, HTTP, NAT-PMP and PCP reply",
    source: "congested or low-end routers",
    quirks: { responseDelayMs: 1000 },
  },
  "upnp-only": {
    summary: "speaks UPnP only: nothing listens on the NAT-PMP/PCP port",
    source: "most consumer routers; miniupnpd with enable_natpmp=no",
    protocols: { natPmp: false, pcp: false },
  },
  "pmp-only": {
    summary: "speaks NAT-PMP only; PCP requests get NAT-PMP's unsupported version (result 1)",
    source: "Apple AirPort base stations (RFC 6886)",
    protocols: { upnp: false, pcp: false },
  },
  "pcp-only": {
    summary: "speaks PCP only; NAT-PMP requests get UNSUPP_VERSION with version 2",
    source: "PCP servers without NAT-PMP (RFC 6887 §9)",
    protocols: { upnp: false, natPmp: false },
  },
  "pmp-without-pcp": {
    summary: "UPnP and NAT-PMP; a PCP request gets NAT-PMP's unsupported version, so clients step down to NAT-PMP",
    source: "miniupnpd before 1.9 or built without PCP (RFC 6887 §9)",
    protocols: { pcp: false },
  },
  "short-lifetimes": {
    summary: "grants at most 3600 s through NAT-PMP and PCP",
    source: "miniupnpd max_lifetime; RFC 6886 §3.3 and RFC 6887 §15 let a gateway shorten lifetimes",
    quirks: { pcpMaxLifetimeSeconds: 3600, natPmpMaxLifetimeSeconds: 3600 },
  },
  "ignores-nonce": {
    summary: "deletes a PCP mapping whatever nonce the delete carries",
    source: "what Tailscale's client assumed (tailscale#1080, #21127); RFC 6887 §11.1 forbids it",
    quirks: { ignorePcpNonce: true },
  },
  "system-uptime-epoch": {
    summary: "keeps its epoch and uptime through a restart that emptied the table: clients cannot tell",
    source: "miniupnpd system_uptime=yes, the daemon restarted without the host",
    quirks: { systemUptimeEpoch: true },
  },
  "routeros-pmp": {
    summary: "refuses NAT-PMP mappings that leave the external port to it (suggested port 0)",
    source: "MikroTik RouterOS (tailscale#13785, #11403)",
    quirks: { refuseNatPmpAnyPort: true },
  },
  "private-wan": {
    summary: "private WAN address (10.0.0.2), no public one set: no external address, UPnP 501, NAT-PMP 3, PCP 8",
    source: "miniupnpd without ext_ip behind another NAT (miniupnp#647)",
    externalAddress: "10.0.0.2",
    quirks: { privateWanAddress: true },
  },
  "pinhole-spec": {
    summary: "IPv6 firewall as WANIPv6FirewallControl:1 says, not as miniupnpd 2.3.1: 704 for an unknown UniqueID, an outbound pinhole timeout of 120 s",
    source: "UPnP IGD 2.0 WANIPv6FirewallControl:1 sections 2.5.2-2.5.7; 120 s is the least RFC 4787 REQ-5 lets a UDP flow idle",
    quirks: { answer704ForUnknownPinhole: true, outboundPinholeTimeoutSeconds: 120 },
  },
  "pinhole-renewal-bug": {
    summary: "loses a pinhole's PCP nonce when it is renewed: PCP can no longer delete it",
    source: "miniupnpd 2.3.1 nftables update_pinhole(), fixed in 2.3.6",
    quirks: { pinholeRenewalLosesPcpNonce: true },
  },
} as const satisfies Readonly<Record<string, QuirkProfile>>;

/** The name of one of {@link quirkProfiles}. */
export type QuirkProfileName = keyof typeof quirkProfiles;

/** What a list of profiles adds up to; later profiles win where two set the same thing. */
export interface CombinedProfiles {
  quirks: GatewayQuirks;
  connection: "ip" | "ppp" | undefined;
  externalAddress: string | undefined;
  protocols: Partial<GatewayProtocols>;
}

function isProfileName(name: string): name is QuirkProfileName {
  return Object.hasOwn(quirkProfiles, name);
}

/**
 * Merges the named profiles.
 * @throws InvalidArgumentError naming the known profiles when a name is unknown.
 */
export function combineProfiles(names: readonly string[]): CombinedProfiles {
  const combined: CombinedProfiles = { quirks: {}, connection: undefined, externalAddress: undefined, protocols: {} };
  for (const name of names) {
    if (!isProfileName(name)) {
      throw new InvalidArgumentError(`unknown quirk profile "${name}"; known: ${Object.keys(quirkProfiles).join(", ")}`);
    }
    const profile: QuirkProfile = quirkProfiles[name];
    Object.assign(combined.quirks, profile.quirks);
    combined.connection = profile.connection ?? combined.connection;
    combined.externalAddress = profile.externalAddress ?? combined.externalAddress;
    Object.assign(combined.protocols, profile.protocols);
  }
  return combined;
}
