import { InvalidArgumentError, InvalidResponseError, UpnpActionError } from "../../errors/errors.js";
import { formatArgument } from "./igd-arguments.js";
import { formatInputs, igdActions, invokeAction, type ActionCallOptions, type ServiceEndpoint } from "./igd-actions.js";
import { parsePortListing } from "./port-listing.js";
import { parseUptime } from "./uptime.js";
import { parseRouterPort, toPortMappingEntry, type PortMappingEntry, type TransportProtocol } from "./port-mapping-entry.js";

export type { ActionCallOptions, ServiceEndpoint } from "./igd-actions.js";
export type { PortMappingEntry, TransportProtocol } from "./port-mapping-entry.js";

/** What identifies a mapping on the gateway. */
export interface PortMappingKey {
  /** Remote host the mapping is limited to. @default "" (any) */
  remoteHost?: string | undefined;
  /** 1..65535. */
  externalPort: number;
  protocol: TransportProtocol;
}

/** The in-arguments of AddPortMapping and AddAnyPortMapping. */
export interface AddPortMappingRequest extends PortMappingKey {
  /** 1..65535. */
  internalPort: number;
  /** IPv4 address of the host that receives the traffic. */
  internalClient: string;
  /** @default true */
  enabled?: boolean | undefined;
  description: string;
  /** Seconds, 0 = permanent (IGDv2 routers turn 0 into their maximum, often a week). */
  leaseSeconds: number;
}

/** A port range of the IGDv2 range actions. */
export interface PortRange {
  /** 0..65535, at most `endPort`. */
  startPort: number;
  /** 0..65535. */
  endPort: number;
  protocol: TransportProtocol;
  /** true: every client's mappings (may need authorization: 606); false: only ours. */
  manage: boolean;
}

export interface PortListingRequest extends PortRange {
  /** Most entries returned; 0 = as many as the gateway allows. */
  numberOfPorts: number;
}

/** Checks a protocol name in any case and returns it upper-case, as routers need (tailscale#7377). */
export function normalizeProtocol(protocol: string): TransportProtocol {
  return formatArgument("protocol", "protocol", protocol) as TransportProtocol;
}

function keyInputs(key: PortMappingKey) {
  return { NewRemoteHost: key.remoteHost ?? "", NewExternalPort: key.externalPort, NewProtocol: key.protocol };
}

function addInputs(request: AddPortMappingRequest) {
  return {
    ...keyInputs(request),
    NewInternalPort: request.internalPort,
    NewInternalClient: request.internalClient,
    NewEnabled: request.enabled ?? true,
    NewPortMappingDescription: request.description,
    NewLeaseDuration: request.leaseSeconds,
  };
}

function rangeInputs(range: PortRange) {
  if (range.startPort > range.endPort) {
    throw new InvalidArgumentError(
      `port range ${range.startPort}..${range.endPort} ends before it starts`,
      "range",
    );
  }
  return { NewStartPort: range.startPort, NewEndPort: range.endPort, NewProtocol: range.protocol, NewManage: range.manage };
}

/**
 * Checks an AddPortMapping request without sending it, so a caller can fail before touching the
 * router (tailscale PR #20781: do everything that can fail before AddPortMapping).
 * @throws InvalidArgumentError (INVALID_PORT, INVALID_PROTOCOL, INVALID_DURATION, INVALID_ARGS).
 */
export function validateAddPortMapping(request: AddPortMappingRequest): void {
  formatInputs(igdActions.AddPortMapping, addInputs(request));
}

/**
 * The gateway's external address as the router reports it: may be "" (no WAN connection) or a
 * private / CGNAT address (double NAT); `addressScope` tells them apart.
 */
export async function getExternalIPAddress(service: ServiceEndpoint, options?: ActionCallOptions): Promise<string> {
  const outputs = await invokeAction(service, igdActions.GetExternalIPAddress, {}, options);
  return outputs.NewExternalIPAddress;
}

/** Adds or updates a mapping. Errors: see `invokeAction`; the router's refusal is an `UpnpActionError`. */
export async function addPortMapping(
  service: ServiceEndpoint,
  request: AddPortMappingRequest,
  options?: ActionCallOptions,
): Promise<void> {
  await invokeAction(service, igdActions.AddPortMapping, addInputs(request), options);
}

/**
 * IGDv2: adds a mapping on `externalPort` or, when that one is taken, on a port the gateway
 * chooses. Returns the external port actually reserved.
 */
export async function addAnyPortMapping(
  service: ServiceEndpoint,
  request: AddPortMappingRequest,
  options?: ActionCallOptions,
): Promise<number> {
  const outputs = await invokeAction(service, igdActions.AddAnyPortMapping, addInputs(request), options);
  const port = parseRouterPort(outputs.NewReservedPort, "reserved port", "AddAnyPortMapping");
  if (port === 0) throw new InvalidResponseError("AddAnyPortMapping: the gateway reserved port 0");
  return port;
}

