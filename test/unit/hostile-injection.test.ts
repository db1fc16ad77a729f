// Injection: every string that goes to the router travels as text. A description holding
// `</NewPortMappingDescription>` must arrive as those characters, not as markup; a remote host,
// an SSDP header or an IPv6 zone cannot carry markup or line breaks at all.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { WanConnection, InvalidArgumentError } from "../../src/index.js";
import { parseHttpUrl } from "../../src/http/http-url.js";
import { buildSoapEnvelope } from "../../src/upnp/soap/soap-envelope.js";
import { buildMSearch } from "../../src/upnp/ssdp/ssdp-message.js";
import { InvalidResponseError } from "../../src/errors/errors.js";
import { childElement, descendants, parseXml } from "../../src/xml/parse-xml.js";
import { virtualGateway } from "./support/virtual-gateway-fixture.js";

const injection = "</NewPortMappingDescription><NewInternalClient>6.6.6.6</NewInternalClient><NewPortMappingDescription>&amp; <![CDATA[x]]> <!-- -->";
const serviceType = "urn:schemas-upnp-org:service:WANIPConnection:2";

function argumentsOf(envelope: string): Array<[string, string]> {
  const action = descendants(parseXml(envelope), "Body")[0]!.children[0]!;
  return action.children.map((child) => [child.name, child.text]);
}

test("a description with closing tags, entities and CDATA stays one argument's text in the envelope", () => {
  const envelope = buildSoapEnvelope(serviceType, "AddPortMapping", [
    ["NewInternalClient", "192.0.2.2"],
    ["NewPortMappingDescription", injection],
  ]);
  assert.deepEqual(argumentsOf(envelope), [
    ["NewInternalClient", "192.0.2.2"],
    ["NewPortMappingDescription", injection],
  ]);
  assert.ok(!envelope.includes("<NewInternalClient>6.6.6.6"));
});

test("any text XML can carry comes back unchanged from the envelope (property)", () => {
  const xmlText = fc.string({ unit: "grapheme", maxLength: 64 }).filter((text) => !/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u.test(text));
  fc.assert(
    fc.property(xmlText, fc.constantFrom("</NewPortMappingDescription>", "&lt;", "]]>", "<!--", "&", "<", ">"), (text, hostile) => {
      const value = text + hostile + text;
      const envelope = buildSoapEnvelope(serviceType, "AddPortMapping", [["NewPortMappingDescription", value], ["NewLeaseDuration", "0"]]);
      assert.deepEqual(argumentsOf(envelope), [["NewPortMappingDescription", value], ["NewLeaseDuration", "0"]]);
    }),
    { numRuns: 300 },
  );
});

test("a hostile description reaches the router as text, and the mapping keeps our own internal client", async (t) => {
  const vg = await virtualGateway(t);
  const gateway = new WanConnection({ controlUrl: vg.descriptionUrl.replace(/\/[^/]*$/, "/ctl/IPConn"), serviceType, localAddress: "127.0.0.1" });
  const mapping = await gateway.addPortMapping({ internalPort: 5555, protocol: "UDP", description: injection });
  assert.equal(mapping.internalClient, "127.0.0.1");
  assert.deepEqual(
    vg.mappings.map((entry) => [entry.description, entry.internalClient]),
    [[injection, "127.0.0.1"]],
  );
  const sent = vg.requests.find((request) => request.action === "AddPortMapping")!;
  assert.deepEqual(
    sent.arguments.map(([name]) => name),
    ["NewRemoteHost", "NewExternalPort", "NewProtocol", "NewInternalPort", "NewInternalClient", "NewEnabled", "NewPortMappingDescription", "NewLeaseDuration"],
  );
  const listed = (await gateway.listPortMappings()).entries;
  assert.equal(listed[0]?.description, injection);
});

test("a remote host or internal client carrying markup is refused before anything is sent", async (t) => {
  const vg = await virtualGateway(t);
  const gateway = new WanConnection({ controlUrl: vg.descriptionUrl.replace(/\/[^/]*$/, "/ctl/IPConn"), serviceType, localAddress: "127.0.0.1" });
  for (const options of [
    { remoteHost: "</NewRemoteHost><NewExternalPort>1" },
    { remoteHost: "1.2.3.4\r\nX: y" },
    { internalClient: "127.0.0.1</NewInternalClient>" },
  ]) {
    await assert.rejects(gateway.addPortMapping({ internalPort: 5556, protocol: "TCP", ...options }), InvalidArgumentError);
  }
  await assert.rejects(gateway.deletePortMapping({ externalPort: 5556, protocol: "TCP", remoteHost: "<x/>" }), InvalidArgumentError);
  assert.deepEqual(vg.requests, []);
});

test("a remote host that is an address is sent as is", () => {
  const envelope = buildSoapEnvelope(serviceType, "DeletePortMapping", [["NewRemoteHost", "2001:db8::1"], ["NewExternalPort", "1"], ["NewProtocol", "TCP"]]);
  assert.deepEqual(argumentsOf(envelope)[0], ["NewRemoteHost", "2001:db8::1"]);
  assert.equal(childElement(parseXml(envelope), "Body")?.name, "Body");
});

test("SSDP headers and IPv6 zones cannot carry line breaks", () => {
  assert.throws(() => buildMSearch({ searchTarget: "ssdp:all\r\nX-Injected: 1", mx: 1, host: "239.255.255.250:1900" }), InvalidArgumentError);
  assert.throws(() => parseHttpUrl("http://[fe80::1%25eth0%0D%0AX:%20y]:5000/"), InvalidResponseError);
  assert.throws(() => parseHttpUrl("http://[fe80::1%25e%2Fth0]:5000/"), InvalidResponseError);
  // WHATWG URL parsing drops tabs and line breaks, so a path cannot split the request line.
  assert.equal(parseHttpUrl("http://192.0.2.1:5000/a\r\nb").path, "/ab");
});
