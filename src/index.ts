// Redot/Godot-compatible API.
export { UPNP, type DiscoverOptions } from "./compat/upnp.js";
export { UPNPDevice } from "./compat/upnp-device.js";
export { UPNPResult, IGDStatus, resultForUpnpCode } from "./compat/result-codes.js";

// Idiomatic API.
export {
  findGateway,
  findGateways,
  discoverDevices,
  type FindGatewayOptions,
  type FindGatewaysOptions,
  type DiscoveredDevice,
} from "./gateway/find-gateways.js";
export { gatewayFromUrl, probeGateway, type GatewayProbe, type ProbeOptions } from "./gateway/probe-gateway.js";
export {
  Gateway,
  DEFAULT_LEASE_SECONDS,
  DEFAULT_DESCRIPTION,
  DEFAULT_ADD_TIMEOUT_MS,
  type GatewayInit,
  type AddPortMappingOptions,
  type ListPortMappingsOptions,
  type PortMapping,
} from "./gateway/gateway.js";
export { type GatewayStatus, type GatewayRank } from "./gateway/gateway-status.js";
export type { PortMappingEntry, Protocol, StatusInfo, ConnectionTypeInfo } from "./igd/igd-client.js";
export type { RefusedService } from "./description/control-url-policy.js";
export type { XmlLimits } from "./xml/parse-xml.js";
export type { DeviceDescription, WanConnectionService } from "./description/device-description.js";
export { searchSsdp, type SsdpReply, type SsdpSearchOptions, type SsdpTraceEvent } from "./ssdp/ssdp-search.js";

// Errors.
export {
  type PortholeErrorOptions,
  PortholeError,
  InvalidArgumentError,
  UpnpActionError,
  HttpError,
  TimeoutError,
  InvalidResponseError,
  SocketError,
  NoGatewayError,
  EmptyDescriptionError,
} from "./errors/errors.js";

// Tracing: diagnostics channels that see every HTTP exchange (descriptions and SOAP calls).
export {
  httpRequestStartChannel,
  httpResponseFinishChannel,
  httpRequestErrorChannel,
  type TracedHttpRequest,
} from "./http/http-diagnostics.js";
export type { HttpResponse } from "./http/http-request.js";

// Helpers.
export type { CallOptions } from "./util/deadline.js";
export { addressScope, isPublicAddress, type AddressScope } from "./util/address.js";
export { parseHttpUrl, type HttpTarget } from "./http/http-url.js";

// Virtual gateway for tests without a router.
export {
  startVirtualGateway,
  quirkProfiles,
  type VirtualGateway,
  type VirtualGatewayOptions,
  type VirtualGatewayActivity,
  type GatewayQuirks,
  type QuirkProfile,
  type QuirkProfileName,
  type ConnectionStatus,
  type MappingTableEntry,
  type MappingProtocol,
  type SoapRequestRecord,
} from "./virtual-gateway/index.js";
