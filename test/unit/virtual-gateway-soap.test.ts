import { test } from "node:test";
import assert from "node:assert/strict";
import { childText, descendants, parseXml } from "../../src/xml/parse-xml.js";
import { mappingArgs, rawHttp, soapCall, wanIpConnection, withGateway } from "./virtual-gateway-test-client.js";


const key = (port: number, protocol = "TCP"): Array<[string, string]> => [
  ["NewRemoteHost", ""],
  ["NewExternalPort", String(port)],
  ["NewProtocol", protocol],
];

test("status actions report the configured state and follow the setters", () =>
  withGateway({ externalAddress: "198.51.100.20" }, async (gateway) => {
    assert.equal((await soapCall(gateway, "GetExternalIPAddress")).values.NewExternalIPAddress, "198.51.100.20");
    gateway.setExternalAddress("10.0.0.2");
    assert.equal((await soapCall(gateway, "GetExternalIPAddress")).values.NewExternalIPAddress, "10.0.0.2");

    const status = await soapCall(gateway, "GetStatusInfo");
    assert.equal(status.status, 200);
    assert.equal(status.values.NewConnectionStatus, "Connected");
    assert.equal(status.values.NewLastConnectionError, "ERROR_NONE");
    gateway.setConnectionStatus("Disconnected");
    assert.equal((await soapCall(gateway, "GetStatusInfo")).values.NewConnectionStatus, "Disconnected");

    const type = await soapCall(gateway, "GetConnectionTypeInfo");
    assert.equal(type.values.NewConnectionType, "IP_Routed");
  }));

test("a fault is a SOAP fault with HTTP 500 and a UPnPError detail", () =>
  withGateway({}, async (gateway) => {
    const result = await soapCall(gateway, "FlyToTheMoon");
    assert.equal(result.status, 500);
    assert.deepEqual(result.fault, { code: 401, description: "Invalid Action" });
    const document = parseXml(result.response.body.toString());
    const fault = descendants(document, "Fault")[0];
    assert.ok(fault);
    assert.equal(childText(fault, "faultcode"), "s:Client");
    assert.equal(childText(fault, "faultstring"), "UPnPError");
    assert.ok(descendants(fault, "detail")[0]);
    assert.match(result.response.headers["content-type"] ?? "", /text\/xml/);
  }));

test("AddPortMapping stores the mapping and GetSpecificPortMappingEntry reads it back", () =>
  withGateway({}, async (gateway) => {
    const added = await soapCall(gateway, "AddPortMapping", mappingArgs({ externalPort: 7777, internalPort: 8888, description: "game" }));
    assert.equal(added.status, 200);
    assert.deepEqual(added.values, {});
    assert.equal(gateway.mappings.length, 1);
    assert.equal(gateway.mappings[0]?.internalPort, 8888);

    const entry = await soapCall(gateway, "GetSpecificPortMappingEntry", key(7777));
    assert.equal(entry.values.NewInternalPort, "8888");
    assert.equal(entry.values.NewInternalClient, "127.0.0.1");
    assert.equal(entry.values.NewEnabled, "1");
    assert.equal(entry.values.NewPortMappingDescription, "game");
    assert.equal(entry.values.NewLeaseDuration, "3600");

    assert.equal((await soapCall(gateway, "GetSpecificPortMappingEntry", key(7777, "UDP"))).fault?.code, 714);
  }));

test("the same port for another client is 718; the same client updates its mapping", () =>
  withGateway({}, async (gateway) => {
    await soapCall(gateway, "AddPortMapping", mappingArgs({ externalPort: 7000, description: "first" }));
    const conflict = await soapCall(gateway, "AddPortMapping", mappingArgs({ externalPort: 7000, internalClient: "192.0.2.9" }));
    assert.deepEqual(conflict.fault, { code: 718, description: "ConflictInMappingEntry" });
    const update = await soapCall(gateway, "AddPortMapping", mappingArgs({ externalPort: 7000, description: "second" }));
    assert.equal(update.status, 200);
    assert.deepEqual(gateway.mappings.map((mapping) => mapping.description), ["second"]);
    // Another protocol is another key.
    await soapCall(gateway, "AddPortMapping", mappingArgs({ externalPort: 7000, protocol: "UDP", internalClient: "192.0.2.9" }));
    assert.equal(gateway.mappings.length, 2);
  }));

