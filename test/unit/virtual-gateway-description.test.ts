import { test } from "node:test";
import assert from "node:assert/strict";
import { type VirtualGateway } from "../../src/virtual-gateway/index.js";
import { childElement, childText, descendants, parseXml, type XmlElement } from "../../src/xml/parse-xml.js";
import { rawHttp, withGateway } from "./virtual-gateway-test-client.js";


async function description(gateway: VirtualGateway): Promise<XmlElement> {
  const response = await rawHttp(gateway.descriptionUrl);
  assert.equal(response.status, 200);
  return parseXml(response.body.toString("utf8"));
}

const serviceTypes = (root: XmlElement): string[] => descendants(root, "serviceType").map((element) => element.text);

test("the description nests IGD > WANDevice > WANConnectionDevice > WANIPConnection:2", () =>
  withGateway({}, async (gateway) => {
    const root = await description(gateway);
    const device = childElement(root, "device")!;
    assert.equal(childText(device, "deviceType"), "urn:schemas-upnp-org:device:InternetGatewayDevice:2");
    assert.equal(childText(device, "friendlyName"), "porthole virtual gateway");
    assert.match(childText(device, "UDN") ?? "", /^uuid:/);
    const wanDevice = childElement(childElement(device, "deviceList")!, "device")!;
    assert.equal(childText(wanDevice, "deviceType"), "urn:schemas-upnp-org:device:WANDevice:2");
    const connectionDevice = childElement(childElement(wanDevice, "deviceList")!, "device")!;
    assert.equal(childText(connectionDevice, "deviceType"), "urn:schemas-upnp-org:device:WANConnectionDevice:2");
    const service = descendants(connectionDevice, "service")[0]!;
    assert.equal(childText(service, "serviceType"), "urn:schemas-upnp-org:service:WANIPConnection:2");
    assert.equal(childText(service, "controlURL"), "/ctl/IPConn");
    assert.ok(serviceTypes(root).includes("urn:schemas-upnp-org:service:Layer3Forwarding:1"));
    assert.equal(descendants(root, "URLBase").length, 0);
  }));

test("every SCPD is served and lists its actions with arguments in template order", () =>
  withGateway({}, async (gateway) => {
    const root = await description(gateway);
    for (const service of descendants(root, "service")) {
      const scpd = await rawHttp(new URL(childText(service, "SCPDURL")!, gateway.descriptionUrl).href);
      assert.equal(scpd.status, 200);
      const document = parseXml(scpd.body.toString());
      assert.equal(document.name, "scpd");
      assert.ok(descendants(document, "action").length > 0);
      assert.ok(descendants(document, "stateVariable").length > 0);
    }
    const wanIp = parseXml((await rawHttp(new URL("/WANIPCn.xml", gateway.descriptionUrl).href)).body.toString());
    const actions = descendants(wanIp, "action");
    const names = actions.map((action) => childText(action, "name"));
    assert.ok(names.includes("AddAnyPortMapping") && names.includes("GetListOfPortMappings"));
    const add = actions.find((action) => childText(action, "name") === "AddPortMapping")!;
    assert.deepEqual(
      descendants(add, "argument").map((argument) => childText(argument, "name")),
      ["NewRemoteHost", "NewExternalPort", "NewProtocol", "NewInternalPort", "NewInternalClient", "NewEnabled", "NewPortMappingDescription", "NewLeaseDuration"],
    );
  }));

test("igdVersion 1, PPP and dslforum variants describe the matching types", async () => {
  await withGateway({ igdVersion: 1 }, async (gateway) => {
    const root = await description(gateway);
    assert.equal(childText(childElement(root, "device")!, "deviceType"), "urn:schemas-upnp-org:device:InternetGatewayDevice:1");
    assert.ok(serviceTypes(root).includes("urn:schemas-upnp-org:service:WANIPConnection:1"));
    const scpd = await rawHttp(new URL("/WANIPCn.xml", gateway.descriptionUrl).href);
    assert.doesNotMatch(scpd.body.toString(), /AddAnyPortMapping/);
  });
  await withGateway({ connection: "ppp" }, async (gateway) => {
    const types = serviceTypes(await description(gateway));
    assert.ok(types.includes("urn:schemas-upnp-org:service:WANPPPConnection:1"));
    assert.ok(!types.some((type) => type.includes("WANIPConnection")));
  });
  await withGateway({ quirks: { dslforumServiceNames: true } }, async (gateway) => {
    const root = await description(gateway);
    assert.equal(childText(childElement(root, "device")!, "deviceType"), "urn:dslforum-org:device:InternetGatewayDevice:1");
    assert.ok(serviceTypes(root).includes("urn:dslforum-org:service:WANIPConnection:1"));
  });
});

test("urlBaseAfterDevice writes URLBase after <device> and moves the description (nicotine-plus#2955)", () =>
  withGateway({ quirks: { urlBaseAfterDevice: true, controlUrlStyle: "relative-no-slash" } }, async (gateway) => {
    assert.match(gateway.descriptionUrl, /\/desc\/rootDesc\.xml$/);
    const root = await description(gateway);
    assert.deepEqual(root.children.map((child) => child.name), ["specVersion", "device", "URLBase"]);
    const base = childText(root, "URLBase")!;
    assert.equal(base, `${new URL(gateway.descriptionUrl).origin}/`);
    const controlUrl = descendants(root, "controlURL")[0]!.text;
    assert.equal(controlUrl, "ctl/L3F");
    // Resolved against URLBase the URL works; resolved against the description's location it does not.
    assert.equal((await rawHttp(new URL("L3F.xml", base).href)).status, 200);
    assert.equal((await rawHttp(new URL("L3F.xml", gateway.descriptionUrl).href)).status, 404);
  }));

