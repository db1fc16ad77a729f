import { isIPv6 } from "node:net";
import type { TransportProtocol } from "../mapping/port-mapper.js";
import { addressFromBytes, addressToBytes } from "../net/address-bytes.js";
import type { ActionContext, ActionHandler, GatewayState } from "./action-context.js";
import type { PinholeFlow, PinholeTableEntry } from "./pinhole-table.js";
import { upnpFault } from "./upnp-faults.js";

/**
 * WANIPv6FirewallControl:1 as miniupnpd 2.3.1 carries it out (upnpsoap.c, its nftables backend),
 * checks in its order; the `answer704ForUnknownPinhole` and `outboundPinholeTimeoutSeconds`
 * quirks switch to what the specification says where miniupnpd differs.
 */

/** Leases run from 1 s to a day (WANIPv6FirewallControl:1 section 2.3.6); miniupnpd answers 402 outside. */
const maxPinholeLeaseSeconds = 86400;
/** What miniupnpd's AddPinhole calls the pinholes it opens. */
const upnpPinholeDescription = "IGD2 pinhole";
/** The Protocol argument is the IANA number; 65535 is the wildcard (section 2.3.4). */
const protocolOfNumber: ReadonlyMap<number, TransportProtocol> = new Map([
  [6, "TCP"],
  [17, "UDP"],
]);
const wildcardProtocol = 65535;
/** miniupnpd's PinholeVerification() lets a host open only ports from 1024, whatever the permission rules. */
const lowestPinholePort = 1024;

function checkFirewallOn({ state }: ActionContext, action: string): void {
  if (!state.config.firewallEnabled) throw upnpFault(action, 702);
}

/** miniupnpd's CheckStatus(): the firewall's settings come before any argument. */
function checkFirewallOpen(context: ActionContext, action: string): void {
  checkFirewallOn(context, action);
  if (!context.state.config.inboundPinholeAllowed) throw upnpFault(action, 703);
}

/**
 * miniupnpd's PinholeVerification(): a host may only open, or act on, a pinhole to its own
 * address, and to a port from 1024. Before 2.3.3 miniupnpd compares the address as text (its
 * second comparison compares pointers), so the request must write it as the sender's address is
 * written (RFC 5952), and something that is not an IPv6 address (a name, an IPv4 address) is 402.
 */
function verifyOwner(context: ActionContext, action: string, internalClient: string, internalPort: number): void {
  if (!isIPv6(internalClient)) throw upnpFault(action, 402);
  if (internalClient !== context.clientAddress || internalPort < lowestPinholePort) throw upnpFault(action, 606);
}

/** The pinhole the UniqueID argument names, when it is the asker's. */
function ownPinhole(context: ActionContext, action: string): PinholeTableEntry {
  const pinhole = context.state.pinholes.get(context.args.unsigned("UniqueID", 65535));
  if (pinhole === undefined) throw upnpFault(action, context.state.config.quirks.answer704ForUnknownPinhole ? 704 : 402);
  verifyOwner(context, action, pinhole.internalClient, pinhole.internalPort);
  return pinhole;
}

/** miniupnpd reads the protocol with strtol(): text that is no number is protocol 0, which it does not support (705). */
function protocolNumber(context: ActionContext, action: string): number {
  const text = context.args.optional("Protocol");
  if (text === undefined || text === "") throw upnpFault(action, 402);
  const value = /^\d+$/.test(text.trim()) ? Number(text.trim()) : 0;
  if (value > wildcardProtocol) throw upnpFault(action, 402);
  return value;
}

/** "", "*" or an IPv6 address, written as miniupnpd writes it back; a name, which miniupnpd would look up, is 402. */
function remoteHost(context: ActionContext, action: string): string {
  const text = (context.args.optional("RemoteHost") ?? "").trim();
  if (text === "" || text === "*") return "";
  if (!isIPv6(text)) throw upnpFault(action, 402);
  return addressFromBytes(addressToBytes(text));
}

function leaseTime(context: ActionContext, action: string, name: string): number {
  const lease = context.args.unsigned(name, 0xffffffff);
  if (lease < 1 || lease > maxPinholeLeaseSeconds) throw upnpFault(action, 402);
  return lease;
}

/** A renewal, with miniupnpd 2.3.1's bug when asked for: the rule is rewritten without its description. */
function renewPinhole(state: GatewayState, uniqueId: number, leaseSeconds: number): void {
  state.pinholes.renew(uniqueId, leaseSeconds, state.config.quirks.pinholeRenewalLosesPcpNonce ? "" : undefined);
}

