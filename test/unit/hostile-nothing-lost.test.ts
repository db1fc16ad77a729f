// "Nothing lost": when AddPortMapping ends without a clear answer (its reply times out, the caller
// aborts) the request may still have reached the router. porthole then removes that exact mapping
// again, so no mapping is left that the caller does not know about, and never someone else's.
import { test } from "node:test";
import assert from "node:assert/strict";
import { WanConnection, TimeoutError } from "../../src/index.js";
import { soapReply, startControlServer } from "../fixtures/soap/control-server.js";
import { virtualGateway } from "./support/virtual-gateway-fixture.js";

const controlUrlOf = (descriptionUrl: string): string => descriptionUrl.replace(/\/[^/]*$/, "/ctl/IPConn");

async function slowGateway(t: Parameters<typeof virtualGateway>[0]) {
  // Every reply waits 300 ms; AddPortMapping below gives up after 100 ms, after the request went out.
  const vg = await virtualGateway(t, { quirks: { responseDelayMs: 300 } });
  const gateway = new WanConnection({ controlUrl: controlUrlOf(vg.descriptionUrl), serviceType: "urn:schemas-upnp-org:service:WANIPConnection:2", localAddress: "127.0.0.1" });
  return { vg, gateway };
}

test("an AddPortMapping whose reply times out is deleted again: the router keeps nothing", async (t) => {
  const { vg, gateway } = await slowGateway(t);
  await assert.rejects(gateway.addPortMapping({ internalPort: 4000, protocol: "UDP", timeoutMs: 100 }), TimeoutError);
  assert.deepEqual(vg.mappings, []);
  assert.deepEqual(
    vg.requests.map((request) => request.action),
    ["AddPortMapping", "GetSpecificPortMappingEntry", "DeletePortMapping"],
  );
});

test("a caller abort during AddPortMapping rejects with its reason and leaves no mapping", async (t) => {
  const { vg, gateway } = await slowGateway(t);
  const controller = new AbortController();
  const reason = new Error("shutting down");
  setTimeout(() => controller.abort(reason), 50);
  await assert.rejects(gateway.addPortMapping({ internalPort: 4001, protocol: "TCP", signal: controller.signal }), (error) => error === reason);
  assert.deepEqual(vg.mappings, []);
  assert.equal(vg.requests.at(-1)?.action, "DeletePortMapping");
});

test("the cleanup never removes another client's mapping on the same port", async (t) => {
  const { vg, gateway } = await slowGateway(t);
  const other = new WanConnection({ controlUrl: controlUrlOf(vg.descriptionUrl), serviceType: "urn:schemas-upnp-org:service:WANIPConnection:2", localAddress: "127.0.0.1" });
  await other.addPortMapping({ internalPort: 4002, internalClient: "127.0.0.9", protocol: "UDP", verify: false });
  await assert.rejects(gateway.addPortMapping({ internalPort: 4002, protocol: "UDP", timeoutMs: 100 }), TimeoutError);
  assert.deepEqual(
    vg.mappings.map((mapping) => [mapping.externalPort, mapping.internalClient]),
    [[4002, "127.0.0.9"]],
  );
  assert.ok(!vg.requests.some((request) => request.action === "DeletePortMapping"));
});

test("a caller abort during the verify step deletes the mapping just added and rejects", async (t) => {
  let lookups = 0;
  const controller = new AbortController();
  const reason = new Error("caller gave up");
  const server = await startControlServer({
    AddPortMapping: () => ({ body: soapReply("AddPortMapping", "") }),
    GetSpecificPortMappingEntry: () => {
      // The verify lookup hangs until the caller aborts; the cleanup's lookup is answered.
      if (++lookups === 1) {
        setTimeout(() => controller.abort(reason), 20);
        return undefined;
      }
      return {
        body: soapReply(
          "GetSpecificPortMappingEntry",
          "<NewInternalPort>4003</NewInternalPort><NewInternalClient>127.0.0.1</NewInternalClient><NewEnabled>1</NewEnabled>" +
            "<NewPortMappingDescription>porthole</NewPortMappingDescription><NewLeaseDuration>3600</NewLeaseDuration>",
        ),
      };
    },
    DeletePortMapping: () => ({ body: soapReply("DeletePortMapping", "") }),
  });
  t.after(() => server.close());
  const gateway = new WanConnection({ controlUrl: server.controlUrl, serviceType: "urn:schemas-upnp-org:service:WANIPConnection:1", localAddress: "127.0.0.1" });
  await assert.rejects(gateway.addPortMapping({ internalPort: 4003, protocol: "TCP", signal: controller.signal }), (error) => error === reason);
  assert.deepEqual(
    server.requests.map((request) => request.action),
    ["AddPortMapping", "GetSpecificPortMappingEntry", "GetSpecificPortMappingEntry", "DeletePortMapping"],
  );
  assert.match(server.requests.at(-1)!.body, /<NewExternalPort>4003<\/NewExternalPort><NewProtocol>TCP<\/NewProtocol>/);
});

test("a router's refusal (a UPnP fault) is not followed by a cleanup: nothing was added", async (t) => {
  const vg = await virtualGateway(t, { quirks: { rejectPortsBelow1024: true } });
  const gateway = new WanConnection({ controlUrl: controlUrlOf(vg.descriptionUrl), serviceType: "urn:schemas-upnp-org:service:WANIPConnection:2", localAddress: "127.0.0.1" });
  await assert.rejects(gateway.addPortMapping({ internalPort: 80, protocol: "TCP" }));
  assert.deepEqual(vg.requests.map((request) => request.action), ["AddPortMapping"]);
});
