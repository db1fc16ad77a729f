/**
 * A gateway on 127.0.0.1 that puts hostile text in every string it hands out: its friendly name,
 * external address, mapping descriptions and internal clients, and the descriptions of its UPnP
 * faults. For the CLI's terminal-injection tests.
 */
import type { TestContext } from "node:test";
import { faultReply, soapReply, startControlServer, type CapturedRequest, type Reply } from "../../fixtures/soap/control-server.js";

/** What a malicious router might send: escape sequences, a line break drawing a fake row, a C1 CSI, BEL, DEL, a bidi override. */
export const hostileText = "evil\x1b[2J\x1b[H\r\nFAKE ROW 6666 TCP\u009b31m\x07\x7f\u202egnp.exe";

/** `text` as XML character references, so that every control character reaches the client's parser as sent. */
function xmlText(text: string): string {
  return [...text].map((c) => (/[A-Za-z0-9 .]/.test(c) ? c : `&#${c.codePointAt(0)};`)).join("");
}

const serviceType = "urn:schemas-upnp-org:service:WANIPConnection:1";

function description(controlPath: string): string {
  return (
    `<?xml version="1.0"?><root xmlns="urn:schemas-upnp-org:device-1-0"><specVersion><major>1</major><minor>0</minor></specVersion>` +
    `<device><deviceType>urn:schemas-upnp-org:device:InternetGatewayDevice:1</deviceType><friendlyName>${xmlText(hostileText)}</friendlyName>` +
    `<UDN>uuid:hostile</UDN><deviceList><device><deviceType>urn:schemas-upnp-org:device:WANDevice:1</deviceType><UDN>uuid:hostile-wan</UDN>` +
    `<deviceList><device><deviceType>urn:schemas-upnp-org:device:WANConnectionDevice:1</deviceType><UDN>uuid:hostile-conn</UDN>` +
    `<serviceList><service><serviceType>${serviceType}</serviceType><serviceId>urn:upnp-org:serviceId:WANIPConn1</serviceId>` +
    `<SCPDURL>/scpd.xml</SCPDURL><controlURL>${controlPath}</controlURL><eventSubURL>/evt</eventSubURL></service></serviceList>` +
    `</device></deviceList></device></deviceList></device></root>`
  );
}

const reply = (action: string, inner: string): Reply => ({ body: soapReply(action, inner, serviceType) });
const argument = (request: CapturedRequest, name: string): string => new RegExp(`<${name}>([^<]*)</${name}>`).exec(request.body)?.[1] ?? "";

/** Port for which AddPortMapping is refused with a 718 whose description is hostile. */
export const refusedPort = 6666;

export interface HostileRouter {
  readonly descriptionUrl: string;
}

/**
 * Starts the hostile router. `externalAddress` is what GetExternalIPAddress answers (hostile text
 * by default; a real address lets `map` get as far as printing).
 */
export async function hostileRouter(t: TestContext, externalAddress: string = hostileText): Promise<HostileRouter> {
  const entry = (port: string): string =>
    `<NewInternalPort>${port}</NewInternalPort><NewInternalClient>${xmlText(hostileText)}</NewInternalClient>` +
    `<NewEnabled>1</NewEnabled><NewPortMappingDescription>${xmlText(hostileText)}</NewPortMappingDescription><NewLeaseDuration>3600</NewLeaseDuration>`;
  const server = await startControlServer({
    GetStatusInfo: () => reply("GetStatusInfo", "<NewConnectionStatus>Connected</NewConnectionStatus><NewLastConnectionError>ERROR_NONE</NewLastConnectionError><NewUptime>100</NewUptime>"),
    GetExternalIPAddress: () => reply("GetExternalIPAddress", `<NewExternalIPAddress>${xmlText(externalAddress)}</NewExternalIPAddress>`),
    AddPortMapping: (request) =>
      argument(request, "NewExternalPort") === String(refusedPort) ? faultReply(718, xmlText(hostileText)) : reply("AddPortMapping", ""),
    GetSpecificPortMappingEntry: (request) => reply("GetSpecificPortMappingEntry", entry(argument(request, "NewExternalPort"))),
    GetGenericPortMappingEntry: (request) =>
      argument(request, "NewPortMappingIndex") === "0"
        ? reply("GetGenericPortMappingEntry", `<NewRemoteHost></NewRemoteHost><NewExternalPort>8080</NewExternalPort><NewProtocol>TCP</NewProtocol>${entry("8080")}`)
        : faultReply(713, "SpecifiedArrayIndexInvalid"),
    DeletePortMapping: () => faultReply(714, xmlText(hostileText)),
  }, { documents: { "/rootDesc.xml": description("/ctl/IPConn") } });
  t.after(() => server.close());
  return { descriptionUrl: server.controlUrl.replace("/ctl/IPConn", "/rootDesc.xml") };
}

/** Every character that steers a terminal, LF excepted (our own line breaks). */
export const terminalControl = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
