import { InvalidArgumentError } from "../../errors/errors.js";
import { escapeXmlText } from "../../xml/parse-xml.js";

/** One SOAP in-argument: element name and its text, already formatted. */
export type SoapArgument = readonly [name: string, value: string];

const envelopeNamespace = "http://schemas.xmlsoap.org/soap/envelope/";
const encodingStyle = "http://schemas.xmlsoap.org/soap/encoding/";

// XML 1.0 `Char` production (section 2.2): control characters, lone surrogates and U+FFFE/U+FFFF
// cannot be carried by any escaping, so a value holding one is refused rather than sent broken.
const nonXmlCharacter = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const xmlName = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
// The service type ends up in an attribute and in the SOAPAction header: no quotes, no markup.
const serviceTypePattern = /^[^\s"<>&#]+$/;

function checkName(what: string, name: string): void {
  if (!xmlName.test(name)) throw new InvalidArgumentError(`${what} ${JSON.stringify(name)} is not an XML name`);
}

function checkServiceType(serviceType: string): void {
  if (!serviceTypePattern.test(serviceType)) {
    throw new InvalidArgumentError(`service type ${JSON.stringify(serviceType)} cannot be sent`);
  }
}

/**
 * The SOAP 1.1 request body for one UPnP action.
 *
 * Arguments are written in the order given, which must be the order of the service description
 * (rust-igd#48: routers answer 402 otherwise). Every argument is written even when empty, as
 * `<NewRemoteHost></NewRemoteHost>` (nat-puncher#5: TP-Link answers 402 when it is left out).
 * Values are escaped with `escapeXmlText`: only `&`, `<` and `>` (goupnp: some routers fail on
 * `&quot;`), which is still enough to keep a description from injecting markup.
 *
 * @throws InvalidArgumentError when a name is not an XML name or a value holds a character XML
 * cannot carry (e.g. U+0000).
 */
export function buildSoapEnvelope(serviceType: string, action: string, args: ReadonlyArray<SoapArgument>): string {
  checkServiceType(serviceType);
  checkName("action", action);
  const argumentText = args
    .map(([name, value]) => {
      checkName("argument", name);
      if (nonXmlCharacter.test(value)) {
        throw new InvalidArgumentError(`${action} argument ${name} holds a character XML cannot carry`);
      }
      return `<${name}>${escapeXmlText(value)}</${name}>`;
    })
    .join("");
  return (
    `<?xml version="1.0" encoding="utf-8"?>\n` +
    `<s:Envelope xmlns:s="${envelopeNamespace}" s:encodingStyle="${encodingStyle}">` +
    `<s:Body><u:${action} xmlns:u="${serviceType}">${argumentText}</u:${action}></s:Body>` +
    `</s:Envelope>\n`
  );
}

/**
 * The SOAPAction header value, double quotes included (`"urn:...:WANIPConnection:1#AddPortMapping"`):
 * UPnP Device Architecture 1.1 section 3.2.1 requires them and some routers reject a bare value.
 */
export function soapActionHeader(serviceType: string, action: string): string {
  checkServiceType(serviceType);
  checkName("action", action);
  return `"${serviceType}#${action}"`;
}
