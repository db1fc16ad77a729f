import { resultOf } from "../../src/compat/result-of.js";
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { UPNPResult } from "../../src/compat/result-codes.js";
import { InvalidArgumentError } from "../../src/errors/errors.js";
import { formatInputs, igdActions, invokeAction } from "../../src/upnp/igd/igd-actions.js";
import { soapReply, startControlServer, type ControlServer } from "../fixtures/soap/control-server.js";

const serviceType = "urn:schemas-upnp-org:service:WANIPConnection:1";

describe("igdActions table", () => {
  const inNames = (name: keyof typeof igdActions) => igdActions[name].inArguments.map(([argument]) => argument);

  it("orders AddPortMapping's arguments as the service description does", () => {
    assert.deepEqual(inNames("AddPortMapping"), [
      "NewRemoteHost",
      "NewExternalPort",
      "NewProtocol",
      "NewInternalPort",
      "NewInternalClient",
      "NewEnabled",
      "NewPortMappingDescription",
      "NewLeaseDuration",
    ]);
    assert.deepEqual(inNames("AddAnyPortMapping"), inNames("AddPortMapping"));
  });

  it("orders the range and listing actions' arguments as WANIPConnection:2 does", () => {
    assert.deepEqual(inNames("DeletePortMappingRange"), ["NewStartPort", "NewEndPort", "NewProtocol", "NewManage"]);
    assert.deepEqual(inNames("GetListOfPortMappings"), ["NewStartPort", "NewEndPort", "NewProtocol", "NewManage", "NewNumberOfPorts"]);
    assert.deepEqual(inNames("DeletePortMapping"), ["NewRemoteHost", "NewExternalPort", "NewProtocol"]);
  });

  it("lists GetGenericPortMappingEntry's out-arguments in spec order", () => {
    // The same eight names, in the same order, as AddPortMapping's in-arguments asserted above.
    assert.deepEqual(igdActions.GetGenericPortMappingEntry.outArguments, inNames("AddPortMapping"));
  });

  it("marks exactly the IGDv2-only actions", () => {
    const v2 = Object.values(igdActions).filter((spec) => spec.since === 2).map((spec) => spec.name);
    assert.deepEqual(v2.sort(), ["AddAnyPortMapping", "DeletePortMappingRange", "GetListOfPortMappings"]);
    for (const [key, spec] of Object.entries(igdActions)) assert.equal(spec.name, key);
  });
});

describe("formatInputs", () => {
  const add = (overrides: Record<string, unknown>) =>
    formatInputs(igdActions.AddPortMapping, {
      NewExternalPort: 8080,
      NewProtocol: "TCP",
      NewInternalPort: 80,
      NewInternalClient: "192.0.2.10",
      NewEnabled: true,
      NewPortMappingDescription: "d",
      NewLeaseDuration: 0,
      ...overrides,
    });

  it("sends a missing remote host as the empty string and booleans as 1/0", () => {
    assert.deepEqual(add({}), [
      ["NewRemoteHost", ""],
      ["NewExternalPort", "8080"],
      ["NewProtocol", "TCP"],
      ["NewInternalPort", "80"],
      ["NewInternalClient", "192.0.2.10"],
      ["NewEnabled", "1"],
      ["NewPortMappingDescription", "d"],
      ["NewLeaseDuration", "0"],
    ]);
    assert.equal(add({ NewEnabled: false })[5]![1], "0");
  });

  it("upper-cases the protocol (tailscale#7377)", () => {
    assert.equal(add({ NewProtocol: "udp" })[2]![1], "UDP");
  });

  it("accepts numbers given as decimal strings", () => {
    assert.equal(add({ NewExternalPort: "443" })[1]![1], "443");
  });

  const refusals: Array<[string, Record<string, unknown>, UPNPResult]> = [
    ["external port 0 (wildcard)", { NewExternalPort: 0 }, UPNPResult.INVALID_PORT],
    ["external port 65536", { NewExternalPort: 65536 }, UPNPResult.INVALID_PORT],
    ["a fractional port", { NewExternalPort: 80.5 }, UPNPResult.INVALID_PORT],
    ["NaN as port", { NewInternalPort: NaN }, UPNPResult.INVALID_PORT],
    ["a negative port", { NewInternalPort: -1 }, UPNPResult.INVALID_PORT],
    ["a port string with a sign", { NewInternalPort: "+80" }, UPNPResult.INVALID_PORT],
    ["a missing internal port", { NewInternalPort: undefined }, UPNPResult.INVALID_PORT],
    ["protocol ICMP", { NewProtocol: "ICMP" }, UPNPResult.INVALID_PROTOCOL],
    ["an empty protocol", { NewProtocol: "" }, UPNPResult.INVALID_PROTOCOL],
    ["a negative lease", { NewLeaseDuration: -1 }, UPNPResult.INVALID_DURATION],
    ["a lease beyond ui4", { NewLeaseDuration: 2 ** 32 }, UPNPResult.INVALID_DURATION],
    ["an internal client that is no IPv4 address", { NewInternalClient: "my-pc" }, UPNPResult.INVALID_ARGS],
    ["an IPv6 internal client", { NewInternalClient: "2001:db8::1" }, UPNPResult.INVALID_ARGS],
    ["a remote host that is no address", { NewRemoteHost: "example.com" }, UPNPResult.INVALID_ARGS],
    ["enabled as 'yes'", { NewEnabled: "yes" }, UPNPResult.INVALID_ARGS],
    ["a numeric description", { NewPortMappingDescription: 5 }, UPNPResult.INVALID_ARGS],
  ];
  for (const [label, overrides, result] of refusals) {
    it(`refuses ${label} with ${UPNPResult[result]}`, () => {
      assert.throws(() => add(overrides), (error: unknown) => error instanceof InvalidArgumentError && resultOf(error) === result);
    });
  }

  it("accepts port 0 as a range bound and refuses a negative one", () => {
    const range = { NewStartPort: 0, NewEndPort: 65535, NewProtocol: "TCP", NewManage: false };
    assert.equal(formatInputs(igdActions.DeletePortMappingRange, range)[0]![1], "0");
    assert.throws(
      () => formatInputs(igdActions.DeletePortMappingRange, { ...range, NewStartPort: -1 }),
      (error: unknown) => error instanceof InvalidArgumentError && resultOf(error) === UPNPResult.INVALID_PORT,
    );
  });
});