test("DeletePortMapping removes the entry, then answers 714", () =>
  withGateway({}, async (gateway) => {
    await soapCall(gateway, "AddPortMapping", mappingArgs({ externalPort: 7001 }));
    assert.equal((await soapCall(gateway, "DeletePortMapping", key(7001))).status, 200);
    assert.equal(gateway.mappings.length, 0);
    assert.deepEqual((await soapCall(gateway, "DeletePortMapping", key(7001))).fault, { code: 714, description: "NoSuchEntryInArray" });
  }));

test("GetGenericPortMappingEntry walks the table and answers 713 past its end", () =>
  withGateway({}, async (gateway) => {
    await soapCall(gateway, "AddPortMapping", mappingArgs({ externalPort: 7002 }));
    await soapCall(gateway, "AddPortMapping", mappingArgs({ externalPort: 7003, protocol: "UDP" }));
    const first = await soapCall(gateway, "GetGenericPortMappingEntry", [["NewPortMappingIndex", "0"]]);
    assert.equal(first.values.NewExternalPort, "7002");
    assert.equal(first.values.NewProtocol, "TCP");
    const second = await soapCall(gateway, "GetGenericPortMappingEntry", [["NewPortMappingIndex", "1"]]);
    assert.equal(second.values.NewExternalPort, "7003");
    const past = await soapCall(gateway, "GetGenericPortMappingEntry", [["NewPortMappingIndex", "2"]]);
    assert.deepEqual(past.fault, { code: 713, description: "SpecifiedArrayIndexInvalid" });
    assert.equal((await soapCall(gateway, "GetGenericPortMappingEntry", [["NewPortMappingIndex", "x"]])).fault?.code, 402);
  }));

test("malformed or missing arguments are 402, external port 0 is 716", () =>
  withGateway({}, async (gateway) => {
    const without = (name: string) => mappingArgs({ externalPort: 7100 }).filter(([argument]) => argument !== name);
    assert.equal((await soapCall(gateway, "AddPortMapping", without("NewInternalClient"))).fault?.code, 402);
    assert.equal((await soapCall(gateway, "AddPortMapping", without("NewExternalPort"))).fault?.code, 402);
    assert.equal((await soapCall(gateway, "AddPortMapping", mappingArgs({ externalPort: 7100, protocol: "ICMP" }))).fault?.code, 402);
    assert.equal((await soapCall(gateway, "AddPortMapping", mappingArgs({ externalPort: 70000 }))).fault?.code, 402);
    assert.equal((await soapCall(gateway, "AddPortMapping", mappingArgs({ externalPort: 7100, internalClient: "nobody" }))).fault?.code, 402);
    assert.equal((await soapCall(gateway, "AddPortMapping", mappingArgs({ externalPort: 7100, lease: "-1" }))).fault?.code, 402);
    assert.equal((await soapCall(gateway, "AddPortMapping", mappingArgs({ externalPort: 0, internalPort: 7100 }))).fault?.code, 716);
    assert.equal((await soapCall(gateway, "AddPortMapping", mappingArgs({ externalPort: 7100, internalPort: 0 }))).fault?.code, 732);
    // Optional arguments may be left out by default (miniupnpd).
    assert.equal((await soapCall(gateway, "AddPortMapping", without("NewRemoteHost"))).status, 200);
    assert.equal(gateway.mappings.length, 1);
  }));

test("a body that is not XML is 402; the action may come from the body alone", () =>
  withGateway({}, async (gateway) => {
    const origin = new URL(gateway.descriptionUrl).origin;
    const garbage = await rawHttp(`${origin}/ctl/IPConn`, {
      method: "POST",
      headers: { SOAPAction: `"${wanIpConnection(2)}#AddPortMapping"` },
      body: "this is not a SOAP envelope",
    });
    assert.equal(garbage.status, 500);
    assert.match(garbage.body.toString(), /<errorCode>402<\/errorCode>/);

    const envelope = `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><u:GetExternalIPAddress xmlns:u="${wanIpConnection(2)}"/></s:Body></s:Envelope>`;
    const headerless = await rawHttp(`${origin}/ctl/IPConn`, { method: "POST", body: envelope });
    assert.equal(headerless.status, 200);
    assert.match(headerless.body.toString(), /<NewExternalIPAddress>203\.0\.113\.7<\/NewExternalIPAddress>/);
  }));

