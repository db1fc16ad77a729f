// Redot/Godot-compatible API.
export { UPNP, type DiscoverOptions } from "./compat/upnp.js";
export { UPNPDevice } from "./compat/upnp-device.js";
export { UPNPResult, IGDStatus, resultForUpnpCode } from "./compat/result-codes.js";
export { resultOf, resultNameOf, igdStatusOf } from "./compat/result-of.js";

// The one mapping interface, whatever the protocol.
export type { PortMapper, Mapping, MapRequest, MappingKey, MappingMethod, MappingCheck, GatewayEvent, TransportProtocol } from "./mapping/port-mapper.js";
export { DEFAULT_MAPPING_LEASE_SECONDS } from "./mapping/map-request.js";
export { findPortMapper } from "./discovery/find-port-mapper.js";
export { portMapperFinder, findAnyPortMapper } from "./discovery/port-mapper-finder.js";
export { probePortMappers, type ProtocolProbe } from "./discovery/probe-port-mappers.js";
export { protocolPreference, type FindPortMapperOptions, type ProtocolChoice } from "./discovery/port-mapper-attempts.js";
export { UpnpPortMapper, type UpnpPortMapperOptions } from "./upnp/upnp-port-mapper.js";
export { UpnpPinholeMapper, type UpnpPinholeMapperOptions } from "./upnp/firewall/upnp-pinhole-mapper.js";
export { firewallControlErrorNames, type FirewallStatus } from "./upnp/igd/firewall-control.js";
export { NatPmpPortMapper, type NatPmpPortMapperOptions } from "./natpmp/natpmp-port-mapper.js";
export { PcpPortMapper, type PcpPortMapperOptions } from "./pcp/pcp-port-mapper.js";

// NAT-PMP (RFC 6886) and PCP (RFC 6887) clients, for callers who want the protocol itself.
export {
  NatPmpClient,
  DEFAULT_NATPMP_TIMEOUT_MS,
  type NatPmpClientOptions,
  type NatPmpReplyInfo,
  type NatPmpExternalAddressReply,
  type NatPmpMapReply,
} from "./natpmp/natpmp-client.js";
export { PcpClient, DEFAULT_PCP_TIMEOUT_MS, type PcpClientOptions, type PcpReplyInfo, type PcpMapRequest, type PcpMapReply } from "./pcp/pcp-client.js";
export { randomNonce, derivedNonces, type PcpNonceSource, type PcpMappingIdentity } from "./pcp/pcp-nonce.js";
export { upnpMapperFinder, type UpnpMapperFinderOptions } from "./upnp/find-upnp-mapper.js";
export type { AnnouncementListenOptions } from "./upnp/ssdp/announcement-listener.js";

// Managed mappings: kept open, renewed, checked and put back until closed.
export { openPort, type OpenPortOptions } from "./manager/open-port.js";
export { MappingManager } from "./manager/mapping-manager.js";
export { ManagedPort } from "./manager/managed-port.js";
export type { ManagedPortState } from "./manager/port-keeper.js";
export type { ManagedPortOptions, MappingManagerOptions, FindMapper } from "./manager/managed-port-options.js";
export type {
  ManagedPortEvents,
  PortIdentity,
  GrantedMappingEvent,
  PortChangedEvent,
  LostEvent,
  LostReason,
  ExternalAddressChangedEvent,
  ReleasedEvent,
} from "./manager/managed-port-events.js";
export { systemClock, type Clock } from "./manager/clock.js";
export type { RetryPolicy } from "./manager/retry-policy.js";

// Diagnosis: why a port cannot be opened, and how to fix it.
export { diagnose, type DiagnoseOptions, type Diagnosis, type ProtocolState } from "./doctor/diagnose.js";
export type { Finding, FindingId } from "./doctor/finding.js";
export { systemHostEnvironment, type HostEnvironment } from "./doctor/host-environment.js";

// UPnP IGD.
export {
  findGateway,
  findGateways,
  discoverDevices,
  type FindGatewayOptions,
  type FindGatewaysOptions,
  type DiscoveredDevice,
} from "./upnp/gateway/find-gateways.js";
export { gatewayFromUrl, probeGateway, type GatewayProbe, type ProbeOptions, type ProbeVerdict } from "./upnp/gateway/probe-gateway.js";
export {
  WanConnection,
  DEFAULT_LEASE_SECONDS,
  DEFAULT_DESCRIPTION,
  DEFAULT_ADD_TIMEOUT_MS,
  type WanConnectionInit,
  type AddPortMappingOptions,
  type ListPortMappingsOptions,
  type PortMappingTable,
  type PortMapping,
} from "./upnp/gateway/wan-connection.js";
export { type GatewayStatus, type GatewayRank } from "./upnp/gateway/connection-status.js";
export type { PortMappingEntry, StatusInfo, ConnectionTypeInfo } from "./upnp/igd/igd-client.js";
export type { RefusedService } from "./upnp/description/control-url-policy.js";
export type { XmlLimits } from "./xml/parse-xml.js";
export type { DeviceDescription, WanConnectionService, FirewallControlService } from "./upnp/description/device-description.js";
export { searchSsdp } from "./upnp/ssdp/ssdp-search.js";
export type { SsdpReply, SsdpSearchOptions, SsdpTraceEvent, SsdpUnicastTarget } from "./upnp/ssdp/ssdp-search-options.js";

// Errors.
export {
  type PortholeErrorOptions,
  type PortholeErrorCode,
  type GatewayProtocol,
  type InvalidArgumentProblem,
  isPortholeError,
  PortholeError,
  InvalidArgumentError,
  UpnpActionError,
  HttpError,
  EmptyDescriptionError,
  TimeoutError,
  InvalidResponseError,
  SocketError,
  NoGatewayError,
  NoExternalAddressError,
  MappingDroppedError,
  NatPmpError,
  PcpError,
  PortUnavailableError,
  natPmpResultCodes,
  pcpResultCodes,
  type ResultCodeMeaning,
  PortClosedError,
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
export { addressScope, isPublicAddress, type AddressScope } from "./net/address-scope.js";
export { systemHostNetwork, type HostNetwork, type InterfaceTable } from "./net/host-network.js";
export { defaultGatewayIPv4, defaultGatewayIPv6 } from "./net/default-gateway.js";
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
  type GatewayEndpoint,
  type GatewayProtocols,
  type MappingTableEntry,
  type PinholeTableEntry,
  type SoapRequestRecord,
} from "./virtual-gateway/index.js";
