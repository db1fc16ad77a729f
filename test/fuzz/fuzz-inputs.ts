/**
 * Inputs for the parser fuzzers: the golden fixtures (and a few hand-written SOAP replies, SSDP
 * replies and URLs) as seeds, mutated by fast-check, plus token soups that reach odd corners no
 * fixture is near. Every input is bounded in size, so a parser that hangs shows up as a hang and
 * not as a slow large input.
 */
import { readdirSync, readFileSync } from "node:fs";
import fc from "fast-check";

// Compiled to build/test/fuzz, the fixtures stay in the source tree.
const descriptionDirectory = new URL("../../../test/fixtures/descriptions/", import.meta.url);

export const descriptionSeeds: readonly string[] = readdirSync(descriptionDirectory)
  .filter((name) => name.endsWith(".xml"))
  .sort()
  .map((name) => readFileSync(new URL(name, descriptionDirectory), "utf8"));

const envelope = (inner: string): string =>
  `<?xml version="1.0"?>\r\n<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" s:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"><s:Body>${inner}</s:Body></s:Envelope>\r\n`;

const listing =
  '<?xml version="1.0" encoding="UTF-8"?><p:PortMappingList xmlns:p="urn:schemas-upnp-org:gw:WANIPConnection">' +
  "<p:PortMappingEntry><p:NewRemoteHost></p:NewRemoteHost><p:NewExternalPort>7777</p:NewExternalPort><p:NewProtocol>UDP</p:NewProtocol>" +
  "<p:NewInternalPort>7777</p:NewInternalPort><p:NewInternalClient>192.0.2.2</p:NewInternalClient><p:NewEnabled>1</p:NewEnabled>" +
  "<p:NewDescription>porthole &amp; co</p:NewDescription><p:NewLeaseTime>3600</p:NewLeaseTime></p:PortMappingEntry></p:PortMappingList>";

export const portListingSeeds: readonly string[] = [listing, listing.replace("<p:PortMappingEntry>", "<p:PortMappingEntry/><p:PortMappingEntry>")];

export const soapSeeds: readonly string[] = [
  envelope(
    '<u:GetExternalIPAddressResponse xmlns:u="urn:schemas-upnp-org:service:WANIPConnection:2"><NewExternalIPAddress>203.0.113.7</NewExternalIPAddress></u:GetExternalIPAddressResponse>',
  ),
  envelope(
    "<s:Fault><faultcode>s:Client</faultcode><faultstring>UPnPError</faultstring><detail>" +
      '<UPnPError xmlns="urn:schemas-upnp-org:control-1-0"><errorCode>718</errorCode><errorDescription>ConflictInMappingEntry</errorDescription></UPnPError>' +
      "</detail></s:Fault>",
  ),
  envelope("<s:Fault><faultcode>s:Client</faultcode><faultstring>bad request</faultstring></s:Fault>"),
  envelope(`<u:GetListOfPortMappingsResponse xmlns:u="urn:x"><NewPortListing><![CDATA[${listing}]]></NewPortListing></u:GetListOfPortMappingsResponse>`),
  envelope(
    `<m:GetListOfPortMappingsResponse xmlns:m="urn:x"><NewPortListing>${listing.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")}</NewPortListing></m:GetListOfPortMappingsResponse>`,
  ),
];

export const ssdpSeeds: readonly string[] = [
  "HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=120\r\nST: urn:schemas-upnp-org:device:InternetGatewayDevice:1\r\n" +
    "USN: uuid:3a6f0b2e-4c1d-4e55-9a07-1f2b3c4d5e60::urn:schemas-upnp-org:device:InternetGatewayDevice:1\r\nEXT:\r\n" +
    "SERVER: OpenWRT/OpenWrt UPnP/1.1 MiniUPnPd/2.3.4\r\nLOCATION: http://192.168.1.1:5000/rootDesc.xml\r\nOPT: \"http://schemas.upnp.org/upnp/1/0/\"; ns=01\r\n\r\n",
  "HTTP/1.1 200 OK\nlocation:http://[fe80::1]:49000/igddesc.xml\nst:upnp:rootdevice\nusn:uuid:x\n\n",
  "NOTIFY * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nNT: upnp:rootdevice\r\nNTS: ssdp:alive\r\nLOCATION: http://192.168.1.1/\r\n\r\n",
  "NOTIFY * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nNT: upnp:rootdevice\r\nNTS: ssdp:update\r\nUSN: uuid:x::upnp:rootdevice\r\n" +
    "BOOTID.UPNP.ORG: 1700000000\r\nNEXTBOOTID.UPNP.ORG: 1700000001\r\nCONFIGID.UPNP.ORG: 1337\r\n\r\n",
];

