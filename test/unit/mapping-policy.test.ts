// The mapping policy of WanConnection.addPortMapping (src/upnp/gateway/add-port-mapping.ts) against
// a router whose every answer the test scripts: which requests it sends, in which order, and what
// it cleans up. No test depends on how fast anything runs: an answer that must not come is a
// request left hanging, and the call's own budget ends it.
import assert from "node:assert/strict";
import { test, type TestContext } from "node:test";
import { InvalidResponseError, MappingDroppedError, TimeoutError, UpnpActionError } from "../../src/errors/errors.js";
import { WanConnection } from "../../src/index.js";
import * as igd from "../../src/upnp/igd/igd-client.js";
import { removeMappingIfOurs } from "../../src/upnp/igd/remove-own-mapping.js";
import { faultReply, soapReply, startControlServer, type ActionHandler, type CapturedRequest } from "../fixtures/soap/control-server.js";
import { entryReply, genericEntryReply } from "./support/scripted-router.js";
import { hasIpv6Loopback } from "./support/ipv6-gateway.js";
import { requireOrSkip } from "./support/require-or-skip.js";

const ok = (action: string) => ({ body: soapReply(action, "") });
const hang: ActionHandler = () => undefined;

function argumentIn(request: CapturedRequest, name: string): string | undefined {
  return new RegExp(`<${name}>([^<]*)</${name}>`).exec(request.body)?.[1];
}

async function router(t: TestContext, handlers: Record<string, ActionHandler>, version: 1 | 2 = 1, localAddress = "192.168.1.2") {
  const server = await startControlServer(handlers);
  t.after(() => server.close());
  const gateway = new WanConnection({ controlUrl: server.controlUrl, serviceType: `urn:schemas-upnp-org:service:WANIPConnection:${version}`, localAddress });
  return { server, gateway, actions: () => server.requests.map((request) => request.action) };
}

/** Answers the n-th (1-based) request of an action with `replies[n - 1]`, the last one after that. */
function inTurn(...replies: ActionHandler[]): ActionHandler {
  let calls = 0;
  return (request) => replies[Math.min(calls++, replies.length - 1)]!(request);
}

test("the held-mapping bug: after a dropped mapping (714 on read-back), a re-add that times out is cleaned up (issue 9)", async (t) => {
  const { gateway, actions } = await router(t, {
    AddPortMapping: inTurn(() => ok("AddPortMapping"), hang),
    GetSpecificPortMappingEntry: () => faultReply(714, "NoSuchEntryInArray"),
  });
  await assert.rejects(gateway.addPortMapping({ internalPort: 7000, protocol: "UDP" }), MappingDroppedError);
  await assert.rejects(gateway.addPortMapping({ internalPort: 7000, protocol: "UDP", timeoutMs: 200 }), TimeoutError);
  assert.deepEqual(actions(), ["AddPortMapping", "GetSpecificPortMappingEntry", "AddPortMapping", "GetSpecificPortMappingEntry"]);
});

test("a renewal that ends without an answer leaves the mapping the caller already holds", async (t) => {
  const { gateway, actions } = await router(t, { AddPortMapping: inTurn(() => ok("AddPortMapping"), hang) });
  await gateway.addPortMapping({ internalPort: 7101, protocol: "TCP", verify: false });
  await assert.rejects(gateway.addPortMapping({ internalPort: 7101, protocol: "TCP", verify: false, timeoutMs: 200 }), TimeoutError);
  assert.deepEqual(actions(), ["AddPortMapping", "AddPortMapping"], "no cleanup lookup, no delete");
});

test("a mapping deleted by the caller is no longer held: an unclear re-add is cleaned up", async (t) => {
  const { gateway, actions } = await router(t, {
    AddPortMapping: inTurn(() => ok("AddPortMapping"), hang),
    DeletePortMapping: () => ok("DeletePortMapping"),
    GetSpecificPortMappingEntry: () => faultReply(714, "NoSuchEntryInArray"),
  });
  await gateway.addPortMapping({ internalPort: 7102, protocol: "TCP", verify: false });
  await gateway.deletePortMapping({ externalPort: 7102, protocol: "TCP" });
  await assert.rejects(gateway.addPortMapping({ internalPort: 7102, protocol: "TCP", verify: false, timeoutMs: 200 }), TimeoutError);
  assert.deepEqual(actions(), ["AddPortMapping", "DeletePortMapping", "AddPortMapping", "GetSpecificPortMappingEntry"]);
});

