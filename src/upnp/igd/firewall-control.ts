import type { TransportProtocol } from "../../mapping/port-mapper.js";
import { invokeAction, type ActionCallOptions, type ActionSpec, type ServiceEndpoint } from "./igd-actions.js";
import { parseRouterBoolean, parseRouterInteger } from "./port-mapping-entry.js";

/**
 * The seven actions of WANIPv6FirewallControl:1 (UPnP IGD 2.0), with argument names and order
 * from its service template. Unlike WANIPConnection, its arguments carry no `New` prefix.
 */
export const firewallControlActions = {
  GetFirewallStatus: { name: "GetFirewallStatus", since: 1, inArguments: [], outArguments: ["FirewallEnabled", "InboundPinholeAllowed"] },
  GetOutboundPinholeTimeout: {
    name: "GetOutboundPinholeTimeout",
    since: 1,
    inArguments: [
      ["RemoteHost", "remoteHost"],
      ["RemotePort", "rangePort"],
      ["InternalClient", "pinholeClient"],
      ["InternalPort", "rangePort"],
      ["Protocol", "pinholeProtocol"],
    ],
    outArguments: ["OutboundPinholeTimeout"],
  },
  AddPinhole: {
    name: "AddPinhole",
    since: 1,
    inArguments: [
      ["RemoteHost", "remoteHost"],
      ["RemotePort", "rangePort"],
      ["InternalClient", "pinholeClient"],
      ["InternalPort", "port"],
      ["Protocol", "pinholeProtocol"],
      ["LeaseTime", "pinholeLease"],
    ],
    outArguments: ["UniqueID"],
  },
  UpdatePinhole: { name: "UpdatePinhole", since: 1, inArguments: [["UniqueID", "ui2"], ["NewLeaseTime", "pinholeLease"]], outArguments: [] },
  DeletePinhole: { name: "DeletePinhole", since: 1, inArguments: [["UniqueID", "ui2"]], outArguments: [] },
  GetPinholePackets: { name: "GetPinholePackets", since: 1, inArguments: [["UniqueID", "ui2"]], outArguments: ["PinholePackets"] },
  CheckPinholeWorking: { name: "CheckPinholeWorking", since: 1, inArguments: [["UniqueID", "ui2"]], outArguments: ["IsWorking"] },
} as const satisfies Record<string, ActionSpec>;

/**
 * What the WANIPv6FirewallControl error codes mean (IGD 2.0, WANIPv6FirewallControl:1 §2.4):
 * they come as `UpnpActionError`s with these codes.
 */
export const firewallControlErrorNames: ReadonlyMap<number, string> = new Map([
  [606, "Action not authorized (another host's address, or a port below 1024)"],
  [701, "PinholeSpaceExhausted"],
  [702, "FirewallDisabled"],
  [703, "InboundPinholeNotAllowed"],
  [704, "NoSuchEntry"],
  [705, "ProtocolNotSupported"],
  [706, "InternalPortWildcardingNotAllowed"],
  [707, "ProtocolWildcardingNotAllowed"],
  [708, "WildCardNotPermittedInSrcIP"],
  [709, "NoTrafficReceived"],
]);

/** A pinhole: inbound traffic to one of our IPv6 addresses and ports let through the firewall. */
export interface PinholeRequest {
  /** Only traffic from this IPv6 host; "" = any. */
  remoteHost: string;
  /** Only traffic from this port; 0 = any. */
  remotePort: number;
  /** Our IPv6 address that receives the traffic. */
  internalClient: string;
  internalPort: number;
  protocol: TransportProtocol;
  /** 1..86400 seconds. */
  leaseSeconds: number;
}

export interface FirewallStatus {
  firewallEnabled: boolean;
  inboundPinholeAllowed: boolean;
}

function pinholeInputs(request: PinholeRequest) {
  return {
    RemoteHost: request.remoteHost,
    RemotePort: request.remotePort,
    InternalClient: request.internalClient,
    InternalPort: request.internalPort,
    Protocol: request.protocol,
  };
}

/** Whether the firewall is on, and whether it lets pinholes be opened at all. */
export async function getFirewallStatus(service: ServiceEndpoint, options?: ActionCallOptions): Promise<FirewallStatus> {
  const action = firewallControlActions.GetFirewallStatus;
  const outputs = await invokeAction(service, action, {}, options);
  return {
    firewallEnabled: parseRouterBoolean(outputs.FirewallEnabled, "FirewallEnabled", action.name),
    inboundPinholeAllowed: parseRouterBoolean(outputs.InboundPinholeAllowed, "InboundPinholeAllowed", action.name),
  };
}

/** How long the firewall keeps an idle outbound flow open, in seconds (miniupnpd answers 501). */
export async function getOutboundPinholeTimeout(
  service: ServiceEndpoint,
  flow: Omit<PinholeRequest, "leaseSeconds">,
  options?: ActionCallOptions,
): Promise<number> {
  const action = firewallControlActions.GetOutboundPinholeTimeout;
  const outputs = await invokeAction(service, action, pinholeInputs({ ...flow, leaseSeconds: 1 }), options);
  return parseRouterInteger(outputs.OutboundPinholeTimeout, "OutboundPinholeTimeout", action.name, 0xffffffff);
}

/** Opens a pinhole; returns its UniqueID. miniupnpd returns the existing ID for a duplicate. */
export async function addPinhole(service: ServiceEndpoint, request: PinholeRequest, options?: ActionCallOptions): Promise<number> {
  const action = firewallControlActions.AddPinhole;
  const outputs = await invokeAction(service, action, { ...pinholeInputs(request), LeaseTime: request.leaseSeconds }, options);
  return parseRouterInteger(outputs.UniqueID, "UniqueID", action.name, 65535);
}

/** Gives a pinhole a new lease, counted from now. */
export async function updatePinhole(service: ServiceEndpoint, uniqueId: number, leaseSeconds: number, options?: ActionCallOptions): Promise<void> {
  await invokeAction(service, firewallControlActions.UpdatePinhole, { UniqueID: uniqueId, NewLeaseTime: leaseSeconds }, options);
}

export async function deletePinhole(service: ServiceEndpoint, uniqueId: number, options?: ActionCallOptions): Promise<void> {
  await invokeAction(service, firewallControlActions.DeletePinhole, { UniqueID: uniqueId }, options);
}

/** How many packets went through the pinhole. */
export async function getPinholePackets(service: ServiceEndpoint, uniqueId: number, options?: ActionCallOptions): Promise<number> {
  const action = firewallControlActions.GetPinholePackets;
  const outputs = await invokeAction(service, action, { UniqueID: uniqueId }, options);
  return parseRouterInteger(outputs.PinholePackets, "PinholePackets", action.name, 0xffffffff);
}

/** Whether traffic went through the pinhole; a fresh one answers 709 NoTrafficReceived. */
export async function checkPinholeWorking(service: ServiceEndpoint, uniqueId: number, options?: ActionCallOptions): Promise<boolean> {
  const action = firewallControlActions.CheckPinholeWorking;
  const outputs = await invokeAction(service, action, { UniqueID: uniqueId }, options);
  return parseRouterBoolean(outputs.IsWorking, "IsWorking", action.name);
}
