// The virtual gateway's mapping table and port mapping actions at their edges: range bounds,
// wildcard and wrapping ports, secure mode, leases to the second.
import { test } from "node:test";
import assert from "node:assert/strict";
import { childText, descendants, parseXml } from "../../src/xml/parse-xml.js";
import { PortMappingTable, type MappingTableEntry } from "../../src/virtual-gateway/port-mapping-table.js";
import { mappingArgs, soapCall, wanIpConnection, withGateway } from "./virtual-gateway-test-client.js";

function entry(externalPort: number, fields: Partial<MappingTableEntry> = {}): MappingTableEntry {
  return { remoteHost: "", externalPort, protocol: "TCP", internalPort: externalPort, internalClient: "192.0.2.1", enabled: true, description: "", leaseSeconds: 0, expiresAt: undefined, ...fields };
}

test("PortMappingTable: keyed on port and protocol, replaced in place, deleted by key", () => {
  const table = new PortMappingTable(() => 0);
  table.put(entry(80));
  table.put(entry(80, { protocol: "UDP" }));
  table.put(entry(81));
  table.put(entry(80, { internalPort: 8080 }));
  assert.deepEqual(table.entries().map((e) => `${e.protocol}/${e.externalPort}/${e.internalPort}`), ["TCP/80/8080", "UDP/80/80", "TCP/81/81"]);
  assert.equal(table.size, 3);
  assert.equal(table.find(80, "UDP")?.internalPort, 80);
  assert.equal(table.find(82, "TCP"), undefined);
  assert.equal(table.delete(80, "TCP"), true);
  assert.equal(table.delete(80, "TCP"), false);
  assert.deepEqual(table.entries().map((e) => `${e.protocol}/${e.externalPort}`), ["UDP/80", "TCP/81"]);
  table.clear();
  assert.equal(table.size, 0);
});

test("PortMappingTable: a lease ends exactly at its expiry; the remaining lease rounds up and is at least 1 s", () => {
  let now = 1_000_000;
  const table = new PortMappingTable(() => now);
  const expiresAt = table.expiryFor(10);
  assert.equal(expiresAt, 1_010_000);
  assert.equal(table.expiryFor(0), undefined);
  const leased = entry(80, { leaseSeconds: 10, expiresAt });
  table.put(leased);
  table.put(entry(81));
  assert.equal(table.remainingLease(leased), 10);
  now += 500;
  assert.equal(table.remainingLease(leased), 10, "9.5 s left is reported as 10");
  now = 1_009_999;
  assert.equal(table.remainingLease(leased), 1);
  assert.equal(table.size, 2, "one millisecond before the end it is still there");
  now = 1_010_000;
  assert.equal(table.remainingLease(leased), 1, "never 0, which would mean permanent");
  assert.deepEqual(table.entries().map((e) => e.externalPort), [81]);
  assert.equal(table.remainingLease(entry(81)), 0);
});

const listArgs = (start: number, end: number, manage: string, protocol = "TCP"): Array<[string, string]> => [
  ["NewStartPort", String(start)],
  ["NewEndPort", String(end)],
  ["NewProtocol", protocol],
  ["NewManage", manage],
  ["NewNumberOfPorts", "0"],
];

const listed = (listing: string | undefined): string[] =>
  descendants(parseXml(listing ?? ""), "PortMappingEntry").map((e) => `${childText(e, "NewExternalPort")}/${childText(e, "NewInternalClient")}`);

test("range actions: both ends are inclusive, the protocol must match, an empty range is 730", () =>
  withGateway({}, async (gateway) => {
    for (const port of [4999, 5000, 5005, 5010, 5011]) await soapCall(gateway, "AddPortMapping", mappingArgs({ externalPort: port }));
    await soapCall(gateway, "AddPortMapping", mappingArgs({ externalPort: 5003, protocol: "UDP" }));
    const all = await soapCall(gateway, "GetListOfPortMappings", listArgs(5000, 5010, "1"));
    assert.deepEqual(listed(all.values.NewPortListing), ["5000/127.0.0.1", "5005/127.0.0.1", "5010/127.0.0.1"]);
    const single = await soapCall(gateway, "GetListOfPortMappings", listArgs(5005, 5005, "1"));
    assert.deepEqual(listed(single.values.NewPortListing), ["5005/127.0.0.1"]);
    const udp = await soapCall(gateway, "GetListOfPortMappings", listArgs(5000, 5010, "1", "UDP"));
    assert.deepEqual(listed(udp.values.NewPortListing), ["5003/127.0.0.1"]);
    assert.equal((await soapCall(gateway, "GetListOfPortMappings", listArgs(5001, 5004, "1"))).fault?.code, 730);
    assert.equal((await soapCall(gateway, "DeletePortMappingRange", listArgs(5000, 5010, "1").slice(0, 4))).status, 200);
    assert.deepEqual(gateway.mappings.map((m) => `${m.protocol}/${m.externalPort}`).sort(), ["TCP/4999", "TCP/5011", "UDP/5003"]);
  }));