test("the cleanup after an unclear add deletes only a mapping to our client and our internal port", async (t) => {
  for (const [client, port, deleted] of [
    ["192.168.1.2", 4000, true],
    ["192.168.1.2", 4001, false], // another of our own mappings on the same external port
    ["192.168.1.9", 4000, false], // another host's
  ] as const) {
    const { gateway, actions } = await router(t, {
      AddPortMapping: hang,
      GetSpecificPortMappingEntry: () => entryReply(client, port),
      DeletePortMapping: () => ok("DeletePortMapping"),
    });
    await assert.rejects(gateway.addPortMapping({ internalPort: 4000, externalPort: 14000, protocol: "UDP", timeoutMs: 200 }), TimeoutError);
    const expected = ["AddPortMapping", "GetSpecificPortMappingEntry", ...(deleted ? ["DeletePortMapping"] : [])];
    assert.deepEqual(actions(), expected, `${client}:${port}`);
  }
});

test("removeMappingIfOurs reports what it did and never throws", async (t) => {
  const request = { externalPort: 14000, protocol: "UDP" as const, internalPort: 4000, internalClient: "192.168.1.2", description: "x", leaseSeconds: 0 };
  const { server } = await router(t, { GetSpecificPortMappingEntry: () => entryReply("192.168.1.2", 4000), DeletePortMapping: () => ok("DeletePortMapping") });
  const service = { controlUrl: server.controlUrl, serviceType: "urn:schemas-upnp-org:service:WANIPConnection:1" };
  assert.equal(await removeMappingIfOurs(service, request), true);
  assert.equal(await removeMappingIfOurs(service, { ...request, internalPort: 4001 }), false);
  assert.equal(await removeMappingIfOurs({ ...service, controlUrl: "http://127.0.0.1:9/ctl" }, request), false);
});

test("anyPort on IGDv2: a 401 or 602 AddAnyPortMapping falls back to other ports by hand; other faults do not", async (t) => {
  for (const code of [401, 602]) {
    const { gateway, server, actions } = await router(t, {
      AddPortMapping: inTurn(() => faultReply(718, "ConflictInMappingEntry"), () => ok("AddPortMapping")),
      AddAnyPortMapping: () => faultReply(code, "Not implemented"),
    }, 2);
    const mapping = await gateway.addPortMapping({ internalPort: 5000, protocol: "TCP", anyPort: true, verify: false });
    assert.deepEqual(actions(), ["AddPortMapping", "AddAnyPortMapping", "AddPortMapping"], String(code));
    const retried = Number(argumentIn(server.requests[2]!, "NewExternalPort"));
    assert.equal(mapping.externalPort, retried);
    assert.ok(retried >= 1024 && retried <= 65535 && retried !== 5000);
  }
  const { gateway, actions } = await router(t, {
    AddPortMapping: () => faultReply(718, "ConflictInMappingEntry"),
    AddAnyPortMapping: () => faultReply(501, "Action Failed"),
  }, 2);
  await assert.rejects(gateway.addPortMapping({ internalPort: 5000, protocol: "TCP", anyPort: true }), (error: unknown) => error instanceof UpnpActionError && error.upnpCode === 501);
  assert.deepEqual(actions(), ["AddPortMapping", "AddAnyPortMapping"]);
});

test("anyPort: every taken-port code (718, 728, 729) moves on; after eight taken random ports the first fault stands", async (t) => {
  for (const code of [718, 728, 729]) {
    const { gateway, actions } = await router(t, { AddPortMapping: inTurn(() => faultReply(code, "taken"), () => ok("AddPortMapping")) });
    await gateway.addPortMapping({ internalPort: 5001, protocol: "UDP", anyPort: true, verify: false });
    assert.equal(actions().length, 2, String(code));
  }
  const { gateway, actions } = await router(t, { AddPortMapping: () => faultReply(718, "ConflictInMappingEntry") });
  await assert.rejects(gateway.addPortMapping({ internalPort: 5002, protocol: "UDP", anyPort: true }), (error: unknown) => error instanceof UpnpActionError && error.upnpCode === 718);
  assert.equal(actions().length, 9, "the port asked for, then eight random ones");
  // Without anyPort a taken port is the answer.
  const plain = await router(t, { AddPortMapping: () => faultReply(718, "ConflictInMappingEntry") });
  await assert.rejects(plain.gateway.addPortMapping({ internalPort: 5003, protocol: "UDP" }), UpnpActionError);
  assert.equal(plain.actions().length, 1);
});