describe("invokeAction", () => {
  let server: ControlServer;
  before(async () => {
    server = await startControlServer({
      GetStatusInfo: () => ({
        // Lower-case first letters and a missing NewLastConnectionError, as some routers send.
        body: soapReply("GetStatusInfo", "<newConnectionStatus>Connected</newConnectionStatus><NewUptime>42</NewUptime>"),
      }),
      DeletePortMapping: () => ({ body: soapReply("DeletePortMapping", "") }),
    });
  });
  after(() => server.close());
  const service = () => ({ controlUrl: server.controlUrl, serviceType });

  it("returns every declared out-argument, matched case-insensitively, missing ones as empty", async () => {
    const outputs = await invokeAction(service(), igdActions.GetStatusInfo, {});
    assert.deepEqual(outputs, { NewConnectionStatus: "Connected", NewLastConnectionError: "", NewUptime: "42" });
  });

  it("sends every in-argument in table order, a missing one empty", async () => {
    const before = server.requests.length;
    await invokeAction(service(), igdActions.DeletePortMapping, { NewProtocol: "udp", NewExternalPort: 9000 });
    assert.ok(
      server.requests[before]!.body.includes(
        "<NewRemoteHost></NewRemoteHost><NewExternalPort>9000</NewExternalPort><NewProtocol>UDP</NewProtocol>",
      ),
    );
  });

  it("takes only the call options from a wider options object", async () => {
    const before = server.requests.length;
    const wider = { timeoutMs: 2000, controlUrl: "http://127.0.0.1:1/elsewhere", serviceType: "urn:other" };
    await invokeAction(service(), igdActions.GetStatusInfo, {}, wider);
    assert.equal(server.requests.length, before + 1);
    assert.equal(server.requests[before]!.headers.soapaction, `"${serviceType}#GetStatusInfo"`);
  });

  it("throws InvalidArgumentError before any request", async () => {
    const before = server.requests.length;
    await assert.rejects(
      invokeAction(service(), igdActions.DeletePortMapping, { NewProtocol: "TCP", NewExternalPort: 70000 }),
      InvalidArgumentError,
    );
    assert.equal(server.requests.length, before);
  });
});

describe("invokeAction with replies named after the action, without the Response suffix", () => {
  let server: ControlServer;
  const bareReply = (action: string, inner: string) => ({ body: soapReply(action, inner).replaceAll(`${action}Response`, action) });
  before(async () => {
    server = await startControlServer({
      AddPortMapping: () => bareReply("AddPortMapping", ""),
      DeletePortMapping: () => bareReply("DeletePortMapping", ""),
      GetExternalIPAddress: () => bareReply("GetExternalIPAddress", "<NewExternalIPAddress>198.51.100.7</NewExternalIPAddress>"),
    });
  });
  after(() => server.close());
  const service = () => ({ controlUrl: server.controlUrl, serviceType });

  it("accepts them for actions without out-arguments", async () => {
    const mapping = { NewExternalPort: 80, NewProtocol: "TCP", NewInternalPort: 80, NewInternalClient: "192.168.1.2", NewEnabled: true, NewPortMappingDescription: "x", NewLeaseDuration: 0 };
    assert.deepEqual(await invokeAction(service(), igdActions.AddPortMapping, mapping), {});
    assert.deepEqual(await invokeAction(service(), igdActions.DeletePortMapping, { NewExternalPort: 80, NewProtocol: "TCP" }), {});
  });

  it("refuses them for actions with out-arguments", async () => {
    await assert.rejects(invokeAction(service(), igdActions.GetExternalIPAddress, {}), (error: unknown) => resultOf(error) === UPNPResult.INVALID_RESPONSE);
  });
});