test("every control request is logged with its arguments in received order and its raw body", () =>
  withGateway({}, async (gateway) => {
    const args = mappingArgs({ externalPort: 7200 }).reverse();
    await soapCall(gateway, "AddPortMapping", args);
    const [record] = gateway.requests;
    assert.equal(record?.action, "AddPortMapping");
    assert.equal(record?.serviceType, wanIpConnection(2));
    assert.equal(record?.controlPath, "/ctl/IPConn");
    assert.deepEqual(record?.arguments, args);
    assert.match(record?.body ?? "", /<NewLeaseDuration>3600<\/NewLeaseDuration><NewPortMappingDescription>/);
    assert.equal(record?.clientAddress, "127.0.0.1");
  }));

test("AddAnyPortMapping reserves the requested port when free and another one on conflict", () =>
  withGateway({}, async (gateway) => {
    const free = await soapCall(gateway, "AddAnyPortMapping", mappingArgs({ externalPort: 9000 }));
    assert.equal(free.values.NewReservedPort, "9000");
    const taken = await soapCall(gateway, "AddAnyPortMapping", mappingArgs({ externalPort: 9000, internalClient: "192.0.2.9" }));
    const reserved = Number(taken.values.NewReservedPort);
    assert.notEqual(reserved, 9000);
    assert.ok(reserved >= 1024);
    assert.equal(gateway.mappings.find((mapping) => mapping.externalPort === reserved)?.internalClient, "192.0.2.9");
  }));

test("the v2 range actions do not exist on IGD:1 (401)", () =>
  withGateway({ igdVersion: 1 }, async (gateway) => {
    const options = { serviceType: wanIpConnection(1) };
    const result = await soapCall(gateway, "AddAnyPortMapping", mappingArgs({ externalPort: 9000 }), options);
    assert.equal(result.fault?.code, 401);
    assert.equal((await soapCall(gateway, "GetExternalIPAddress", [], options)).status, 200);
  }));

const listArgs = (start: number, end: number, manage = "1", count = "0"): Array<[string, string]> => [
  ["NewStartPort", String(start)],
  ["NewEndPort", String(end)],
  ["NewProtocol", "TCP"],
  ["NewManage", manage],
  ["NewNumberOfPorts", count],
];

function listedPorts(listing: string | undefined): string[] {
  return descendants(parseXml(listing ?? ""), "PortMappingEntry").map((entry) => childText(entry, "NewExternalPort") ?? "");
}

