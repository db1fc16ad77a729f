import { escapeXmlText } from "../xml/parse-xml.js";
import type { GatewayConfig } from "./gateway-config.js";
import type { DeviceModel, GatewayModel, ServiceModel } from "./device-model.js";
import { stateVariableOf } from "./service-actions.js";

/** `http://host:port` with IPv6 hosts in brackets. */
export function httpOrigin(address: string, port: number): string {
  return `http://${address.includes(":") ? `[${address}]` : address}:${port}`;
}

const element = (name: string, content: string): string => `<${name}>${content}</${name}>`;
const textElement = (name: string, text: string): string => element(name, escapeXmlText(text));

function serviceUrl(path: string, config: GatewayConfig, origin: string): string {
  switch (config.quirks.controlUrlStyle ?? "relative") {
    case "absolute":
      return origin + path;
    case "relative-no-slash":
      return path.slice(1);
    case "relative":
      return path;
  }
}

function serviceXml(service: ServiceModel, config: GatewayConfig, origin: string): string {
  return element(
    "service",
    textElement("serviceType", service.serviceType) +
      textElement("serviceId", service.serviceId) +
      textElement("SCPDURL", serviceUrl(service.scpdPath, config, origin)) +
      textElement("controlURL", serviceUrl(service.controlPath, config, origin)) +
      textElement("eventSubURL", serviceUrl(service.eventPath, config, origin)),
  );
}

function deviceXml(device: DeviceModel, config: GatewayConfig, origin: string, friendlyName: string): string {
  const embedded = device.devices.map((child) => deviceXml(child, config, origin, child.friendlyName)).join("");
  return element(
    "device",
    textElement("deviceType", device.deviceType) +
      textElement("friendlyName", friendlyName) +
      textElement("manufacturer", "porthole") +
      textElement("modelDescription", "In-process Internet Gateway Device") +
      textElement("modelName", "porthole virtual gateway") +
      textElement("modelNumber", String(config.igdVersion)) +
      textElement("UDN", device.udn) +
      element("serviceList", device.services.map((service) => serviceXml(service, config, origin)).join("")) +
      (embedded ? element("deviceList", embedded) : ""),
  );
}

/**
 * The root device description. Returned as bytes because `invalidUtf8InDescription` writes the
 * friendly name in Latin-1 inside a document that declares UTF-8 (aioupnp#7).
 */
export function rootDescription(model: GatewayModel, config: GatewayConfig, origin: string): Buffer {
  const { quirks } = config;
  const latin1Name = "Passerelle d'accès virtuelle";
  const friendlyName = quirks.invalidUtf8InDescription ? latin1Name : model.root.friendlyName;
  // MikroTik writes URLBase after the device (nicotine-plus#2955); UDA 1.1 deprecates it, so a
  // standard IGD:2 (like miniupnpd) leaves it out.
  const urlBase = quirks.urlBaseAfterDevice ? textElement("URLBase", `${origin}/`) : "";
  const specMinor = config.igdVersion === 2 && !quirks.dslforumServiceNames ? 1 : 0;
  const xml =
    `<?xml version="1.0" encoding="UTF-8"?>\r\n` +
    `<root xmlns="urn:schemas-upnp-org:device-1-0" configId="1">` +
    element("specVersion", element("major", "1") + element("minor", String(specMinor))) +
    deviceXml(model.root, config, origin, friendlyName) +
    urlBase +
    `</root>\r\n`;
  if (!quirks.invalidUtf8InDescription) return Buffer.from(xml, "utf8");
  const at = xml.indexOf(latin1Name);
  return Buffer.concat([
    Buffer.from(xml.slice(0, at), "utf8"),
    Buffer.from(latin1Name, "latin1"),
    Buffer.from(xml.slice(at + latin1Name.length), "utf8"),
  ]);
}

/** A minimal but valid service description (SCPD), written from the action table. */
export function serviceDescription(service: ServiceModel): string {
  const variables = new Map<string, string>();
  const argumentXml = (name: string, direction: "in" | "out"): string => {
    const variable = stateVariableOf(name);
    variables.set(variable.name, variable.dataType);
    return element(
      "argument",
      textElement("name", name) + textElement("direction", direction) + textElement("relatedStateVariable", variable.name),
    );
  };
  const actions = service.actions
    .map((action) => {
      const args = [
        ...action.inputs.map((name) => argumentXml(name, "in")),
        ...action.outputs.map((name) => argumentXml(name, "out")),
      ].join("");
      return element("action", textElement("name", action.name) + (args ? element("argumentList", args) : ""));
    })
    .join("");
  const stateTable = [...variables]
    .map(([name, dataType]) =>
      `<stateVariable sendEvents="no">${textElement("name", name)}${textElement("dataType", dataType)}</stateVariable>`,
    )
    .join("");
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\r\n` +
    `<scpd xmlns="urn:schemas-upnp-org:service-1-0">` +
    element("specVersion", element("major", "1") + element("minor", "0")) +
    element("actionList", actions) +
    element("serviceStateTable", stateTable) +
    `</scpd>\r\n`
  );
}