test("a reserved port 0 from AddAnyPortMapping is an InvalidResponseError; 1 and 65535 are ports", async (t) => {
  for (const [reserved, outcome] of [["0", "refused"], ["1", 1], ["65535", 65535], ["65536", "refused"]] as const) {
    const { server } = await router(t, { AddAnyPortMapping: () => ({ body: soapReply("AddAnyPortMapping", `<NewReservedPort>${reserved}</NewReservedPort>`) }) }, 2);
    const service = { controlUrl: server.controlUrl, serviceType: "urn:schemas-upnp-org:service:WANIPConnection:2" };
    const request = { externalPort: 80, protocol: "TCP" as const, internalPort: 80, internalClient: "192.168.1.2", description: "x", leaseSeconds: 0 };
    if (outcome === "refused") await assert.rejects(igd.addAnyPortMapping(service, request), InvalidResponseError, reserved);
    else assert.equal(await igd.addAnyPortMapping(service, request), outcome);
  }
});

test("the read-back's internal client and lease are what the mapping reports; an empty client keeps ours", async (t) => {
  const { gateway } = await router(t, { AddPortMapping: () => ok("AddPortMapping"), GetSpecificPortMappingEntry: () => entryReply("192.168.1.77", 6000, 1800) });
  const mapping = await gateway.addPortMapping({ internalPort: 6000, protocol: "TCP" });
  assert.equal(mapping.internalClient, "192.168.1.77");
  assert.equal(mapping.leaseSeconds, 1800);
  const blank = await router(t, { AddPortMapping: () => ok("AddPortMapping"), GetSpecificPortMappingEntry: () => entryReply("", 6000, 0) });
  const kept = await blank.gateway.addPortMapping({ internalPort: 6000, protocol: "TCP" });
  assert.equal(kept.internalClient, "192.168.1.2");
  assert.equal(kept.leaseSeconds, 0);
});

test("a read-back the router cannot answer still reports the mapping as asked", async (t) => {
  const { gateway } = await router(t, { AddPortMapping: () => ok("AddPortMapping"), GetSpecificPortMappingEntry: () => faultReply(501, "Action Failed") });
  const mapping = await gateway.addPortMapping({ internalPort: 6001, protocol: "UDP", leaseSeconds: 120 });
  assert.deepEqual(mapping, { protocol: "UDP", externalPort: 6001, internalPort: 6001, internalClient: "192.168.1.2", description: "porthole", leaseSeconds: 120, remoteHost: "" });
});

test("a gateway reached over IPv6 maps to this host's IPv4 address on the same interface", async (t) => {
  if (!requireOrSkip(t, hasIpv6Loopback(), "the IPv6 loopback address ::1")) return;
  const { server, gateway } = await router(t, { AddPortMapping: () => ok("AddPortMapping") }, 1, "::1");
  const mapping = await gateway.addPortMapping({ internalPort: 6002, protocol: "TCP", verify: false });
  assert.equal(mapping.internalClient, "127.0.0.1");
  assert.equal(argumentIn(server.requests[0]!, "NewInternalClient"), "127.0.0.1");
});

test("lease fallbacks: 725 and ARRIS's 402 retry with 0, a 402 on 0 retries with a week; other faults are final", async (t) => {
  for (const [code, asked, retried] of [[725, 3600, "0"], [402, 3600, "0"], [402, 0, "604800"]] as const) {
    const { server, gateway } = await router(t, { AddPortMapping: inTurn(() => faultReply(code, "lease"), () => ok("AddPortMapping")) });
    const mapping = await gateway.addPortMapping({ internalPort: 6003, protocol: "TCP", leaseSeconds: asked, verify: false });
    assert.equal(argumentIn(server.requests[1]!, "NewLeaseDuration"), retried, `${code} on ${asked}`);
    assert.equal(mapping.leaseSeconds, Number(retried));
  }
  for (const [code, asked] of [[725, 0], [606, 3600], [718, 3600]] as const) {
    const { gateway, actions } = await router(t, { AddPortMapping: () => faultReply(code, "no") });
    await assert.rejects(gateway.addPortMapping({ internalPort: 6004, protocol: "TCP", leaseSeconds: asked }), (error: unknown) => error instanceof UpnpActionError && error.upnpCode === code);
    assert.deepEqual(actions(), ["AddPortMapping"], `${code} on ${asked}`);
  }
  const off = await router(t, { AddPortMapping: () => faultReply(725, "OnlyPermanentLeasesSupported") });
  await assert.rejects(off.gateway.addPortMapping({ internalPort: 6005, protocol: "TCP", leaseFallback: false }), UpnpActionError);
  assert.equal(off.actions().length, 1);
});

