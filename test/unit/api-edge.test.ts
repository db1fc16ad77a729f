// The library's promise that every error is a PortholeError: what a caller passes is checked once,
// at the API edge, and refused with InvalidArgumentError before any traffic (issue 9).
import assert from "node:assert/strict";
import dgram from "node:dgram";
import { test, type TestContext } from "node:test";
import {
  discoverDevices,
  findGateway,
  findGateways,
  gatewayFromUrl,
  InvalidArgumentError,
  probeGateway,
  TimeoutError,
  UpnpPortMapper,
  WanConnection,
} from "../../src/index.js";
import { soapReply, startControlServer, type ActionHandler } from "../fixtures/soap/control-server.js";
import { genericEntryReply } from "./support/scripted-router.js";

const badTimeouts: unknown[] = [-1, Number.NaN, "x", Infinity, 2 ** 31, null];

async function silentRouter(t: TestContext, handlers: Record<string, ActionHandler> = {}) {
  const server = await startControlServer(handlers);
  t.after(() => server.close());
  const connection = new WanConnection({ controlUrl: server.controlUrl, serviceType: "urn:schemas-upnp-org:service:WANIPConnection:2", localAddress: "127.0.0.1" });
  return { server, connection };
}

/** A UDP socket that counts the M-SEARCHes it receives: discovery must send none. */
async function searchCounter(t: TestContext): Promise<{ target: { address: string; port: number }; received: () => number }> {
  const socket = dgram.createSocket("udp4");
  let received = 0;
  socket.on("message", () => received++);
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  t.after(() => socket.close());
  return { target: { address: "127.0.0.1", port: socket.address().port }, received: () => received };
}

const refused = (value: unknown) => (error: unknown) => error instanceof InvalidArgumentError && error.code === "PORTHOLE_INVALID_ARGUMENT" || assert.fail(`expected InvalidArgumentError for ${String(value)}, got ${String(error)}`);

test("gatewayFromUrl and probeGateway refuse a URL that is not a string", async () => {
  for (const url of [null, 42, undefined, {}, ["http://127.0.0.1/"]]) {
    await assert.rejects(gatewayFromUrl(url as string), refused(url));
    await assert.rejects(probeGateway(url as string), refused(url));
  }
});

test("addPortMapping: no options, or ports and fields of the wrong type, are refused before any request", async (t) => {
  const { server, connection } = await silentRouter(t);
  const add = connection.addPortMapping.bind(connection) as (options?: unknown) => Promise<unknown>;
  await assert.rejects(add(), refused("no options"));
  await assert.rejects(add(null), refused(null));
  for (const options of [
    { internalPort: 84n, protocol: "TCP" },
    { internalPort: "80", protocol: "TCP" },
    { internalPort: 80.5, protocol: "TCP" },
    { internalPort: 80, externalPort: "80", protocol: "TCP" },
    { internalPort: 80, protocol: 6 },
    { internalPort: 80, protocol: "ICMP" },
    { internalPort: 80, protocol: "TCP", leaseSeconds: "3600" },
    { internalPort: 80, protocol: "TCP", leaseSeconds: 2 ** 32 },
    { internalPort: 80, protocol: "TCP", description: 7 },
    { internalPort: 80, protocol: "TCP", internalClient: "not-an-address" },
    { internalPort: 80, protocol: "TCP", anyPort: "yes" },
    { internalPort: 80, protocol: "TCP", signal: "abort" },
  ]) {
    await assert.rejects(add(options), refused(JSON.stringify(options, (_key, value: unknown) => (typeof value === "bigint" ? `${value}n` : value))));
  }
  assert.equal(server.requests.length, 0);
});

