import { InvalidArgumentError } from "../errors/errors.js";
import type { GatewayQuirks } from "./quirks.js";

/** A named router behaviour: a set of quirk switches, and for some a different WAN side. */
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
    summary: "waits one second before every SSDP and HTTP reply",
    source: "congested or low-end routers",
    quirks: { responseDelayMs: 1000 },
  },
} as const satisfies Readonly<Record<string, QuirkProfile>>;

/** The name of one of {@link quirkProfiles}. */
export type QuirkProfileName = keyof typeof quirkProfiles;

/** What a list of profiles adds up to; later profiles win where two set the same thing. */
export interface CombinedProfiles {
  quirks: GatewayQuirks;
  connection: "ip" | "ppp" | undefined;
  externalAddress: string | undefined;
}

function isProfileName(name: string): name is QuirkProfileName {
  return Object.hasOwn(quirkProfiles, name);
}

/**
 * Merges the named profiles.
 * @throws InvalidArgumentError naming the known profiles when a name is unknown.
 */
export function combineProfiles(names: readonly string[]): CombinedProfiles {
  const combined: CombinedProfiles = { quirks: {}, connection: undefined, externalAddress: undefined };
  for (const name of names) {
    if (!isProfileName(name)) {
      throw new InvalidArgumentError(`unknown quirk profile "${name}"; known: ${Object.keys(quirkProfiles).join(", ")}`);
    }
    const profile: QuirkProfile = quirkProfiles[name];
    Object.assign(combined.quirks, profile.quirks);
    combined.connection = profile.connection ?? combined.connection;
    combined.externalAddress = profile.externalAddress ?? combined.externalAddress;
  }
  return combined;
}