test("secure mode ignores NewManage: only the caller's own mappings are listed or deleted", () =>
  withGateway({ quirks: { secureMode: true } }, async (gateway) => {
    await soapCall(gateway, "AddPortMapping", mappingArgs({ externalPort: 5001 }));
    // Another LAN host's mapping, made by that host itself.
    const other = { localAddress: "127.0.0.2" };
    assert.equal((await soapCall(gateway, "AddPortMapping", mappingArgs({ externalPort: 5002, internalClient: "127.0.0.2" }), other)).status, 200);
    const listing = await soapCall(gateway, "GetListOfPortMappings", listArgs(5000, 5010, "1"));
    assert.deepEqual(listed(listing.values.NewPortListing), ["5001/127.0.0.1"]);
    assert.equal((await soapCall(gateway, "DeletePortMappingRange", listArgs(5000, 5010, "1").slice(0, 4))).status, 200);
    assert.deepEqual(gateway.mappings.map((m) => m.externalPort), [5002]);
    assert.equal((await soapCall(gateway, "DeletePortMapping", [["NewRemoteHost", ""], ["NewExternalPort", "5002"], ["NewProtocol", "TCP"]])).fault?.code, 606);
    assert.deepEqual(listed((await soapCall(gateway, "GetListOfPortMappings", listArgs(5000, 5010, "1"), other)).values.NewPortListing), ["5002/127.0.0.2"]);
  }));

test("without secure mode NewManage 1 lists every client's mappings and 0 only the caller's", () =>
  withGateway({}, async (gateway) => {
    await soapCall(gateway, "AddPortMapping", mappingArgs({ externalPort: 5001 }));
    await soapCall(gateway, "AddPortMapping", mappingArgs({ externalPort: 5002, internalClient: "192.0.2.9" }));
    assert.deepEqual(listed((await soapCall(gateway, "GetListOfPortMappings", listArgs(5000, 5010, "1"))).values.NewPortListing), ["5001/127.0.0.1", "5002/192.0.2.9"]);
    assert.deepEqual(listed((await soapCall(gateway, "GetListOfPortMappings", listArgs(5000, 5010, "0"))).values.NewPortListing), ["5001/127.0.0.1"]);
  }));

test("AddAnyPortMapping: port 0 is a wildcard that starts at 1024; a taken port moves up and wraps around", () =>
  withGateway({}, async (gateway) => {
    const wildcard = await soapCall(gateway, "AddAnyPortMapping", mappingArgs({ externalPort: 0, internalPort: 7000 }));
    assert.equal(wildcard.values.NewReservedPort, "1024");
    const next = await soapCall(gateway, "AddAnyPortMapping", mappingArgs({ externalPort: 0, internalPort: 7001, internalClient: "192.0.2.9" }));
    assert.equal(next.values.NewReservedPort, "1025");
    await soapCall(gateway, "AddPortMapping", mappingArgs({ externalPort: 65535, internalClient: "192.0.2.9" }));
    const wrapped = await soapCall(gateway, "AddAnyPortMapping", mappingArgs({ externalPort: 65535 }));
    assert.equal(wrapped.values.NewReservedPort, "1", "after 65535 comes 1");
    // The same client may take its own port again (an update).
    assert.equal((await soapCall(gateway, "AddAnyPortMapping", mappingArgs({ externalPort: 1 }))).values.NewReservedPort, "1");
  }));

test("AddAnyPortMapping with rejectPortsBelow1024 starts a wildcard or low port at 1024 and wraps to 1024", () =>
  withGateway({ quirks: { rejectPortsBelow1024: true } }, async (gateway) => {
    assert.equal((await soapCall(gateway, "AddAnyPortMapping", mappingArgs({ externalPort: 0, internalPort: 7000 }))).values.NewReservedPort, "1024");
    assert.equal((await soapCall(gateway, "AddAnyPortMapping", mappingArgs({ externalPort: 1023, internalClient: "192.0.2.9" }))).values.NewReservedPort, "1025");
    assert.equal((await soapCall(gateway, "AddPortMapping", mappingArgs({ externalPort: 1024, internalClient: "192.0.2.8" }))).fault?.code, 718);
    assert.equal((await soapCall(gateway, "AddPortMapping", mappingArgs({ externalPort: 1023 }))).fault?.code, 606);
    await soapCall(gateway, "AddPortMapping", mappingArgs({ externalPort: 65535, internalClient: "192.0.2.8" }));
    assert.equal((await soapCall(gateway, "AddAnyPortMapping", mappingArgs({ externalPort: 65535, internalClient: "192.0.2.7" }))).values.NewReservedPort, "1026");
  }));

