import { InvalidResponseError } from "../errors/errors.js";
import { descendants, escapeXmlText, parseXml } from "../xml/parse-xml.js";

/** A control request as the gateway understood it. Nothing in it is trusted yet. */
export interface SoapRequest {
  /** From the SOAPAction header, else the name of the element in the SOAP body. */
  readonly action: string | undefined;
  /** Service type named by the SOAPAction header, else by the action element's namespace. */
  readonly serviceType: string | undefined;
  /** Argument elements in the order received, text trimmed. */
  readonly arguments: ReadonlyArray<readonly [name: string, value: string]>;
}

/** Namespace prefixes of a reply; real routers vary them, clients must not care. */
export interface EnvelopePrefixes {
  readonly envelope: string;
  readonly action: string;
}

function parseSoapActionHeader(header: string | undefined): { serviceType: string; action: string } | undefined {
  const value = header?.trim().replace(/^"|"$/g, "");
  const hash = value?.lastIndexOf("#") ?? -1;
  if (value === undefined || hash <= 0 || hash === value.length - 1) return undefined;
  return { serviceType: value.slice(0, hash), action: value.slice(hash + 1) };
}

export function parseSoapRequest(body: string, soapActionHeader: string | undefined): SoapRequest {
  const header = parseSoapActionHeader(soapActionHeader);
  let actionElement;
  try {
    actionElement = descendants(parseXml(body), "Body")[0]?.children[0];
  } catch (error) {
    if (!(error instanceof InvalidResponseError)) throw error;
  }
  const namespace = Object.entries(actionElement?.attributes ?? {}).find(([name]) => name.startsWith("xmlns"))?.[1];
  return {
    action: header?.action ?? actionElement?.name,
    serviceType: header?.serviceType ?? namespace,
    arguments: (actionElement?.children ?? []).map((child) => [child.name, child.text.trim()] as const),
  };
}

function envelope(prefixes: EnvelopePrefixes, body: string): string {
  const s = prefixes.envelope;
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\r\n` +
    `<${s}:Envelope xmlns:${s}="http://schemas.xmlsoap.org/soap/envelope/" ` +
    `${s}:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/">` +
    `<${s}:Body>${body}</${s}:Body></${s}:Envelope>\r\n`
  );
}

/** `cdata` must not contain "]]>"; documents built with escapeXmlText never do. */
export function soapResponse(
  action: string,
  serviceType: string,
  outputs: ReadonlyArray<readonly [string, string | { readonly cdata: string }]>,
  prefixes: EnvelopePrefixes,
): string {
  const u = prefixes.action;
  const encode = (value: string | { readonly cdata: string }): string =>
    typeof value === "string" ? escapeXmlText(value) : `<![CDATA[${value.cdata}]]>`;
  const values = outputs.map(([name, value]) => `<${name}>${encode(value)}</${name}>`).join("");
  return envelope(prefixes, `<${u}:${action}Response xmlns:${u}="${serviceType}">${values}</${u}:${action}Response>`);
}

/** A UPnP fault: HTTP 500 with `s:Fault` / `detail` / `UPnPError` (UDA 1.1 section 3.2.2). */
export function soapFault(code: number, description: string, prefixes: EnvelopePrefixes): string {
  const s = prefixes.envelope;
  return envelope(
    prefixes,
    `<${s}:Fault><faultcode>${s}:Client</faultcode><faultstring>UPnPError</faultstring><detail>` +
      `<UPnPError xmlns="urn:schemas-upnp-org:control-1-0"><errorCode>${code}</errorCode>` +
      `<errorDescription>${escapeXmlText(description)}</errorDescription></UPnPError>` +
      `</detail></${s}:Fault>`,
  );
}