export async function deletePortMapping(
  service: ServiceEndpoint,
  key: PortMappingKey,
  options?: ActionCallOptions,
): Promise<void> {
  await invokeAction(service, igdActions.DeletePortMapping, keyInputs(key), options);
}

/** IGDv2: deletes the mappings in a port range (ours only unless `manage`). */
export async function deletePortMappingRange(
  service: ServiceEndpoint,
  range: PortRange,
  options?: ActionCallOptions,
): Promise<void> {
  await invokeAction(service, igdActions.DeletePortMappingRange, rangeInputs(range), options);
}

/** The entry for one mapping; a missing one is an `UpnpActionError` 714 (NO_SUCH_ENTRY_IN_ARRAY). */
export async function getSpecificPortMappingEntry(
  service: ServiceEndpoint,
  key: PortMappingKey,
  options?: ActionCallOptions,
): Promise<PortMappingEntry> {
  const outputs = await invokeAction(service, igdActions.GetSpecificPortMappingEntry, keyInputs(key), options);
  return toPortMappingEntry(
    {
      remoteHost: key.remoteHost ?? "",
      externalPort: String(key.externalPort),
      protocol: key.protocol,
      internalPort: outputs.NewInternalPort,
      internalClient: outputs.NewInternalClient,
      enabled: outputs.NewEnabled,
      description: outputs.NewPortMappingDescription,
      leaseSeconds: outputs.NewLeaseDuration,
    },
    "GetSpecificPortMappingEntry",
  );
}

/** The entry at `index` (0-based) of the gateway's table; past the end routers answer 713 (or 714, 402, 501). */
export async function getGenericPortMappingEntry(
  service: ServiceEndpoint,
  index: number,
  options?: ActionCallOptions,
): Promise<PortMappingEntry> {
  const outputs = await invokeAction(service, igdActions.GetGenericPortMappingEntry, { NewPortMappingIndex: index }, options);
  return toPortMappingEntry(
    {
      remoteHost: outputs.NewRemoteHost,
      externalPort: outputs.NewExternalPort,
      protocol: outputs.NewProtocol,
      internalPort: outputs.NewInternalPort,
      internalClient: outputs.NewInternalClient,
      enabled: outputs.NewEnabled,
      description: outputs.NewPortMappingDescription,
      leaseSeconds: outputs.NewLeaseDuration,
    },
    "GetGenericPortMappingEntry",
  );
}

/**
 * IGDv2: the mappings in a port range. An empty range is `[]`: the spec answers it with 730
 * PortMappingNotFound, older miniupnpd with an empty list.
 */
export async function getListOfPortMappings(
  service: ServiceEndpoint,
  request: PortListingRequest,
  options?: ActionCallOptions,
): Promise<PortMappingEntry[]> {
  const inputs = { ...rangeInputs(request), NewNumberOfPorts: request.numberOfPorts };
  try {
    const outputs = await invokeAction(service, igdActions.GetListOfPortMappings, inputs, options);
    return parsePortListing(outputs.NewPortListing);
  } catch (error) {
    if (error instanceof UpnpActionError && error.upnpCode === 730) return [];
    throw error;
  }
}

/** Connection state of the WAN link (`Connected`, `Disconnected`, ...) as the router reports it. */
export interface StatusInfo {
  connectionStatus: string;
  lastConnectionError: string;
  /** Undefined when the router does not say, or says it in a form not understood. */
  uptimeSeconds: number | undefined;
}

/**
 * The WAN connection's status. Some routers report a wrong status or fail this action while
 * mappings work (godot#25008, #70458), so callers should not treat it as a hard requirement.
 */
export async function getStatusInfo(service: ServiceEndpoint, options?: ActionCallOptions): Promise<StatusInfo> {
  const outputs = await invokeAction(service, igdActions.GetStatusInfo, {}, options);
  return {
    connectionStatus: outputs.NewConnectionStatus,
    lastConnectionError: outputs.NewLastConnectionError,
    uptimeSeconds: parseUptime(outputs.NewUptime),
  };
}

export interface ConnectionTypeInfo {
  /** e.g. `IP_Routed`. */
  connectionType: string;
  possibleConnectionTypes: string[];
}

export async function getConnectionTypeInfo(service: ServiceEndpoint, options?: ActionCallOptions): Promise<ConnectionTypeInfo> {
  const outputs = await invokeAction(service, igdActions.GetConnectionTypeInfo, {}, options);
  return {
    connectionType: outputs.NewConnectionType,
    // A comma-separated list (UPnP string list); some routers put spaces after the commas.
    possibleConnectionTypes: outputs.NewPossibleConnectionTypes.split(/[\s,]+/).filter((type) => type !== ""),
  };
}
