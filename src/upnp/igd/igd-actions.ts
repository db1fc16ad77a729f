import { soapCall } from "../soap/soap-call.js";
import type { SoapArgument } from "../soap/soap-envelope.js";
import type { CallOptions } from "../../util/deadline.js";
import { formatArgument, type ArgumentKind, type ArgumentValue } from "./igd-arguments.js";

/** Where to send actions: a WAN connection service from the device description. */
export interface ServiceEndpoint {
  /** Absolute http: URL of the service's control endpoint. */
  controlUrl: string;
  /** e.g. `urn:schemas-upnp-org:service:WANIPConnection:2`. */
  serviceType: string;
}

/** Options of every IGD action call. */
export interface ActionCallOptions extends CallOptions {
  /** Time budget of the call. @default 5000 */
  timeoutMs?: number | undefined;
  /** Local address to connect from. @default the OS choice */
  localAddress?: string | undefined;
}

/** One action of the WAN connection services, as data. */
export interface ActionSpec {
  readonly name: string;
  /** In-arguments in the order of the service description (rust-igd#48: 402 otherwise). */
  readonly inArguments: ReadonlyArray<readonly [name: string, kind: ArgumentKind]>;
  readonly outArguments: ReadonlyArray<string>;
  /** First WANIPConnection version that defines the action; WANPPPConnection:1 has the version-1 set. */
  readonly since: 1 | 2;
}

const portMappingKey = [
  ["NewRemoteHost", "remoteHost"],
  ["NewExternalPort", "port"],
  ["NewProtocol", "protocol"],
] as const;

const newPortMapping = [
  ...portMappingKey,
  ["NewInternalPort", "port"],
  ["NewInternalClient", "internalClient"],
  ["NewEnabled", "boolean"],
  ["NewPortMappingDescription", "string"],
  ["NewLeaseDuration", "leaseSeconds"],
] as const;

const portRange = [
  ["NewStartPort", "rangePort"],
  ["NewEndPort", "rangePort"],
  ["NewProtocol", "protocol"],
  ["NewManage", "boolean"],
] as const;

const entryDetails = [
  "NewInternalPort",
  "NewInternalClient",
  "NewEnabled",
  "NewPortMappingDescription",
  "NewLeaseDuration",
] as const;

/**
 * The actions of WANIPConnection:1 and :2 and WANPPPConnection:1 that porthole uses, with
 * argument names and order from the UPnP IGD service specifications.
 */
export const igdActions = {
  GetExternalIPAddress: { name: "GetExternalIPAddress", since: 1, inArguments: [], outArguments: ["NewExternalIPAddress"] },
  AddPortMapping: { name: "AddPortMapping", since: 1, inArguments: newPortMapping, outArguments: [] },
  DeletePortMapping: { name: "DeletePortMapping", since: 1, inArguments: portMappingKey, outArguments: [] },
  GetSpecificPortMappingEntry: {
    name: "GetSpecificPortMappingEntry",
    since: 1,
    inArguments: portMappingKey,
    outArguments: entryDetails,
  },
  GetGenericPortMappingEntry: {
    name: "GetGenericPortMappingEntry",
    since: 1,
    inArguments: [["NewPortMappingIndex", "ui2"]],
    outArguments: ["NewRemoteHost", "NewExternalPort", "NewProtocol", ...entryDetails],
  },
  GetStatusInfo: {
    name: "GetStatusInfo",
    since: 1,
    inArguments: [],
    outArguments: ["NewConnectionStatus", "NewLastConnectionError", "NewUptime"],
  },
  GetConnectionTypeInfo: {
    name: "GetConnectionTypeInfo",
    since: 1,
    inArguments: [],
    outArguments: ["NewConnectionType", "NewPossibleConnectionTypes"],
  },
  AddAnyPortMapping: { name: "AddAnyPortMapping", since: 2, inArguments: newPortMapping, outArguments: ["NewReservedPort"] },
  GetListOfPortMappings: {
    name: "GetListOfPortMappings",
    since: 2,
    inArguments: [...portRange, ["NewNumberOfPorts", "ui2"]],
    outArguments: ["NewPortListing"],
  },
  DeletePortMappingRange: { name: "DeletePortMappingRange", since: 2, inArguments: portRange, outArguments: [] },
} as const satisfies Record<string, ActionSpec>;

/** In-argument values by name; a missing one is sent as the empty string. */
export type ActionInputs<S extends ActionSpec> = { readonly [N in S["inArguments"][number][0]]?: ArgumentValue };

/** Out-argument texts by name; one the router left out is the empty string. */
export type ActionOutputs<S extends ActionSpec> = { [N in S["outArguments"][number]]: string };

/**
 * Checks the inputs of an action and returns them as SOAP arguments in the table's order.
 * @throws InvalidArgumentError when an input fails its check.
 */
export function formatInputs<S extends ActionSpec>(spec: S, inputs: ActionInputs<S>): SoapArgument[] {
  const values: Readonly<Record<string, ArgumentValue>> = inputs;
  return spec.inArguments.map(([name, kind]) => [name, formatArgument(kind, name, values[name])] as const);
}

/**
 * Invokes an action from the table: checks and orders the in-arguments, POSTs, and picks the
 * declared out-arguments from the reply. Out-argument names are matched case-insensitively;
 * one the router left out (some omit e.g. NewLastConnectionError) comes back as "".
 *
 * @throws InvalidArgumentError before any traffic when an input fails its check.
 * @throws UpnpActionError, HttpError, InvalidResponseError, TimeoutError as `soapCall` does.
 */
export async function invokeAction<S extends ActionSpec>(
  service: ServiceEndpoint,
  spec: S,
  inputs: ActionInputs<S>,
  options: ActionCallOptions = {},
): Promise<ActionOutputs<S>> {
  const args = formatInputs(spec, inputs);
  // Only the known options: callers pass wider objects (e.g. the gateway's add options).
  const { signal, timeoutMs, localAddress } = options;
  const reply = await soapCall({
    controlUrl: service.controlUrl,
    serviceType: service.serviceType,
    action: spec.name,
    args,
    signal,
    timeoutMs,
    localAddress,
    hasOutArguments: spec.outArguments.length > 0,
  });
  const byLowerName = new Map(Object.entries(reply).map(([name, text]) => [name.toLowerCase(), text]));
  const outputs: Record<string, string> = {};
  for (const name of spec.outArguments) outputs[name] = byLowerName.get(name.toLowerCase()) ?? "";
  return outputs as ActionOutputs<S>;
}