/** Replies as routers send them: with a length, chunked (with extensions), close-delimited, with junk after. */
export const httpResponseSeeds: readonly string[] = [
  `HTTP/1.1 200 OK\r\nContent-Type: text/xml; charset="utf-8"\r\nContent-Length: ${soapSeeds[0]!.length}\r\n\r\n${soapSeeds[0]}`,
  "HTTP/1.1 500 Internal Server Error\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n0\r\nX-Trailer: 1\r\n\r\n",
  "HTTP/1.0 200 OK\nServer: router\n\n<root><device/></root>",
  "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200\r\nContent-Length: 2\r\n\r\nokJUNK AFTER BODY",
];

export const urlSeeds: readonly string[] = [
  "http://192.168.1.1:5000/rootDesc.xml",
  "http://[fe80::1%25eth0]:5000/rootDesc.xml",
  "http://[fe80::1%eth0]/x",
  "http://[2001:db8::1]/ctl?x=1#frag",
  "/ctl/IPConn",
  "ctl/IPConn",
  "https://192.168.1.1:5443/ctl",
  "http://user:pw@router.local:80/a b",
  "file:///etc/passwd",
  "http://127.0.0.1:0/",
];

/** Fragments that mean something to one of the parsers, spliced into seeds by the mutations. */
const tokens: readonly string[] = [
  "<", ">", "</", "/>", "<!--", "-->", "<![CDATA[", "]]>", "<?xml version=\"1.0\"?>", "<?", "?>",
  '<!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>', "<!ENTITY", "&", "&amp;", "&lt;", "&#x0;", "&#0;",
  "&#1114112;", "&#x10FFFF;", "&#xD800;", "&b;", "&#", ";", '"', "'", "=", " ", "\t", "\r\n", "\n", "\r", "\u0000", "\uFFFE",
  "\uD800", "\u{1F600}", "\uFEFF", ":", "s:", "xmlns:s=\"x\"", "<s:Envelope>", "<s:Body>", "<Body>", "<s:Fault>", "<detail>",
  "<UPnPError>", "<errorCode>", "</errorCode>", "<errorDescription>", "999999999999", "-1", "0x1F", "1e3", "<device>", "</device>",
  "<deviceList>", "<serviceList>", "<service>", "</service>", "<serviceType>urn:schemas-upnp-org:service:WANIPConnection:1</serviceType>",
  "<serviceType>urn:dslforum-org:service:WANPPPConnection:99999999999</serviceType>", "<controlURL>", "</controlURL>",
  "<URLBase>", "</URLBase>", "http://", "https://", "file:///", "http://127.0.0.1/", "http://[::1]/", "http://[fe80::1%25eth0]:5000/",
  "%", "%25", "%0d%0a", "%zz", "[", "]", "@", "#", "?", "//", "\\", "__proto__", "constructor", "toString",
  "<PortMappingList>", "<PortMappingEntry>", "<NewExternalPort>", "65536", "TCP", "udp", "true", "<NewEnabled>",
  "HTTP/1.1 200 OK", "HTTP/1.0 200", "LOCATION:", "location: ", "ST:", "USN:", ":", "\r\n\r\n",
];

const mutation = fc.oneof(
  fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), text: fc.oneof(fc.constantFrom(...tokens), fc.string({ unit: "binary", maxLength: 12 })) }),
  fc.record({ kind: fc.constant("delete" as const), at: fc.nat(), length: fc.integer({ min: 1, max: 200 }) }),
  fc.record({ kind: fc.constant("duplicate" as const), at: fc.nat(), length: fc.integer({ min: 1, max: 200 }) }),
  fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("flip" as const), at: fc.nat(), code: fc.integer({ min: 0, max: 0xffff }) }),
);

