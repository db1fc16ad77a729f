/**
 * The actions each service of the virtual gateway offers, as data: argument names in the order of
 * the UPnP service templates. The same table writes the SCPD documents and checks argument order
 * for the `requireArgumentOrder` quirk.
 */
import { igdActions } from "../upnp/igd/igd-actions.js";

export interface ActionSpec {
  readonly name: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
}

export type ServiceKind = "Layer3Forwarding" | "WANCommonInterfaceConfig" | "WANIPConnection" | "WANPPPConnection";

const action = (name: string, inputs: readonly string[], outputs: readonly string[] = []): ActionSpec => ({
  name,
  inputs,
  outputs,
});

/** The client's action table holds the spec's argument order; the device offers the same actions. */
const clientActions = Object.values(igdActions).map((spec) => ({
  since: spec.since,
  spec: action(spec.name, spec.inArguments.map(([name]) => name), spec.outArguments),
}));

/** WANIPConnection:1 and WANPPPConnection:1 (UPnP IGD 1.0 service templates). */
const wanConnectionV1Actions: readonly ActionSpec[] = [
  ...clientActions.filter(({ since }) => since === 1).map(({ spec }) => spec),
  action("GetNATRSIPStatus", [], ["NewRSIPAvailable", "NewNATEnabled"]),
];

/** WANIPConnection:2 adds AddAnyPortMapping and the range actions (IGD 2.0, WANIPConnection:2 section 2.5). */
const wanConnectionV2Actions: readonly ActionSpec[] = [
  ...wanConnectionV1Actions,
  ...clientActions.filter(({ since }) => since === 2).map(({ spec }) => spec),
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
};

/** The state variable an argument is related to, and its UPnP data type. */
export function stateVariableOf(argument: string): { name: string; dataType: string } {
  const [name, dataType] = stateVariableExceptions[argument] ?? [argument.replace(/^New/, ""), "string"];
  return { name, dataType };
}
