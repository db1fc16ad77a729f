// Hostile device descriptions: entity bombs, nesting and element floods, tags built to make a
// regex backtrack, redirects, control URLs pointing at other hosts, and services that never answer.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { parseDeviceDescription } from "../../src/upnp/description/device-description.js";
import { fetchDeviceDescription } from "../../src/upnp/description/fetch-description.js";
import { HttpError, InvalidResponseError, TimeoutError } from "../../src/errors/errors.js";
import { probeGateway } from "../../src/upnp/gateway/probe-gateway.js";
import { parseXml } from "../../src/xml/parse-xml.js";
import { answerWith, entityBomb, misbehaviours, startHostileServer } from "./hostile-servers.js";

const fixture = readFileSync(new URL("../../../test/fixtures/descriptions/miniupnpd-igd2.xml", import.meta.url), "utf8");
/** A guard against a hang, not a timing assertion: linear parsing of these takes milliseconds. */
const hangGuard = { timeout: 20_000 };

test("an entity bomb is not expanded: the entity reference stays as text, and the DTD is never read", async (t) => {
  const bomb = entityBomb();
  const document = parseXml(bomb);
  assert.equal(document.name, "root");
  const friendlyName = document.children[0]!.children.find((child) => child.name === "friendlyName")!;
  assert.equal(friendlyName.text, "&lol9;");

  const server = await startHostileServer(t, answerWith(bomb));
  const probe = await probeGateway(server.url());
  assert.equal(probe.description?.friendlyName, "&lol9;");
  assert.equal(probe.verdict, "invalid-control");
});

test("nesting deeper than maxDepth and more elements than maxElements are refused", hangGuard, () => {
  assert.throws(() => parseXml("<a>".repeat(100_000)), (error) => error instanceof InvalidResponseError && /deeper than 64/.test(error.message));
  assert.throws(() => parseXml(`<r>${"<a/>".repeat(30_000)}</r>`), (error) => error instanceof InvalidResponseError && /more than 20000 elements/.test(error.message));
  assert.throws(() => parseDeviceDescription(fixture, "http://127.0.0.1/", { maxDepth: 3 }), InvalidResponseError);
  assert.throws(() => parseDeviceDescription(fixture, "http://127.0.0.1/", { maxElements: 10 }), InvalidResponseError);
});

test("tags built to make a pattern backtrack parse in linear time (a 1 MB attribute name, an unclosed quote)", hangGuard, () => {
  const megabyte = 1 << 20;
  assert.equal(parseXml(`<a ${"b".repeat(megabyte)}>text</a>`).text, "text");
  assert.equal(parseXml(`<a b="${"x".repeat(megabyte)}>text</a>`).name, "a");
  assert.equal(parseXml(`<a>&${"a".repeat(megabyte)}</a>`).text.length, megabyte + 1);
  assert.deepEqual(parseXml(`<a x='1' y="2" z=3 ${"=".repeat(1000)} w="4">`).attributes, { x: "1", y: "2", w: "4" });
});

test("an attribute named __proto__ is an ordinary attribute", () => {
  const element = parseXml('<a __proto__="polluted" constructor="c"/>');
  assert.equal(Object.getPrototypeOf(element.attributes), Object.prototype);
  assert.equal(element.attributes["__proto__"], "polluted");
  assert.equal(({} as Record<string, unknown>)["polluted"], undefined);
});

test("the XML limits of the description reach the parser through fetch and probe options", async (t) => {
  const server = await startHostileServer(t, answerWith(fixture));
  await assert.rejects(fetchDeviceDescription(server.url(), { xmlLimits: { maxDepth: 3 } }), InvalidResponseError);
  const probe = await probeGateway(server.url(), { descriptionXmlLimits: { maxElements: 10 } });
  assert.equal(probe.verdict, "unknown-device");
  assert.ok(probe.error instanceof InvalidResponseError);
});

test("a description of exactly maxDescriptionBytes is read, one byte more is refused", async (t) => {
  const server = await startHostileServer(t, answerWith(fixture));
  const bytes = Buffer.byteLength(fixture);
  const probe = await probeGateway(server.url(), { maxDescriptionBytes: bytes - 1 });
  assert.ok(probe.error instanceof InvalidResponseError);
  assert.match(probe.error.message, new RegExp(`more than ${bytes - 1}`));
  assert.equal((await probeGateway(server.url(), { maxDescriptionBytes: bytes })).description?.deviceType, "urn:schemas-upnp-org:device:InternetGatewayDevice:2");
});

