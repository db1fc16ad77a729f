import { childText, descendants, parseXml, type XmlElement, type XmlLimits } from "../../xml/parse-xml.js";
import { InvalidResponseError } from "../../errors/errors.js";
import { resolveBaseUrl, resolveHttpUrl } from "./description-urls.js";
import { classifyWanServiceType, firewallControlVersion, isGatewayDeviceType, type WanConnectionKind } from "./wan-service-type.js";

export type { WanConnectionKind } from "./wan-service-type.js";

/** A WANIPConnection or WANPPPConnection service found in a device description. */
export interface WanConnectionService {
  /** Exactly as the document writes it, e.g. `urn:schemas-upnp-org:service:WANIPConnection:2`. */
  serviceType: string;
  kind: WanConnectionKind;
  /**
   * Version from the description's service type, never from the SSDP search target: routers
   * announce IGD:1 and describe IGD:2 (rust-igd#12).
   */
  version: number;
  /** Absolute http: URL for SOAP actions. */
  controlUrl: string;
  eventSubUrl?: string;
  scpdUrl?: string;
  serviceId?: string;
  /** Type of the device holding the service, usually a WANConnectionDevice. */
  deviceType: string;
  deviceUdn?: string;
}

/**
 * A WANIPv6FirewallControl service: IGD:2's IPv6 firewall, where pinholes are opened. It sits
 * beside WANIPConnection in the WANConnectionDevice.
 */
export interface FirewallControlService {
  serviceType: string;
  version: number;
  /** Absolute http: URL for SOAP actions. */
  controlUrl: string;
  /** Type of the device holding the service, usually a WANConnectionDevice. */
  deviceType: string;
  deviceUdn?: string;
}

/** The parts of a UPnP device description porthole uses. */
export interface DeviceDescription {
  /** The URL the description was fetched from, as given. */
  descriptionUrl: string;
  /** Base of every relative URL in the document: URLBase, or else the description URL. */
  baseUrl: string;
  /** Type of the root device. */
  deviceType: string;
  friendlyName?: string;
  manufacturer?: string;
  modelName?: string;
  udn?: string;
  /** The root device or one of its embedded devices is an InternetGatewayDevice. */
  isGatewayDevice: boolean;
  /**
   * Every WAN connection service with a usable control URL, best first: WANIPConnection:2,
   * WANIPConnection:1, WANPPPConnection:1, then the TR-064 (`urn:dslforum-org`) names; document
   * order within a rank. Empty when the device is no gateway. Which of them is connected is for
   * the caller to ask.
   */
  wanConnectionServices: WanConnectionService[];
  /** Every WANIPv6FirewallControl service with a usable control URL, in document order. */
  firewallControlServices: FirewallControlService[];
}

/**
 * Reads a device description. Not being a gateway is not an error (the service list is empty);
 * text that is not XML, or XML without a `<device>`, is an `InvalidResponseError`.
 *
 * @param xmlText the decoded document
 * @param descriptionUrl where it was fetched from (the SSDP LOCATION); relative URLs resolve
 *   against it when the document has no URLBase
 * @param xmlLimits nesting and element limits for the document (see `parseXml`)
 */
export function parseDeviceDescription(xmlText: string, descriptionUrl: string, xmlLimits?: XmlLimits): DeviceDescription {
  const document = parseXml(xmlText, xmlLimits);
  const rootDevice = descendants(document, "device")[0];
  if (!rootDevice) throw new InvalidResponseError(`the description at ${descriptionUrl} has no <device> element`);

  // nicotine-plus#2955: MikroTik writes <URLBase> after <device>, so URLs are resolved only once
  // the whole document has been read, and URLBase is looked for anywhere in it.
  const urlBase = descendants(document, "URLBase")[0]?.text.trim();
  const baseUrl = resolveBaseUrl(urlBase, descriptionUrl);

  const services = serviceElementsInDocumentOrder(rootDevice);
  const ranked = services
    .map(({ service, device }) => readWanService(service, device, baseUrl))
    .filter((entry) => entry !== undefined);
  // Array.prototype.sort is stable, so services of the same rank keep their document order.
  ranked.sort((a, b) => a.rank - b.rank);

  return {
    descriptionUrl,
    baseUrl,
    deviceType: childText(rootDevice, "deviceType") ?? "",
    friendlyName: optionalText(rootDevice, "friendlyName"),
    manufacturer: optionalText(rootDevice, "manufacturer"),
    modelName: optionalText(rootDevice, "modelName"),
    udn: optionalText(rootDevice, "UDN"),
    isGatewayDevice: [rootDevice, ...descendants(rootDevice, "device")].some((device) =>
      isGatewayDeviceType(childText(device, "deviceType") ?? ""),
    ),
    wanConnectionServices: ranked.map((entry) => entry.service),
    firewallControlServices: services.map(({ service, device }) => readFirewallService(service, device, baseUrl)).filter((entry) => entry !== undefined),
  };
}

interface ServiceInDevice {
  service: XmlElement;
  device: XmlElement;
}

/** Services of the device and of its embedded devices, at any depth, in document order. */
function serviceElementsInDocumentOrder(device: XmlElement): ServiceInDevice[] {
  const found: ServiceInDevice[] = [];
  for (const child of device.children) {
    const name = child.name.toLowerCase();
    if (name === "servicelist") {
      for (const service of childrenNamed(child, "service")) found.push({ service, device });
    } else if (name === "devicelist") {
      for (const embedded of childrenNamed(child, "device")) found.push(...serviceElementsInDocumentOrder(embedded));
    }
  }
  return found;
}

function readWanService(
  element: XmlElement,
  device: XmlElement,
  baseUrl: string,
): { service: WanConnectionService; rank: number } | undefined {
  const serviceType = childText(element, "serviceType") ?? "";
  const type = classifyWanServiceType(serviceType);
  if (!type) return undefined;
  // A service without a usable control URL cannot be driven; the caller reports INVALID_CONTROL
  // when no service remains.
  const controlUrl = resolveHttpUrl(childText(element, "controlURL"), baseUrl);
  if (controlUrl === undefined) return undefined;
  return {
    rank: type.rank,
    service: {
      serviceType,
      kind: type.kind,
      version: type.version,
      controlUrl,
      eventSubUrl: resolveHttpUrl(childText(element, "eventSubURL"), baseUrl),
      scpdUrl: resolveHttpUrl(childText(element, "SCPDURL"), baseUrl),
      serviceId: optionalText(element, "serviceId"),
      deviceType: childText(device, "deviceType") ?? "",
      deviceUdn: optionalText(device, "UDN"),
    },
  };
}

function readFirewallService(element: XmlElement, device: XmlElement, baseUrl: string): FirewallControlService | undefined {
  const serviceType = childText(element, "serviceType") ?? "";
  const version = firewallControlVersion(serviceType);
  const controlUrl = resolveHttpUrl(childText(element, "controlURL"), baseUrl);
  if (version === undefined || controlUrl === undefined) return undefined;
  return { serviceType, version, controlUrl, deviceType: childText(device, "deviceType") ?? "", deviceUdn: optionalText(device, "UDN") };
}

function childrenNamed(parent: XmlElement, name: string): XmlElement[] {
  const wanted = name.toLowerCase();
  return parent.children.filter((child) => child.name.toLowerCase() === wanted);
}

/** Trimmed text, or undefined when the element is missing or empty. */
function optionalText(parent: XmlElement, name: string): string | undefined {
  return childText(parent, name) || undefined;
}