test("controlUrlStyle absolute writes full URLs", () =>
  withGateway({ quirks: { controlUrlStyle: "absolute" } }, async (gateway) => {
    const urls = descendants(await description(gateway), "controlURL").map((element) => element.text);
    const origin = new URL(gateway.descriptionUrl).origin;
    assert.ok(urls.length === 4 && urls.every((url) => url.startsWith(`${origin}/ctl/`)));
  }));

test("invalidUtf8InDescription puts Latin-1 bytes in a UTF-8 document (aioupnp#7)", () =>
  withGateway({ quirks: { invalidUtf8InDescription: true } }, async (gateway) => {
    const response = await rawHttp(gateway.descriptionUrl);
    assert.ok(response.body.includes(Buffer.from([0x61, 0x63, 0x63, 0xe8, 0x73]))); // "accès" in Latin-1
    assert.throws(() => new TextDecoder("utf-8", { fatal: true }).decode(response.body), (error: unknown) => error instanceof TypeError && (error as NodeJS.ErrnoException).code === "ERR_ENCODING_INVALID_ENCODED_DATA");
    assert.match(response.body.toString("latin1"), /encoding="UTF-8"/);
  }));

test("the standard reply is HTTP/1.1 with Content-Length and text/xml", () =>
  withGateway({}, async (gateway) => {
    const response = await rawHttp(gateway.descriptionUrl);
    assert.equal(response.statusLine, "HTTP/1.1 200 OK");
    assert.equal(Number(response.headers["content-length"]), response.body.length);
    assert.equal(response.raw.length, response.raw.indexOf("\r\n\r\n") + 4 + response.body.length);
    assert.equal(response.headers["content-type"], 'text/xml; charset="utf-8"');
  }));

test("chunkedReplies sends the same document in chunks (BiPAC)", () =>
  withGateway({ quirks: { chunkedReplies: true } }, async (gateway) => {
    const response = await rawHttp(gateway.descriptionUrl);
    assert.equal(response.headers["transfer-encoding"], "chunked");
    assert.equal(response.headers["content-length"], undefined);
    assert.ok(response.raw.toString("latin1").endsWith("\r\n0\r\n\r\n"));
    assert.equal(parseXml(response.body.toString()).name, "root");
  }));

test("http10NoContentLength replies HTTP/1.0 and ends the body by closing", () =>
  withGateway({ quirks: { http10NoContentLength: true } }, async (gateway) => {
    const response = await rawHttp(gateway.descriptionUrl);
    assert.match(response.statusLine, /^HTTP\/1\.0 200/);
    assert.equal(response.headers["content-length"], undefined);
    assert.match(response.body.toString(), /<\/root>\r\n$/);
  }));

test("trailingJunk sends bytes beyond Content-Length; contentTypeHtml mislabels the reply", () =>
  withGateway({ quirks: { trailingJunk: true, contentTypeHtml: true } }, async (gateway) => {
    const response = await rawHttp(gateway.descriptionUrl);
    const declaredEnd = response.raw.indexOf("\r\n\r\n") + 4 + Number(response.headers["content-length"]);
    assert.ok(response.raw.length > declaredEnd);
    assert.match(response.raw.subarray(declaredEnd).toString("latin1"), /garbage/);
    assert.equal(response.headers["content-type"], "text/html");
  }));

test("unknown paths are 404, wrong methods 405, bad requests 400", () =>
  withGateway({}, async (gateway) => {
    assert.equal((await rawHttp(new URL("/nothing.xml", gateway.descriptionUrl).href)).status, 404);
    assert.equal((await rawHttp(gateway.descriptionUrl, { method: "POST", body: "" })).status, 405);
    assert.equal((await rawHttp(new URL("/ctl/IPConn", gateway.descriptionUrl).href)).status, 405);
    assert.equal((await rawHttp(gateway.descriptionUrl, { headers: { "Content-Length": "x" } })).status, 400);
  }));

test("a chunked request body is read", () =>
  withGateway({}, async (gateway) => {
    const envelope =
      '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>' +
      '<u:GetExternalIPAddress xmlns:u="urn:schemas-upnp-org:service:WANIPConnection:2"/></s:Body></s:Envelope>';
    const half = Math.floor(envelope.length / 2);
    const chunk = (text: string): string => `${Buffer.byteLength(text).toString(16)}\r\n${text}\r\n`;
    const response = await rawHttp(new URL("/ctl/IPConn", gateway.descriptionUrl).href, {
      method: "POST",
      headers: { "Transfer-Encoding": "chunked" },
      body: chunk(envelope.slice(0, half)) + chunk(envelope.slice(half)) + "0\r\n\r\n",
    });
    assert.equal(response.status, 200);
    assert.match(response.body.toString(), /203\.0\.113\.7/);
  }));
