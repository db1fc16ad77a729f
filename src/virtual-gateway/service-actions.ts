/**
 * The actions each service of the virtual gateway offers, as data: argument names and order as the
 * UPnP service templates list them. The same table writes the SCPD documents and checks argument
 * order for the `requireArgumentOrder` quirk.
 *
 * Written from the specifications (UPnP IGD 1.0 WANIPConnection:1 and WANPPPConnection:1 service
 * templates, IGD 2.0 WANIPConnection:2 section 2.5 and WANIPv6FirewallControl:1 section 2.4), not
 * from the client's tables in src/upnp/igd/igd-actions.ts and firewall-control.ts:
 * test/unit/action-tables.test.ts compares them, so an argument the client sends out of order is
 * caught by a device that reads the spec, not by itself.
 */

export interface ActionSpec {
  readonly name: string;
  /** In-arguments (direction "in"), in template order. */
  readonly inputs: readonly string[];
  /** Out-arguments (direction "out"), in template order. */
  readonly outputs: readonly string[];
}

export type ServiceKind = "Layer3Forwarding" | "WANCommonInterfaceConfig" | "WANIPConnection" | "WANPPPConnection" | "WANIPv6FirewallControl";

const action = (name: string, inputs: readonly string[], outputs: readonly string[] = []): ActionSpec => ({
  name,
  inputs,
  outputs,
});

/** The key of a port mapping: in-arguments of GetSpecificPortMappingEntry and DeletePortMapping. */
const mappingKey = ["NewRemoteHost", "NewExternalPort", "NewProtocol"];
/** What a mapping holds beyond its key, in template order. */
const mappingDetails = ["NewInternalPort", "NewInternalClient", "NewEnabled", "NewPortMappingDescription", "NewLeaseDuration"];
/** The range of the IGD 2.0 range actions (WANIPConnection:2 sections 2.5.20, 2.5.22). */
const mappingRange = ["NewStartPort", "NewEndPort", "NewProtocol", "NewManage"];

/**
 * The actions of WANIPConnection:1 and WANPPPConnection:1 that the virtual gateway carries out.
 * Both templates define the port mapping and status actions with the same arguments; the optional
 * connection-control actions (RequestConnection, SetConnectionType, ...) are left out and answer 401.
 */
const wanConnectionV1Actions: readonly ActionSpec[] = [
  action("GetConnectionTypeInfo", [], ["NewConnectionType", "NewPossibleConnectionTypes"]),
  action("GetStatusInfo", [], ["NewConnectionStatus", "NewLastConnectionError", "NewUptime"]),
  action("GetNATRSIPStatus", [], ["NewRSIPAvailable", "NewNATEnabled"]),
  action("GetGenericPortMappingEntry", ["NewPortMappingIndex"], [...mappingKey, ...mappingDetails]),
  action("GetSpecificPortMappingEntry", mappingKey, mappingDetails),
  action("AddPortMapping", [...mappingKey, ...mappingDetails]),
  action("DeletePortMapping", mappingKey),
  action("GetExternalIPAddress", [], ["NewExternalIPAddress"]),
];

/** WANIPConnection:2 adds AddAnyPortMapping and the range actions (IGD 2.0, WANIPConnection:2 section 2.5). */
const wanConnectionV2Actions: readonly ActionSpec[] = [
  ...wanConnectionV1Actions,
  action("DeletePortMappingRange", mappingRange),
  action("GetListOfPortMappings", [...mappingRange, "NewNumberOfPorts"], ["NewPortListing"]),
  action("AddAnyPortMapping", [...mappingKey, ...mappingDetails], ["NewReservedPort"]),
];

const commonInterfaceActions: readonly ActionSpec[] = [
  action("GetCommonLinkProperties", [], [
    "NewWANAccessType",
    "NewLayer1UpstreamMaxBitRate",
    "NewLayer1DownstreamMaxBitRate",
    "NewPhysicalLinkStatus",
  ]),
  action("GetTotalBytesSent", [], ["NewTotalBytesSent"]),
  action("GetTotalBytesReceived", [], ["NewTotalBytesReceived"]),
  action("GetTotalPacketsSent", [], ["NewTotalPacketsSent"]),
  action("GetTotalPacketsReceived", [], ["NewTotalPacketsReceived"]),
];

const layer3ForwardingActions: readonly ActionSpec[] = [
  action("GetDefaultConnectionService", [], ["NewDefaultConnectionService"]),
];

/** What a pinhole lets in (WANIPv6FirewallControl:1 section 2.4.2): unlike WANIPConnection, no `New` prefix. */
const pinholeFlow = ["RemoteHost", "RemotePort", "InternalClient", "InternalPort", "Protocol"];