test("a full table: AddAnyPortMapping answers 728; one entry below the limit still adds", () =>
  withGateway({ quirks: { tableLimit: 2 } }, async (gateway) => {
    assert.equal((await soapCall(gateway, "AddAnyPortMapping", mappingArgs({ externalPort: 6000 }))).values.NewReservedPort, "6000");
    assert.equal((await soapCall(gateway, "AddAnyPortMapping", mappingArgs({ externalPort: 6001 }))).values.NewReservedPort, "6001");
    assert.equal((await soapCall(gateway, "AddAnyPortMapping", mappingArgs({ externalPort: 6002 }))).fault?.code, 728);
    assert.equal(gateway.mappings.length, 2);
  }));

test("internal port 0 is 402 on IGD:1 and 732 on IGD:2; a wildcard internal client is 402", async () => {
  await withGateway({ igdVersion: 1 }, async (gateway) => {
    const options = { serviceType: wanIpConnection(1) };
    assert.equal((await soapCall(gateway, "AddPortMapping", mappingArgs({ externalPort: 80, internalPort: 0 }), options)).fault?.code, 402);
    assert.equal((await soapCall(gateway, "AddPortMapping", mappingArgs({ externalPort: 80, internalPort: 1 }), options)).status, 200);
  });
  await withGateway({}, async (gateway) => {
    assert.equal((await soapCall(gateway, "AddPortMapping", mappingArgs({ externalPort: 80, internalPort: 0 }))).fault?.code, 732);
    assert.equal((await soapCall(gateway, "AddAnyPortMapping", mappingArgs({ externalPort: 80, internalPort: 0 }))).fault?.code, 732);
    for (const client of ["0.0.0.0", "::", "not-an-address"]) {
      assert.equal((await soapCall(gateway, "AddPortMapping", mappingArgs({ externalPort: 81, internalClient: client }))).fault?.code, 402, client);
    }
  });
});

test("IGD:2 grants leases up to a week: 604800 is kept, 604801 is cut to a week", () =>
  withGateway({}, async (gateway) => {
    await soapCall(gateway, "AddPortMapping", mappingArgs({ externalPort: 4000, lease: 604800 }));
    await soapCall(gateway, "AddPortMapping", mappingArgs({ externalPort: 4001, lease: 604801 }));
    await soapCall(gateway, "AddPortMapping", mappingArgs({ externalPort: 4002, lease: 1 }));
    assert.deepEqual(gateway.mappings.map((m) => m.leaseSeconds), [604800, 604800, 1]);
  }));

test("GetGenericPortMappingEntry: the last index answers, one past it is 713", () =>
  withGateway({}, async (gateway) => {
    for (const port of [7001, 7002]) await soapCall(gateway, "AddPortMapping", mappingArgs({ externalPort: port }));
    const at = (index: number) => soapCall(gateway, "GetGenericPortMappingEntry", [["NewPortMappingIndex", String(index)]]);
    assert.equal((await at(1)).values.NewExternalPort, "7002");
    assert.equal((await at(2)).fault?.code, 713);
    assert.equal((await at(65536)).fault?.code, 402);
  }));

test("NewEnabled left empty means enabled; without secure mode any client may delete any mapping (miniupnpd)", () =>
  withGateway({}, async (gateway) => {
    const args = mappingArgs({ externalPort: 7100 }).map(([name, value]): [string, string] => [name, name === "NewEnabled" ? "" : value]);
    assert.equal((await soapCall(gateway, "AddPortMapping", args)).status, 200);
    assert.equal(gateway.mappings[0]?.enabled, true);
    await soapCall(gateway, "AddPortMapping", mappingArgs({ externalPort: 7101, internalClient: "127.0.0.2" }), { localAddress: "127.0.0.2" });
    assert.equal((await soapCall(gateway, "DeletePortMapping", [["NewRemoteHost", ""], ["NewExternalPort", "7101"], ["NewProtocol", "TCP"]])).status, 200);
    assert.deepEqual(gateway.mappings.map((m) => m.externalPort), [7100]);
  }));