type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

function applyMutation(text: string, step: Mutation): string {
  const at = step.at % (text.length + 1);
  switch (step.kind) {
    case "insert":
      return text.slice(0, at) + step.text + text.slice(at);
    case "delete":
      return text.slice(0, at) + text.slice(at + step.length);
    case "duplicate":
      return text.slice(0, at + step.length) + text.slice(at, at + step.length) + text.slice(at + step.length);
    case "truncate":
      return text.slice(0, at);
    case "flip":
      return text.slice(0, at) + String.fromCharCode(step.code) + text.slice(at + 1);
  }
}

/** A seed with 1 to 12 mutations applied. */
export function mutatedSeed(seeds: readonly string[]): fc.Arbitrary<string> {
  return fc
    .tuple(fc.constantFrom(...seeds), fc.array(mutation, { minLength: 1, maxLength: 12 }))
    .map(([seed, steps]) => steps.reduce(applyMutation, seed));
}

/** A soup of parser tokens and random text, up to a few kilobytes. */
export const tokenSoup: fc.Arbitrary<string> = fc
  .array(fc.oneof(fc.constantFrom(...tokens), fc.string({ unit: "binary", maxLength: 16 })), { maxLength: 200 })
  .map((parts) => parts.join(""));

/** Mutated seeds most of the time, the seeds as they are, token soups and plain random text. */
export function parserInput(seeds: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 6, arbitrary: mutatedSeed(seeds) },
    { weight: 1, arbitrary: fc.constantFrom(...seeds) },
    { weight: 2, arbitrary: tokenSoup },
    { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 512 }) },
  );
}

// Compiled to build/test/fuzz, the fixtures stay in the source tree.
const binaryFixtureDirectory = new URL("../../../test/fixtures/", import.meta.url);

/** The golden NAT-PMP or PCP messages, as latin1 strings (one character per byte). */
export function binarySeeds(protocol: "natpmp" | "pcp"): string[] {
  const directory = new URL(`${protocol}/`, binaryFixtureDirectory);
  return readdirSync(directory)
    .filter((name) => name.endsWith(".hex"))
    .sort()
    .map((name) =>
      Buffer.from(
        readFileSync(new URL(name, directory), "utf8")
          .split("\n")
          .filter((line) => line.trim() !== "" && !line.trim().startsWith("#"))
          .map((line) => line.trim().split(/\s+/)[0])
          .join(""),
        "hex",
      ).toString("latin1"),
    );
}

/** Bytes, as a latin1 string, with every value equally likely. */
const randomBytes = fc.uint8Array({ maxLength: 160 }).map((bytes) => Buffer.from(bytes).toString("latin1"));

/** A seed with 1 to 6 of its bytes overwritten: the length stays, so the decoders read every field of it. */
function overwrittenSeed(seeds: readonly string[]): fc.Arbitrary<string> {
  const overwrite = fc.record({ at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) });
  return fc.tuple(fc.constantFrom(...seeds), fc.array(overwrite, { minLength: 1, maxLength: 6 })).map(([seed, steps]) => {
    const bytes = Buffer.from(seed, "latin1");
    for (const { at, byte } of steps) if (bytes.length > 0) bytes[at % bytes.length] = byte;
    return bytes.toString("latin1");
  });
}

/**
 * Inputs for the binary decoders (NAT-PMP, PCP): fixtures with bytes overwritten (every field
 * read with other values), fixtures mutated as text (cuts, insertions, duplications: other
 * lengths), the fixtures as they are, and random bytes. The decoders read `Buffer.from(input, "latin1")`.
 */
export function binaryInput(seeds: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: overwrittenSeed(seeds) },
    { weight: 4, arbitrary: mutatedSeed(seeds) },
    { weight: 1, arbitrary: fc.constantFrom(...seeds) },
    { weight: 1, arbitrary: randomBytes },
  );
}