test("the whole addPortMapping runs under its timeoutMs, fallbacks included", async (t) => {
  // 725 at once, then the retry with lease 0 hangs: only the call's own budget can end it.
  const { gateway } = await router(t, { AddPortMapping: inTurn(() => faultReply(725, "OnlyPermanentLeasesSupported"), hang), GetSpecificPortMappingEntry: () => faultReply(714, "NoSuchEntryInArray") });
  await assert.rejects(gateway.addPortMapping({ internalPort: 7200, protocol: "UDP", timeoutMs: 200 }), (error: unknown) => error instanceof TimeoutError && error.timeoutMs === 200);
});

test("anyPort: an AddAnyPortMapping that ends without an answer is looked for in the table and deleted", async (t) => {
  const ours: ActionHandler = (request) =>
    argumentIn(request, "NewPortMappingIndex") === "0"
      ? genericEntryReply({ externalPort: 40000, protocol: "TCP", internalClient: "192.168.1.2", internalPort: 7777, description: "game" })
      : faultReply(713, "SpecifiedArrayIndexInvalid");
  const { server, gateway, actions } = await router(t, {
    AddPortMapping: () => faultReply(718, "ConflictInMappingEntry"),
    AddAnyPortMapping: hang,
    GetGenericPortMappingEntry: ours,
    DeletePortMapping: () => ok("DeletePortMapping"),
  }, 2);
  await assert.rejects(gateway.addPortMapping({ internalPort: 7777, protocol: "TCP", description: "game", anyPort: true, timeoutMs: 200 }), TimeoutError);
  assert.deepEqual(actions(), ["AddPortMapping", "AddAnyPortMapping", "GetGenericPortMappingEntry", "GetGenericPortMappingEntry", "DeletePortMapping"]);
  assert.equal(argumentIn(server.requests.at(-1)!, "NewExternalPort"), "40000");
});

test("holding one mapping does not hold another port: an unclear add of a second port is cleaned up", async (t) => {
  const { gateway, actions } = await router(t, {
    AddPortMapping: inTurn(() => ok("AddPortMapping"), hang),
    GetSpecificPortMappingEntry: () => faultReply(714, "NoSuchEntryInArray"),
  });
  await gateway.addPortMapping({ internalPort: 7103, protocol: "TCP", verify: false });
  await assert.rejects(gateway.addPortMapping({ internalPort: 7104, protocol: "TCP", verify: false, timeoutMs: 200 }), TimeoutError);
  assert.deepEqual(actions(), ["AddPortMapping", "AddPortMapping", "GetSpecificPortMappingEntry"]);
});

test("a held mapping the router drops on renewal (714 on read-back) is no longer held", async (t) => {
  const { gateway, actions } = await router(t, {
    AddPortMapping: inTurn(() => ok("AddPortMapping"), () => ok("AddPortMapping"), hang),
    GetSpecificPortMappingEntry: inTurn(() => entryReply("192.168.1.2", 7105), () => faultReply(714, "NoSuchEntryInArray")),
  });
  await gateway.addPortMapping({ internalPort: 7105, protocol: "UDP" });
  await assert.rejects(gateway.addPortMapping({ internalPort: 7105, protocol: "UDP" }), MappingDroppedError);
  await assert.rejects(gateway.addPortMapping({ internalPort: 7105, protocol: "UDP", verify: false, timeoutMs: 200 }), TimeoutError);
  assert.deepEqual(actions(), ["AddPortMapping", "GetSpecificPortMappingEntry", "AddPortMapping", "GetSpecificPortMappingEntry", "AddPortMapping", "GetSpecificPortMappingEntry"]);
});

test("anyPort on IGDv2: the port AddAnyPortMapping reserved is the mapping's, with no AddPortMapping after it", async (t) => {
  const { gateway, actions } = await router(t, {
    AddPortMapping: () => faultReply(718, "ConflictInMappingEntry"),
    AddAnyPortMapping: () => ({ body: soapReply("AddAnyPortMapping", "<NewReservedPort>40123</NewReservedPort>") }),
  }, 2);
  const mapping = await gateway.addPortMapping({ internalPort: 5004, protocol: "TCP", anyPort: true, verify: false });
  assert.equal(mapping.externalPort, 40123);
  assert.deepEqual(actions(), ["AddPortMapping", "AddAnyPortMapping"]);
});

test("anyPort on IGDv1: a random port refused for another reason than being taken ends the search with that fault", async (t) => {
  const { gateway, actions } = await router(t, { AddPortMapping: inTurn(() => faultReply(718, "ConflictInMappingEntry"), () => faultReply(606, "Action not authorized")) });
  await assert.rejects(gateway.addPortMapping({ internalPort: 5005, protocol: "TCP", anyPort: true, leaseFallback: false }), (error: unknown) => error instanceof UpnpActionError && error.upnpCode === 606);
  assert.equal(actions().length, 2);
});
