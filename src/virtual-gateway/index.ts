export { startVirtualGateway, type VirtualGateway, type VirtualGatewayOptions } from "./virtual-gateway.js";
export type { ConnectionStatus, GatewayEndpoint } from "./gateway-config.js";
export type { GatewayQuirks } from "./quirks.js";
export type { MappingTableEntry } from "./port-mapping-table.js";
export type { PinholeTableEntry } from "./pinhole-table.js";
export type { SoapRequestRecord } from "./soap-server.js";
export { quirkProfiles, type GatewayProtocols, type QuirkProfile, type QuirkProfileName } from "./quirk-profiles.js";
export type { VirtualGatewayActivity } from "./gateway-activity.js";
