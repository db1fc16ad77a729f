// Terminal injection: whatever a router, a search reply or a client sends reaches the terminal
// with its control characters escaped, in every text output and in `porthole gateway`'s log;
// JSON keeps the strings as they are (JSON.stringify escapes them).
import { test } from "node:test";
import assert from "node:assert/strict";
import dgram from "node:dgram";
import { escapeControl, escaped, joinText, rawOf } from "../../src/cli/terminal-text.js";
import { finished, firstJsonDocument, porthole, portholeJson, startPorthole } from "./cli-runner.js";
import { hostileRouter, hostileText, refusedPort, terminalControl } from "./support/hostile-router.js";
import { rawHttp } from "./virtual-gateway-test-client.js";

/** What hostileText looks like once escaped. */
const hostileEscaped = "evil\\x1b[2J\\x1b[H\\r\\nFAKE ROW 6666 TCP\\x9b31m\\x07\\x7f\\u202egnp.exe";

test("escapeControl writes out C0, DEL, C1, bidi controls and line separators, and nothing else", () => {
  assert.equal(escapeControl(hostileText), hostileEscaped);
  assert.equal(escapeControl("\t\u0000\u001f\u0085\u061c\u200e\u200f\u2028\u2029\u202a\u2066\u2069"), "\\t\\x00\\x1f\\x85\\u061c\\u200e\\u200f\\u2028\\u2029\\u202a\\u2066\\u2069");
  // Printable text, including non-Latin letters and emoji, is left alone.
  assert.equal(escapeControl("Passerelle d'accès — ルーター 🚀 \\x1b"), "Passerelle d'accès — ルーター 🚀 \\x1b");
  assert.equal(escapeControl(escapeControl(hostileText)), hostileEscaped);
});

test("escaped`` keeps its literals and escapes every value; joinText keeps our line breaks only", () => {
  assert.equal(rawOf(escaped`a\tb ${"x\ny"} ${42}`), "a\tb x\\ny 42");
  assert.equal(rawOf(escaped`${escaped`${"\x1b"}`}`), "\\x1b");
  assert.equal(rawOf(joinText(["one\r", "two"])), "one\\r\ntwo");
  assert.equal(rawOf("plain \x1b[31m"), "plain \\x1b[31m");
});

/**
 * Asserts no terminal control reached either stream, and (unless the message quotes it as JSON,
 * as the error for an unusable address does) that the hostile text arrived escaped.
 */
function assertEscaped(result: { stdout: string; stderr: string }, what: string, quotedAsJson = false): void {
  for (const [name, text] of [["stdout", result.stdout], ["stderr", result.stderr]] as const) {
    assert.doesNotMatch(text, terminalControl, `${what}: ${name} carries a control character: ${JSON.stringify(text)}`);
    assert.doesNotMatch(text, /^FAKE ROW/m, `${what}: ${name} has a forged line`);
  }
  if (quotedAsJson) return;
  assert.ok(`${result.stdout}${result.stderr}`.includes(hostileEscaped), `${what}: the hostile text is not shown escaped:\n${result.stdout}${result.stderr}`);
}

test("list, discover, ip and unmap escape what the router says, in text mode", async (t) => {
  const router = await hostileRouter(t);
  const via = ["--gateway", router.descriptionUrl];
  for (const args of [["list"], ["discover"], ["ip"], ["unmap", "8080"], ["list", "--verbose"]]) {
    const result = await porthole([...args, ...via]);
    assertEscaped(result, args.join(" "), args[0] === "ip");
  }
});

test("map escapes the router's internal client, external address, the holder of a port and its fault text", async (t) => {
  const router = await hostileRouter(t, "198.51.100.4");
  const via = ["--gateway", router.descriptionUrl];
  const mapped = await porthole(["map", "8080", ...via]);
  assert.equal(mapped.code, 0, mapped.stderr);
  assertEscaped(mapped, "map 8080");
  const refused = await porthole(["map", String(refusedPort), ...via]);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /UPnP error 718/);
  assertEscaped(refused, "map (refused)");
  const hostileAddress = await hostileRouter(t);
  assertEscaped(await porthole(["map", "8080", "--gateway", hostileAddress.descriptionUrl]), "map (hostile external address)");
});