test("timeoutMs of -1, NaN, \"x\", Infinity, 2^31 or null is refused by every public call, before any traffic", async (t) => {
  const { server, connection } = await silentRouter(t);
  const searches = await searchCounter(t);
  const discovery = { multicast: false, unicastTargets: [searches.target], listenMs: 100 };
  const mapper = new UpnpPortMapper(connection);
  const mapping = { externalPort: 80, protocol: "TCP" as const, internalClient: "127.0.0.1", internalPort: 80 };
  for (const timeoutMs of badTimeouts) {
    const options = { timeoutMs } as { timeoutMs: number };
    const calls: Array<[string, () => Promise<unknown>]> = [
      ["findGateway", () => findGateway({ ...discovery, ...options })],
      ["findGateways", async () => { for await (const gateway of findGateways({ ...discovery, ...options })) void gateway; }],
      ["discoverDevices", async () => { for await (const device of discoverDevices({ ...discovery, ...options })) void device; }],
      ["gatewayFromUrl", () => gatewayFromUrl(`${new URL(server.controlUrl).origin}/rootDesc.xml`, options)],
      ["probeGateway", () => probeGateway(`${new URL(server.controlUrl).origin}/rootDesc.xml`, options)],
      ["getExternalAddress", () => connection.getExternalAddress(options)],
      ["getStatusInfo", () => connection.getStatusInfo(options)],
      ["getConnectionTypeInfo", () => connection.getConnectionTypeInfo(options)],
      ["refreshStatus", () => connection.refreshStatus(options)],
      ["addPortMapping", () => connection.addPortMapping({ internalPort: 80, protocol: "TCP", ...options })],
      ["deletePortMapping", () => connection.deletePortMapping({ externalPort: 80, protocol: "TCP" }, options)],
      ["getPortMapping", () => connection.getPortMapping(80, "TCP", options)],
      ["listPortMappings", () => connection.listPortMappings(options)],
      ["listPortMappings list", () => connection.listPortMappings({ ...options, method: "list" })],
      ["UpnpPortMapper.map", () => mapper.map({ internalPort: 80, protocol: "TCP" }, options)],
      ["UpnpPortMapper.unmap", () => mapper.unmap(mapping, options)],
      ["UpnpPortMapper.check", () => mapper.check({ ...mapping, method: "upnp", externalAddress: undefined, leaseSeconds: 0, grantedAt: 0, goodUntil: Infinity, renewAfter: Infinity, renew: () => Promise.reject(new Error("unused")), release: () => Promise.resolve() }, options)],
      ["UpnpPortMapper.getExternalAddress", () => mapper.getExternalAddress(options)],
    ];
    for (const [name, call] of calls) await assert.rejects(call(), refused(`${name} with timeoutMs ${String(timeoutMs)}`), `${name} with timeoutMs ${String(timeoutMs)}`);
  }
  // The per-step budgets are checked the same way.
  await assert.rejects(findGateway({ ...discovery, listenMs: -1 }), refused("listenMs"));
  await assert.rejects(findGateway({ ...discovery, probeTimeoutMs: Number.NaN }), refused("probeTimeoutMs"));
  await assert.rejects(probeGateway("http://127.0.0.1:9/", { controlTimeoutMs: "x" as unknown as number }), refused("controlTimeoutMs"));
  await assert.rejects(probeGateway("http://127.0.0.1:9/", { descriptionTimeoutMs: -1 }), refused("descriptionTimeoutMs"));
  await assert.rejects(connection.listPortMappings({ requestTimeoutMs: -1 }), refused("requestTimeoutMs"));
  assert.equal(server.requests.length, 0);
  assert.equal(searches.received(), 0);
});

test("findGateway refuses unicastTargets that are not a list of targets, before any search", async (t) => {
  const searches = await searchCounter(t);
  for (const unicastTargets of ["127.0.0.1", [searches.target.address], [{ address: 127001 }], [{ address: "127.0.0.1", port: "1900" }], {}]) {
    await assert.rejects(findGateway({ multicast: false, unicastTargets: unicastTargets as never, listenMs: 100 }), refused(JSON.stringify(unicastTargets)));
  }
  assert.equal(searches.received(), 0);
});

test("a timeoutMs of 0 is a budget like any other: it ends the call with TimeoutError", async (t) => {
  const { connection } = await silentRouter(t, { GetExternalIPAddress: () => undefined });
  await assert.rejects(connection.getExternalAddress({ timeoutMs: 0 }), (error: unknown) => error instanceof TimeoutError && error.timeoutMs === 0);
});

/** GetGenericPortMappingEntry answers index 0 and never answers index 1; GetListOfPortMappings answers TCP and never UDP. */
function listingThatStalls(): Record<string, ActionHandler> {
  const empty = "<p:PortMappingList xmlns:p=\"urn:schemas-upnp-org:gw:WANIPConnection\"></p:PortMappingList>";
  return {
    GetGenericPortMappingEntry: (request) =>
      request.body.includes("<NewPortMappingIndex>0</NewPortMappingIndex>") ? genericEntryReply({ externalPort: 80, protocol: "TCP", internalClient: "127.0.0.1", internalPort: 80 }) : undefined,
    GetListOfPortMappings: (request) => (request.body.includes("<NewProtocol>TCP</NewProtocol>") ? { body: soapReply("GetListOfPortMappings", `<NewPortListing><![CDATA[${empty}]]></NewPortListing>`) } : undefined),
  };
}

test("listPortMappings: timeoutMs bounds the whole listing, for both methods (issue 9)", async (t) => {
  const { connection } = await silentRouter(t, listingThatStalls());
  for (const method of ["generic", "list"] as const) {
    await assert.rejects(
      connection.listPortMappings({ method, timeoutMs: 200 }),
      (error: unknown) => error instanceof TimeoutError && error.timeoutMs === 200 && /^listing port mappings timed out/.test(error.message),
      method,
    );
  }
});

test("listPortMappings: requestTimeoutMs bounds each request, for both methods", async (t) => {
  const { connection } = await silentRouter(t, listingThatStalls());
  for (const [method, action] of [["generic", "GetGenericPortMappingEntry"], ["list", "GetListOfPortMappings"]] as const) {
    await assert.rejects(
      connection.listPortMappings({ method, requestTimeoutMs: 150, timeoutMs: 60_000 }),
      (error: unknown) => error instanceof TimeoutError && error.timeoutMs === 150 && error.message.startsWith(`${action} at `),
      method,
    );
  }
});