/**
 * Opens a pinhole, or renews the one of the same flow (WANIPv6FirewallControl:1 section 2.5.3: the
 * same UniqueID comes back). Undefined when the firewall holds no more.
 */
export function openPinhole(state: GatewayState, flow: PinholeFlow, leaseSeconds: number, description: string): PinholeTableEntry | undefined {
  const { pinholes, config } = state;
  const existing = pinholes.findFlow(flow);
  if (existing !== undefined) {
    renewPinhole(state, existing.uniqueId, leaseSeconds);
    return pinholes.get(existing.uniqueId);
  }
  if (config.quirks.pinholeLimit !== undefined && pinholes.size >= config.quirks.pinholeLimit) return undefined;
  return pinholes.add(flow, leaseSeconds, description);
}

const addPinhole: ActionHandler = (context) => {
  const action = "AddPinhole";
  checkFirewallOpen(context, action);
  const protocol = protocolNumber(context, action);
  const internalPort = context.args.unsigned("InternalPort", 65535, 0);
  if (internalPort === 0) throw upnpFault(action, 706);
  const internalClient = context.args.optional("InternalClient") ?? "";
  if (internalClient === "" || internalClient === "*") throw upnpFault(action, 708);
  const flow = {
    remoteHost: remoteHost(context, action),
    remotePort: context.args.unsigned("RemotePort", 65535, 0),
    internalClient,
    internalPort,
  };
  if (protocol === wildcardProtocol) throw upnpFault(action, 707);
  const transport = protocolOfNumber.get(protocol);
  if (transport === undefined) throw upnpFault(action, 705);
  const lease = leaseTime(context, action, "LeaseTime");
  verifyOwner(context, action, internalClient, internalPort);
  const pinhole = openPinhole(context.state, { ...flow, protocol: transport }, lease, upnpPinholeDescription);
  if (pinhole === undefined) throw upnpFault(action, 701);
  return { UniqueID: String(pinhole.uniqueId) };
};

const updatePinhole: ActionHandler = (context) => {
  const action = "UpdatePinhole";
  checkFirewallOpen(context, action);
  // miniupnpd checks the lease before it looks for the pinhole.
  const lease = leaseTime(context, action, "NewLeaseTime");
  renewPinhole(context.state, ownPinhole(context, action).uniqueId, lease);
  return {};
};

const deletePinhole: ActionHandler = (context) => {
  const action = "DeletePinhole";
  checkFirewallOpen(context, action);
  context.state.pinholes.delete(ownPinhole(context, action).uniqueId);
  return {};
};

const getPinholePackets: ActionHandler = (context) => {
  const action = "GetPinholePackets";
  checkFirewallOpen(context, action);
  return { PinholePackets: String(ownPinhole(context, action).packets) };
};

/** Optional (section 2.5.7): true once traffic went through; a fresh pinhole is 709, as miniupnpd answers. */
const checkPinholeWorking: ActionHandler = (context) => {
  const action = "CheckPinholeWorking";
  checkFirewallOpen(context, action);
  const pinhole = ownPinhole(context, action);
  if (pinhole.packets === 0) throw upnpFault(action, 709);
  return { IsWorking: "1" };
};

/**
 * Optional (section 2.5.2). miniupnpd looks only at whether the firewall is on and whether
 * InternalPort, RemotePort and Protocol were sent, then fails with 501: the lookup is a TODO.
 */
const getOutboundPinholeTimeout: ActionHandler = (context) => {
  const action = "GetOutboundPinholeTimeout";
  checkFirewallOn(context, action);
  for (const name of ["InternalPort", "RemotePort", "Protocol"]) if (context.args.optional(name) === undefined) throw upnpFault(action, 402);
  const timeout = context.state.config.quirks.outboundPinholeTimeoutSeconds;
  if (timeout === undefined) throw upnpFault(action, 501);
  return { OutboundPinholeTimeout: String(timeout) };
};

const getFirewallStatus: ActionHandler = ({ state }) => ({
  FirewallEnabled: state.config.firewallEnabled ? "1" : "0",
  InboundPinholeAllowed: state.config.inboundPinholeAllowed ? "1" : "0",
});

export const pinholeHandlers: Readonly<Record<string, ActionHandler>> = {
  GetFirewallStatus: getFirewallStatus,
  GetOutboundPinholeTimeout: getOutboundPinholeTimeout,
  AddPinhole: addPinhole,
  UpdatePinhole: updatePinhole,
  DeletePinhole: deletePinhole,
  GetPinholePackets: getPinholePackets,
  CheckPinholeWorking: checkPinholeWorking,
};