test("a 50 MB description is refused from its Content-Length, without reading it", async (t) => {
  const server = await startHostileServer(t, misbehaviours.fiftyMegabytes);
  await assert.rejects(fetchDeviceDescription(server.url()), (error) => error instanceof InvalidResponseError && /announces 52428800 bytes/.test(error.message));
});

test("redirects are not followed: a 302 is an HttpError and its Location is never contacted", async (t) => {
  const elsewhere = await startHostileServer(t, answerWith(fixture));
  const redirecting = await startHostileServer(t, answerWith("", "302 Found", [`Location: ${elsewhere.url()}`]));
  await assert.rejects(fetchDeviceDescription(redirecting.url()), (error) => error instanceof HttpError && error.status === 302);
  assert.equal(elsewhere.connections, 0);
});

function descriptionWithControlUrl(controlUrl: string): string {
  return fixture.replace("<controlURL>/ctl/IPConn</controlURL>", `<controlURL>${controlUrl}</controlURL>`);
}

test("a control URL on another host than the description is skipped, and never contacted", async (t) => {
  const elsewhere = await startHostileServer(t, misbehaviours.neverAnswer);
  const foreign = elsewhere.url("/ctl/IPConn").replace("127.0.0.1", "127.0.0.2");
  const server = await startHostileServer(t, answerWith(descriptionWithControlUrl(foreign)));
  const probe = await probeGateway(server.url());
  assert.equal(probe.verdict, "invalid-control");
  assert.equal(probe.gateway, undefined);
  assert.equal(probe.refusedServices?.length, 1);
  assert.match(probe.error?.message ?? "", /is not on 127\.0\.0\.1, the host of the description/);
  assert.equal(elsewhere.connections, 0);
});

test("allowForeignControlUrls drives such a service anyway", async (t) => {
  const elsewhere = await startHostileServer(t, misbehaviours.html500);
  const server = await startHostileServer(t, answerWith(descriptionWithControlUrl(elsewhere.url("/ctl/IPConn"))));
  const probe = await probeGateway(server.url().replace("127.0.0.1", "localhost"), { allowForeignControlUrls: true });
  assert.ok(elsewhere.connections > 0);
  assert.equal(probe.refusedServices, undefined);
});

test("a description listing many services that never answer ends within timeoutMs", async (t) => {
  const service = (i: number) =>
    `<service><serviceType>urn:schemas-upnp-org:service:WANIPConnection:1</serviceType><controlURL>/ctl/${i}</controlURL></service>`;
  const manyServices =
    "<root><device><deviceType>urn:schemas-upnp-org:device:InternetGatewayDevice:1</deviceType><serviceList>" +
    Array.from({ length: 500 }, (_, i) => service(i)).join("") +
    "</serviceList></device></root>";
  const answers = answerWith(manyServices);
  // The description is answered; every control request hangs.
  let described = false;
  const server = await startHostileServer(t, (socket) => (described ? misbehaviours.neverAnswer() : ((described = true), answers(socket))));
  const probe = await probeGateway(server.url(), { timeoutMs: 1500, controlTimeoutMs: 200 });
  // The first service stands, ranked last (it answered nothing); only the first few were asked.
  assert.equal(probe.gateway?.status?.rank, 5);
  assert.equal(probe.gateway?.controlUrl, server.url("/ctl/0"));
  // The description, then two status questions to each of the first maxProbedServices (8).
  assert.equal(server.connections, 1 + 2 * 8);
});

test("a probe whose description never comes ends with the probe's own TimeoutError", async (t) => {
  const server = await startHostileServer(t, misbehaviours.neverAnswer);
  const probe = await probeGateway(server.url(), { timeoutMs: 300, descriptionTimeoutMs: 60_000 });
  assert.equal(probe.verdict, "http-error");
  assert.ok(probe.error instanceof TimeoutError);
  assert.equal(probe.error.timeoutMs, 300);
});