test("hold's status lines escape the router's internal client and its refusal of the release", async (t) => {
  const router = await hostileRouter(t, "198.51.100.4");
  const child = startPorthole(["hold", "8080", "--gateway", router.descriptionUrl]);
  const done = finished(child);
  await new Promise<void>((resolve) => {
    let stderr = "";
    child.stderr!.on("data", (chunk: Buffer) => {
      stderr += String(chunk);
      if (stderr.includes("holding 1 mapping")) resolve();
    });
  });
  child.kill("SIGINT");
  const result = await done;
  assert.equal(result.code, 0, result.stderr);
  // The mapping read back leads to the hostile "host"; the release is refused with a hostile 714.
  assert.match(result.stdout, /mapped +TCP 8080 {2}reachable at 198\.51\.100\.4:8080 → evil\\x1b/);
  assertEscaped(result, "hold 8080");
});

test("--json keeps the router's strings as they are: JSON.stringify escapes them", async (t) => {
  const router = await hostileRouter(t);
  const { code, json } = await portholeJson(["list", "--gateway", router.descriptionUrl]);
  assert.equal(code, 0);
  assert.equal(json.mappings[0].description, hostileText);
  const discovered = await portholeJson(["discover", "--gateway", router.descriptionUrl]);
  assert.equal(discovered.json.gateways[0].friendlyName, hostileText);
  assert.equal(discovered.json.gateways[0].externalAddress, hostileText);
});

test("porthole gateway escapes what clients send in its activity log", async () => {
  const child = startPorthole(["gateway", "--json"]);
  const done = finished(child);
  try {
    const info = await firstJsonDocument(child);
    const controlUrl = info.descriptionUrl.replace("/rootDesc.xml", "/ctl/IPConn");
    const hostileXml = "evil&#27;[2J&#13;&#10;FAKE ROW&#155;&#8238;x";
    const serviceType = "urn:schemas-upnp-org:service:WANIPConnection:2";
    await rawHttp(controlUrl, {
      method: "POST",
      headers: { "Content-Type": 'text/xml; charset="utf-8"', SOAPAction: `"${serviceType}#AddPortMapping"` },
      body:
        `<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><u:AddPortMapping xmlns:u="${serviceType}">` +
        `<NewRemoteHost></NewRemoteHost><NewExternalPort>8080</NewExternalPort><NewProtocol>TCP</NewProtocol><NewInternalPort>8080</NewInternalPort>` +
        `<NewInternalClient>127.0.0.1</NewInternalClient><NewEnabled>1</NewEnabled><NewPortMappingDescription>${hostileXml}</NewPortMappingDescription>` +
        `<NewLeaseDuration>3600</NewLeaseDuration></u:AddPortMapping></s:Body></s:Envelope>`,
    });
    // A search target with an escape sequence in it, by unicast to its SSDP port.
    const search = "M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: \"ssdp:discover\"\r\nMX: 1\r\nST: urn:evil\x1b[2J\u009b\r\n\r\n";
    const socket = dgram.createSocket("udp4");
    // Bytes as written: 0x9B alone, a C1 CSI (SSDP is read as Latin-1).
    await new Promise<void>((resolve, reject) => socket.send(Buffer.from(search, "latin1"), info.ssdp.port, info.ssdp.address, (error) => (error ? reject(error) : resolve())));
    socket.close();
    await rawHttp(info.descriptionUrl);
  } finally {
    child.kill("SIGINT");
  }
  const result = await done;
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /AddPortMapping from 127\.0\.0\.1 .*PortMappingDescription=evil\\x1b\[2J\\r\\nFAKE ROW\\x9b\\u202ex/);
  assert.match(result.stderr, /M-SEARCH from 127\.0\.0\.1:\d+ for urn:evil\\x1b\[2J\\x9b → 0 replies/);
  assert.doesNotMatch(result.stderr, terminalControl);
  assert.doesNotMatch(result.stderr, /^FAKE ROW/m);
});
