import type { GatewayConfig } from "./gateway-config.js";
import { actionsOf, type ActionSpec, type ServiceKind } from "./service-actions.js";

export interface ServiceModel {
  readonly kind: ServiceKind;
  /** Type written in the description and used as the SOAP namespace. */
  readonly serviceType: string;
  /** Type announced over SSDP (differs under `announceIgd1ButDescribeIgd2`). */
  readonly advertisedType: string;
  readonly serviceId: string;
  readonly scpdPath: string;
  readonly controlPath: string;
  readonly eventPath: string;
  readonly actions: readonly ActionSpec[];
}

export interface DeviceModel {
  readonly deviceType: string;
  readonly advertisedType: string;
  readonly udn: string;
  readonly friendlyName: string;
  readonly services: readonly ServiceModel[];
  readonly devices: readonly DeviceModel[];
}

export interface GatewayModel {
  readonly root: DeviceModel;
  /** The WANConnectionDevice and its WANIPConnection or WANPPPConnection service. */
  readonly connectionDevice: DeviceModel;
  readonly connectionService: ServiceModel;
  /** Version of the described connection service: 2 gives WANIPConnection:2 lease rules. */
  readonly connectionVersion: number;
  /**
   * WANIPv6FirewallControl:1, in the WANConnectionDevice of an IGD:2; an IGD:1 does not describe
   * or announce it, yet answers at its control URL as miniupnpd does (shared reference notes).
   */
  readonly firewallService: ServiceModel;
}

/** Where the root description is served; moved under `/desc/` so a late URLBase matters. */
export function descriptionPath(config: GatewayConfig): string {
  return config.quirks.urlBaseAfterDevice ? "/desc/rootDesc.xml" : "/rootDesc.xml";
}

/** File names follow miniupnpd's, so captures from both look alike. */
const servicePaths: Readonly<Record<ServiceKind, { scpd: string; name: string; id: string }>> = {
  Layer3Forwarding: { scpd: "/L3F.xml", name: "L3F", id: "L3Forwarding1" },
  WANCommonInterfaceConfig: { scpd: "/WANCfg.xml", name: "CmnIfCfg", id: "WANCommonIFC1" },
  WANIPConnection: { scpd: "/WANIPCn.xml", name: "IPConn", id: "WANIPConn1" },
  WANPPPConnection: { scpd: "/WANPPPCn.xml", name: "PPPConn", id: "WANPPPConn1" },
  WANIPv6FirewallControl: { scpd: "/WANIP6FC.xml", name: "IP6FCtl", id: "WANIPv6Firewall1" },
};

/**
 * The device tree of the gateway: IGD > WANDevice > WANConnectionDevice > WAN connection service,
 * with Layer3Forwarding on the root and WANCommonInterfaceConfig on the WANDevice (IGD 1.0 / 2.0
 * device templates).
 */
export function buildDeviceModel(config: GatewayConfig): GatewayModel {
  const { quirks } = config;
  const schema = quirks.dslforumServiceNames ? "urn:dslforum-org" : "urn:schemas-upnp-org";
  const idSchema = quirks.dslforumServiceNames ? "urn:dslforum-org" : "urn:upnp-org";
  const version = quirks.dslforumServiceNames ? 1 : config.igdVersion;
  const advertisedVersion = (described: number): number => (quirks.announceIgd1ButDescribeIgd2 ? 1 : described);
  const uuidStem = config.uuid.slice(0, -2);

  const service = (kind: ServiceKind, serviceVersion: number): ServiceModel => {
    const paths = servicePaths[kind];
    return {
      kind,
      serviceType: `${schema}:service:${kind}:${serviceVersion}`,
      advertisedType: `${schema}:service:${kind}:${advertisedVersion(serviceVersion)}`,
      serviceId: `${idSchema}:serviceId:${paths.id}`,
      scpdPath: paths.scpd,
      controlPath: `/ctl/${paths.name}`,
      eventPath: `/evt/${paths.name}`,
      actions: actionsOf(kind, serviceVersion),
    };
  };
  const device = (
    name: string,
    udnSuffix: string,
    services: ServiceModel[],
    devices: DeviceModel[] = [],
  ): DeviceModel => ({
    deviceType: `${schema}:device:${name}:${version}`,
    advertisedType: `${schema}:device:${name}:${advertisedVersion(version)}`,
    udn: `uuid:${uuidStem}${udnSuffix}`,
    friendlyName: name === "InternetGatewayDevice" ? "porthole virtual gateway" : name,
    services,
    devices,
  });

  const connectionVersion = config.connection === "ppp" ? 1 : version;
  const connectionService = service(config.connection === "ppp" ? "WANPPPConnection" : "WANIPConnection", connectionVersion);
  const firewallService = service("WANIPv6FirewallControl", 1);
  const connectionDevice = device("WANConnectionDevice", "02", version >= 2 ? [connectionService, firewallService] : [connectionService]);
  const wanDevice = device("WANDevice", "01", [service("WANCommonInterfaceConfig", 1)], [connectionDevice]);
  const root = device("InternetGatewayDevice", "00", [service("Layer3Forwarding", 1)], [wanDevice]);
  return { root, connectionDevice, connectionService, connectionVersion, firewallService };
}

export function allDevices(root: DeviceModel): DeviceModel[] {
  return [root, ...root.devices.flatMap(allDevices)];
}

/** Every service the gateway answers: those described, and the firewall control an IGD:1 answers undescribed. */
export function servedServices(model: GatewayModel): ServiceModel[] {
  const described = allDevices(model.root).flatMap((device) => device.services);
  return described.includes(model.firewallService) ? described : [...described, model.firewallService];
}