test("GetListOfPortMappings lists a range as an embedded document; 730 when empty, 733 when inverted", () =>
  withGateway({}, async (gateway) => {
    for (const port of [5003, 5001, 5002]) await soapCall(gateway, "AddPortMapping", mappingArgs({ externalPort: port }));
    await soapCall(gateway, "AddPortMapping", mappingArgs({ externalPort: 5004, internalClient: "192.0.2.9" }));

    const all = await soapCall(gateway, "GetListOfPortMappings", listArgs(5000, 5010));
    assert.match(all.response.body.toString(), /<NewPortListing><!\[CDATA\[<\?xml/);
    assert.deepEqual(listedPorts(all.values.NewPortListing), ["5001", "5002", "5003", "5004"]);
    const listing = parseXml(all.values.NewPortListing ?? "");
    assert.equal(listing.name, "PortMappingList");
    const entry = descendants(listing, "PortMappingEntry")[0]!;
    assert.equal(childText(entry, "NewDescription"), "test");
    assert.equal(childText(entry, "NewLeaseTime"), "3600");

    assert.deepEqual(listedPorts((await soapCall(gateway, "GetListOfPortMappings", listArgs(5000, 5010, "1", "2"))).values.NewPortListing), ["5001", "5002"]);
    assert.deepEqual(listedPorts((await soapCall(gateway, "GetListOfPortMappings", listArgs(5000, 5010, "0"))).values.NewPortListing), ["5001", "5002", "5003"]);
    assert.deepEqual((await soapCall(gateway, "GetListOfPortMappings", listArgs(6000, 6010))).fault, { code: 730, description: "PortMappingNotFound" });
    assert.deepEqual((await soapCall(gateway, "GetListOfPortMappings", listArgs(5010, 5000))).fault, { code: 733, description: "InconsistentParameters" });
  }));

test("escapedPortListing sends the listing entity-escaped instead of in CDATA", () =>
  withGateway({ quirks: { escapedPortListing: true } }, async (gateway) => {
    await soapCall(gateway, "AddPortMapping", mappingArgs({ externalPort: 5001, description: "a<b" }));
    const result = await soapCall(gateway, "GetListOfPortMappings", listArgs(1, 65535));
    assert.match(result.response.body.toString(), /<NewPortListing>&lt;\?xml/);
    const entry = descendants(parseXml(result.values.NewPortListing ?? ""), "PortMappingEntry")[0]!;
    assert.equal(childText(entry, "NewDescription"), "a<b");
  }));

test("DeletePortMappingRange removes the caller's mappings in range", () =>
  withGateway({}, async (gateway) => {
    for (const port of [6001, 6002, 6100]) await soapCall(gateway, "AddPortMapping", mappingArgs({ externalPort: port }));
    await soapCall(gateway, "AddPortMapping", mappingArgs({ externalPort: 6003, internalClient: "192.0.2.9" }));
    const range = (start: number, end: number): Array<[string, string]> => listArgs(start, end, "0").slice(0, 4);
    assert.equal((await soapCall(gateway, "DeletePortMappingRange", range(6000, 6050))).status, 200);
    assert.deepEqual(gateway.mappings.map((mapping) => mapping.externalPort).sort(), [6003, 6100]);
    assert.equal((await soapCall(gateway, "DeletePortMappingRange", range(6000, 6050))).fault?.code, 730);
    assert.equal((await soapCall(gateway, "DeletePortMappingRange", range(6050, 6000))).fault?.code, 733);
  }));

test("WANCommonInterfaceConfig and Layer3Forwarding answer on their own control URLs", () =>
  withGateway({}, async (gateway) => {
    const link = await soapCall(gateway, "GetCommonLinkProperties", [], {
      controlPath: "/ctl/CmnIfCfg",
      serviceType: "urn:schemas-upnp-org:service:WANCommonInterfaceConfig:1",
    });
    assert.equal(link.values.NewPhysicalLinkStatus, "Up");
    const service = await soapCall(gateway, "GetDefaultConnectionService", [], {
      controlPath: "/ctl/L3F",
      serviceType: "urn:schemas-upnp-org:service:Layer3Forwarding:1",
    });
    assert.match(service.values.NewDefaultConnectionService ?? "", /^uuid:[0-9a-f-]+:WANConnectionDevice:1,urn:upnp-org:serviceId:WANIPConn1$/);
    // Port mapping actions are not part of Layer3Forwarding.
    assert.equal((await soapCall(gateway, "AddPortMapping", mappingArgs({ externalPort: 1 }), { controlPath: "/ctl/L3F" })).fault?.code, 401);
  }));

test("a PPP gateway maps ports through WANPPPConnection:1", () =>
  withGateway({ connection: "ppp" }, async (gateway) => {
    const options = { controlPath: "/ctl/PPPConn", serviceType: "urn:schemas-upnp-org:service:WANPPPConnection:1" };
    assert.equal((await soapCall(gateway, "AddPortMapping", mappingArgs({ externalPort: 7300, lease: 0 }), options)).status, 200);
    assert.equal(gateway.mappings[0]?.leaseSeconds, 0, "WANPPPConnection:1 keeps lease 0 permanent");
    assert.equal((await soapCall(gateway, "GetExternalIPAddress", [], { controlPath: "/ctl/IPConn" })).response.status, 404);
  }));
