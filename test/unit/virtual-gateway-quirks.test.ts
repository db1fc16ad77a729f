import { test } from "node:test";
import assert from "node:assert/strict";
import { mappingArgs, soapCall, wanIpConnection, withGateway } from "./virtual-gateway-test-client.js";


const swapped = (args: Array<[string, string]>): Array<[string, string]> => [args[1]!, args[0]!, ...args.slice(2)];
const withoutRemoteHost = (args: Array<[string, string]>): Array<[string, string]> => args.slice(1);

test("arguments out of template order: accepted by default, 402 with requireArgumentOrder (rust-igd#48)", async () => {
  await withGateway({}, async (gateway) => {
    assert.equal((await soapCall(gateway, "AddPortMapping", swapped(mappingArgs({ externalPort: 3000 })))).status, 200);
  });
  await withGateway({ quirks: { requireArgumentOrder: true } }, async (gateway) => {
    assert.equal((await soapCall(gateway, "AddPortMapping", swapped(mappingArgs({ externalPort: 3000 })))).fault?.code, 402);
    assert.equal((await soapCall(gateway, "AddPortMapping", mappingArgs({ externalPort: 3000 }))).status, 200);
  });
});

test("requireAllArguments answers 402 \"No RemoteHost\" when NewRemoteHost is left out (nat-puncher#5)", () =>
  withGateway({ quirks: { requireAllArguments: true } }, async (gateway) => {
    const result = await soapCall(gateway, "AddPortMapping", withoutRemoteHost(mappingArgs({ externalPort: 3001 })));
    assert.deepEqual(result.fault, { code: 402, description: "No RemoteHost" });
    assert.equal((await soapCall(gateway, "AddPortMapping", mappingArgs({ externalPort: 3001 }))).status, 200);
  }));

test("lower-case protocol: normalised by default, 402 with rejectLowercaseProtocol (tailscale#7377)", async () => {
  await withGateway({}, async (gateway) => {
    assert.equal((await soapCall(gateway, "AddPortMapping", mappingArgs({ externalPort: 3002, protocol: "udp" }))).status, 200);
    assert.equal(gateway.mappings[0]?.protocol, "UDP");
  });
  await withGateway({ quirks: { rejectLowercaseProtocol: true } }, async (gateway) => {
    assert.equal((await soapCall(gateway, "AddPortMapping", mappingArgs({ externalPort: 3002, protocol: "udp" }))).fault?.code, 402);
  });
});

test("rejectPortsBelow1024 refuses AddPortMapping on port 80 and makes AddAnyPortMapping pick a higher one", () =>
  withGateway({ quirks: { rejectPortsBelow1024: true } }, async (gateway) => {
    assert.equal((await soapCall(gateway, "AddPortMapping", mappingArgs({ externalPort: 80 }))).fault?.code, 606);
    const any = await soapCall(gateway, "AddAnyPortMapping", mappingArgs({ externalPort: 80 }));
    assert.ok(Number(any.values.NewReservedPort) >= 1024);
  }));

test("secureMode maps and deletes only for the requesting client's own address (606)", () =>
  withGateway({ quirks: { secureMode: true } }, async (gateway) => {
    const foreign = await soapCall(gateway, "AddPortMapping", mappingArgs({ externalPort: 3003, internalClient: "192.0.2.9" }));
    assert.deepEqual(foreign.fault, { code: 606, description: "Action not authorized" });
    assert.equal((await soapCall(gateway, "AddPortMapping", mappingArgs({ externalPort: 3003 }))).status, 200);
    assert.equal(gateway.mappings.length, 1);
  }));

test("namespacePrefix changes the reply's prefixes", () =>
  withGateway({ quirks: { namespacePrefix: { envelope: "SOAP-ENV", action: "m" } } }, async (gateway) => {
    const result = await soapCall(gateway, "GetExternalIPAddress");
    const text = result.response.body.toString();
    assert.match(text, /<SOAP-ENV:Envelope xmlns:SOAP-ENV=/);
    assert.match(text, /<m:GetExternalIPAddressResponse xmlns:m="urn:schemas-upnp-org:service:WANIPConnection:2">/);
    assert.equal(result.values.NewExternalIPAddress, "203.0.113.7");
  }));

test("getStatusInfoFails answers 501 to GetStatusInfo only (godot#70458)", () =>
  withGateway({ quirks: { getStatusInfoFails: true } }, async (gateway) => {
    assert.equal((await soapCall(gateway, "GetStatusInfo")).fault?.code, 501);
    assert.equal((await soapCall(gateway, "GetExternalIPAddress")).status, 200);
  }));

test("silentlyDropMappings reports success and keeps nothing (tailscale#18196)", () =>
  withGateway({ quirks: { silentlyDropMappings: true } }, async (gateway) => {
    assert.equal((await soapCall(gateway, "AddPortMapping", mappingArgs({ externalPort: 3004 }))).status, 200);
    const check = await soapCall(gateway, "GetSpecificPortMappingEntry", mappingArgs({ externalPort: 3004 }).slice(0, 3));
    assert.equal(check.fault?.code, 714);
  }));

test("tableLimit: a full table answers 728 on IGD:2 and 501 on IGD:1, updates still pass", async () => {
  await withGateway({ quirks: { tableLimit: 1 } }, async (gateway) => {
    await soapCall(gateway, "AddPortMapping", mappingArgs({ externalPort: 3005 }));
    assert.equal((await soapCall(gateway, "AddPortMapping", mappingArgs({ externalPort: 3006 }))).fault?.code, 728);
    assert.equal((await soapCall(gateway, "AddAnyPortMapping", mappingArgs({ externalPort: 3006 }))).fault?.code, 728);
    assert.equal((await soapCall(gateway, "AddPortMapping", mappingArgs({ externalPort: 3005, lease: 60 }))).status, 200);
  });
  await withGateway({ igdVersion: 1, quirks: { tableLimit: 1 } }, async (gateway) => {
    const options = { serviceType: wanIpConnection(1) };
    await soapCall(gateway, "AddPortMapping", mappingArgs({ externalPort: 3005 }), options);
    assert.equal((await soapCall(gateway, "AddPortMapping", mappingArgs({ externalPort: 3006 }), options)).fault?.code, 501);
  });
});
