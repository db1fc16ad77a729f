// "Nothing lost": when AddPortMapping ends without a clear answer (its reply times out, the caller
// aborts) the request may still have reached the router. porthole then removes that exact mapping
// again, so no mapping is left that the caller does not know about, and never someone else's.
import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { WanConnection, TimeoutError, UpnpActionError } from "../../src/index.js";
import { faultReply, soapReply, startControlServer, type CapturedRequest } from "../fixtures/soap/control-server.js";
import { entryReply } from "./support/scripted-router.js";

const argumentIn = (request: CapturedRequest, name: string): string => new RegExp(`<${name}>([^<]*)</${name}>`).exec(request.body)?.[1] ?? "";
const keyOf = (request: CapturedRequest): string => `${argumentIn(request, "NewProtocol")}/${argumentIn(request, "NewExternalPort")}`;

/**
 * A router that carries out every AddPortMapping and never answers it, so the client cannot know
 * the outcome; it answers lookups and deletes from its table. `onAdd` sees each add arrive.
 */
async function routerThatNeverAnswersAdd(t: TestContext, onAdd: () => void = () => {}) {
  const table = new Map<string, { client: string; port: number }>();
  const server = await startControlServer({
    AddPortMapping: (request) => {
      if (!table.has(keyOf(request))) table.set(keyOf(request), { client: argumentIn(request, "NewInternalClient"), port: Number(argumentIn(request, "NewInternalPort")) });
      onAdd();
      return undefined;
    },
    GetSpecificPortMappingEntry: (request) => {
      const entry = table.get(keyOf(request));
      return entry ? entryReply(entry.client, entry.port) : faultReply(714, "NoSuchEntryInArray");
    },
    DeletePortMapping: (request) => (table.delete(keyOf(request)) ? { body: soapReply("DeletePortMapping", "") } : faultReply(714, "NoSuchEntryInArray")),
  });
  t.after(() => server.close());
  const gateway = new WanConnection({ controlUrl: server.controlUrl, serviceType: "urn:schemas-upnp-org:service:WANIPConnection:2", localAddress: "127.0.0.1" });
  return { table, server, gateway, actions: () => server.requests.map((request) => request.action) };
}

test("an AddPortMapping whose reply times out is deleted again: the router keeps nothing", async (t) => {
  const { table, gateway, actions } = await routerThatNeverAnswersAdd(t);
  await assert.rejects(gateway.addPortMapping({ internalPort: 4000, protocol: "UDP", timeoutMs: 100 }), TimeoutError);
  assert.equal(table.size, 0);
  assert.deepEqual(actions(), ["AddPortMapping", "GetSpecificPortMappingEntry", "DeletePortMapping"]);
});

test("a caller abort during AddPortMapping rejects with its reason and leaves no mapping", async (t) => {
  const controller = new AbortController();
  const reason = new Error("shutting down");
  const { table, gateway, actions } = await routerThatNeverAnswersAdd(t, () => controller.abort(reason));
  await assert.rejects(gateway.addPortMapping({ internalPort: 4001, protocol: "TCP", signal: controller.signal }), (error) => error === reason);
  assert.equal(table.size, 0);
  assert.deepEqual(actions(), ["AddPortMapping", "GetSpecificPortMappingEntry", "DeletePortMapping"]);
});

test("the cleanup never removes another client's mapping on the same port", async (t) => {
  const { table, gateway, actions } = await routerThatNeverAnswersAdd(t);
  table.set("UDP/4002", { client: "127.0.0.9", port: 4002 });
  await assert.rejects(gateway.addPortMapping({ internalPort: 4002, protocol: "UDP", timeoutMs: 100 }), TimeoutError);
  assert.deepEqual([...table], [["UDP/4002", { client: "127.0.0.9", port: 4002 }]]);
  assert.deepEqual(actions(), ["AddPortMapping", "GetSpecificPortMappingEntry"]);
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
        controller.abort(reason);
        return undefined;
      }
      return entryReply("127.0.0.1", 4003);
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
  const server = await startControlServer({ AddPortMapping: () => faultReply(606, "Action not authorized") });
  t.after(() => server.close());
  const gateway = new WanConnection({ controlUrl: server.controlUrl, serviceType: "urn:schemas-upnp-org:service:WANIPConnection:2", localAddress: "127.0.0.1" });
  await assert.rejects(gateway.addPortMapping({ internalPort: 80, protocol: "TCP" }), (error: unknown) => error instanceof UpnpActionError && error.upnpCode === 606);
  assert.deepEqual(server.requests.map((request) => request.action), ["AddPortMapping"]);
});