/** The seven actions of WANIPv6FirewallControl:1 (IGD 2.0, section 2.4), all of which the virtual gateway carries out. */
const firewallControlActions: readonly ActionSpec[] = [
  action("GetFirewallStatus", [], ["FirewallEnabled", "InboundPinholeAllowed"]),
  action("GetOutboundPinholeTimeout", pinholeFlow, ["OutboundPinholeTimeout"]),
  action("AddPinhole", [...pinholeFlow, "LeaseTime"], ["UniqueID"]),
  action("UpdatePinhole", ["UniqueID", "NewLeaseTime"]),
  action("DeletePinhole", ["UniqueID"]),
  action("GetPinholePackets", ["UniqueID"], ["PinholePackets"]),
  action("CheckPinholeWorking", ["UniqueID"], ["IsWorking"]),
];

export function actionsOf(kind: ServiceKind, version: number): readonly ActionSpec[] {
  switch (kind) {
    case "Layer3Forwarding":
      return layer3ForwardingActions;
    case "WANCommonInterfaceConfig":
      return commonInterfaceActions;
    case "WANIPConnection":
      return version >= 2 ? wanConnectionV2Actions : wanConnectionV1Actions;
    case "WANPPPConnection":
      return wanConnectionV1Actions;
    case "WANIPv6FirewallControl":
      return firewallControlActions;
  }
}

/** Arguments whose state variable is not simply the argument name without `New`, or is not a string. */
const stateVariableExceptions: Readonly<Record<string, readonly [name: string, dataType: string]>> = {
  NewExternalPort: ["ExternalPort", "ui2"],
  NewReservedPort: ["ExternalPort", "ui2"],
  NewStartPort: ["ExternalPort", "ui2"],
  NewEndPort: ["ExternalPort", "ui2"],
  NewInternalPort: ["InternalPort", "ui2"],
  NewProtocol: ["PortMappingProtocol", "string"],
  NewEnabled: ["PortMappingEnabled", "boolean"],
  NewLeaseDuration: ["PortMappingLeaseDuration", "ui4"],
  NewPortMappingIndex: ["PortMappingNumberOfEntries", "ui2"],
  NewNumberOfPorts: ["PortMappingNumberOfEntries", "ui2"],
  NewManage: ["A_ARG_TYPE_Manage", "boolean"],
  NewPortListing: ["A_ARG_TYPE_PortListing", "string"],
  NewUptime: ["Uptime", "ui4"],
  NewRSIPAvailable: ["RSIPAvailable", "boolean"],
  NewNATEnabled: ["NATEnabled", "boolean"],
  NewLayer1UpstreamMaxBitRate: ["Layer1UpstreamMaxBitRate", "ui4"],
  NewLayer1DownstreamMaxBitRate: ["Layer1DownstreamMaxBitRate", "ui4"],
  NewTotalBytesSent: ["TotalBytesSent", "ui4"],
  NewTotalBytesReceived: ["TotalBytesReceived", "ui4"],
  NewTotalPacketsSent: ["TotalPacketsSent", "ui4"],
  NewTotalPacketsReceived: ["TotalPacketsReceived", "ui4"],
  // WANIPv6FirewallControl:1 section 2.3: its arguments are typed by A_ARG_TYPE_ variables.
  FirewallEnabled: ["FirewallEnabled", "boolean"],
  InboundPinholeAllowed: ["InboundPinholeAllowed", "boolean"],
  RemoteHost: ["A_ARG_TYPE_IPv6Address", "string"],
  InternalClient: ["A_ARG_TYPE_IPv6Address", "string"],
  RemotePort: ["A_ARG_TYPE_Port", "ui2"],
  InternalPort: ["A_ARG_TYPE_Port", "ui2"],
  Protocol: ["A_ARG_TYPE_Protocol", "ui2"],
  LeaseTime: ["A_ARG_TYPE_LeaseTime", "ui4"],
  NewLeaseTime: ["A_ARG_TYPE_LeaseTime", "ui4"],
  UniqueID: ["A_ARG_TYPE_UniqueID", "ui2"],
  OutboundPinholeTimeout: ["A_ARG_TYPE_OutboundPinholeTimeout", "ui4"],
  PinholePackets: ["A_ARG_TYPE_PinholePackets", "ui4"],
  IsWorking: ["A_ARG_TYPE_Boolean", "boolean"],
};

/** The state variable an argument is related to, and its UPnP data type. */
export function stateVariableOf(argument: string): { name: string; dataType: string } {
  const [name, dataType] = stateVariableExceptions[argument] ?? [argument.replace(/^New/, ""), "string"];
  return { name, dataType };
}
