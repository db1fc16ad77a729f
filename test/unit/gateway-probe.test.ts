import assert from "node:assert/strict";
import net from "node:net";
import { test, type TestContext } from "node:test";
import { HttpError, NoGatewayError, TimeoutError, UpnpActionError } from "../../src/errors/errors.js";
import { faultReply } from "../fixtures/soap/control-server.js";
import { gatewayFromUrl, probeGateway } from "../../src/upnp/gateway/probe-gateway.js";
import { addressReply, descriptionFixture, later, scriptedRouter, statusReply } from "./support/scripted-router.js";

const twoConnections = descriptionFixture("two-wanip-connections");

/** Status handlers that answer per control path. */
function perService(answers: Record<string, { status: string; address: string }>) {
  const answer = (path: string) => answers[path] ?? { status: "Disconnected", address: "" };
  return {
    GetStatusInfo: (request: { path: string }) => statusReply(answer(request.path).status),
    GetExternalIPAddress: (request: { path: string }) => addressReply(answer(request.path).address),
  };
}

/** Like `perService`, but the other services answer only once `first` has answered both questions. */
function answeringFirst(first: string, answers: Record<string, { status: string; address: string }>) {
  const firstAnswered = later();
  let firstReplies = 0;
  const inTurn = async <T>(path: string, reply: (answer: { status: string; address: string }) => T): Promise<T> => {
    if (path !== first) await firstAnswered.promise;
    if (path === first && ++firstReplies === 2) firstAnswered.resolve();
    return reply(answers[path]!);
  };
  return {
    GetStatusInfo: ({ path }: { path: string }) => inTurn(path, (answer) => statusReply(answer.status)),
    GetExternalIPAddress: ({ path }: { path: string }) => inTurn(path, (answer) => addressReply(answer.address)),
  };
}

test("two WANIPConnection:1 services: the public one is picked even though the private one is listed first (issue 9)", async (t) => {
  const router = await scriptedRouter(t, twoConnections, perService({
    "/ctl/wan1": { status: "Connected", address: "10.9.8.7" },
    "/ctl/wan2": { status: "Connected", address: "123.123.123.123" },
  }));
  const probe = await probeGateway(router.descriptionUrl);
  assert.equal(probe.verdict, "usable");
  assert.equal(probe.gateway?.controlUrl, `${router.baseUrl}/ctl/wan2`);
  assert.equal(probe.gateway?.status?.rank, 1);
  assert.equal(probe.gateway?.status?.externalAddress, "123.123.123.123");
  assert.deepEqual(router.actionsAt("/ctl/wan1").sort(), ["GetExternalIPAddress", "GetStatusInfo"]);
});

test("the best service wins whatever order the answers come in; equals keep the description's order", async (t) => {
  // The public service answers last: only once the private one has answered both questions.
  const router = await scriptedRouter(t, twoConnections, answeringFirst("/ctl/wan1", {
    "/ctl/wan1": { status: "Connected", address: "10.9.8.7" },
    "/ctl/wan2": { status: "Connected", address: "123.123.123.123" },
  }));
  assert.equal((await probeGateway(router.descriptionUrl)).gateway?.controlUrl, `${router.baseUrl}/ctl/wan2`);

  // Equals: the one listed first wins even when it answers last.
  const firstLast = await scriptedRouter(t, twoConnections, answeringFirst("/ctl/wan2", {
    "/ctl/wan1": { status: "Connected", address: "10.9.8.7" },
    "/ctl/wan2": { status: "Connected", address: "10.9.8.8" },
  }));
  assert.equal((await probeGateway(firstLast.descriptionUrl)).gateway?.controlUrl, `${firstLast.baseUrl}/ctl/wan1`);

  const bothPrivate = await scriptedRouter(t, twoConnections, perService({
    "/ctl/wan1": { status: "Connected", address: "10.9.8.7" },
    "/ctl/wan2": { status: "Connected", address: "10.9.8.8" },
  }));
  const probe = await probeGateway(bothPrivate.descriptionUrl);
  assert.equal(probe.gateway?.controlUrl, `${bothPrivate.baseUrl}/ctl/wan1`);
  assert.equal(probe.gateway?.status?.doubleNat, true);
  assert.equal(probe.verdict, "usable");

  const secondConnected = await scriptedRouter(t, twoConnections, perService({
    "/ctl/wan1": { status: "Disconnected", address: "11.0.0.1" },
    "/ctl/wan2": { status: "Connected", address: "10.9.8.8" },
  }));
  assert.equal((await probeGateway(secondConnected.descriptionUrl)).gateway?.controlUrl, `${secondConnected.baseUrl}/ctl/wan2`);
});

test("a connected public service ends the probe: the other services are not waited for", { timeout: 20_000 }, async (t) => {
  // wan2 never answers, and every budget is a minute: only the early stop can end this probe.
  const router = await scriptedRouter(t, twoConnections, {
    GetStatusInfo: ({ path }) => (path === "/ctl/wan1" ? statusReply("Connected") : undefined),
    GetExternalIPAddress: ({ path }) => (path === "/ctl/wan1" ? addressReply("11.0.0.1") : undefined),
  });
  const probe = await probeGateway(router.descriptionUrl, { timeoutMs: 60_000, controlTimeoutMs: 60_000 });
  assert.equal(probe.gateway?.controlUrl, `${router.baseUrl}/ctl/wan1`);
  assert.equal(probe.verdict, "usable");
  assert.equal(probe.error, undefined);
  await router.socketsClosed();
});

test("no service answering within the budget: http-error with the probe's TimeoutError", async (t) => {
  const router = await scriptedRouter(t, twoConnections, { GetStatusInfo: () => undefined, GetExternalIPAddress: () => undefined });
  const probe = await probeGateway(router.descriptionUrl, { timeoutMs: 300 });
  assert.equal(probe.verdict, "http-error");
  assert.equal(probe.gateway, undefined);
  assert.ok(probe.error instanceof TimeoutError);
  assert.equal(probe.error.timeoutMs, 300);
  assert.ok(probe.error.message.startsWith(`probing ${router.descriptionUrl} timed out`), probe.error.message);
});

test("probeGateway's timeoutMs bounds the description fetch too: it resolves with that TimeoutError (issue 9)", async (t) => {
  const url = await neverAnswering(t);
  const probe = await probeGateway(url, { timeoutMs: 200 });
  assert.equal(probe.verdict, "http-error");
  assert.ok(probe.error instanceof TimeoutError);
  assert.equal(probe.error.timeoutMs, 200, "the probe's budget ended it, not the description's own 3000 ms");
});

test("verdicts: not a gateway, a gateway without a usable control URL, control URLs on another host", async (t) => {
  const renderer = await scriptedRouter(t, descriptionFixture("media-renderer"), {});
  const notGateway = await probeGateway(renderer.descriptionUrl);
  assert.equal(notGateway.verdict, "not-a-gateway");
  assert.equal(notGateway.gateway, undefined);
  assert.equal(notGateway.error, undefined);
  assert.equal(notGateway.refusedServices, undefined);

  const noControl = await scriptedRouter(t, twoConnections.replace(/<controlURL>\/ctl\/wan\d<\/controlURL>/g, ""), {});
  const invalid = await probeGateway(noControl.descriptionUrl);
  assert.equal(invalid.verdict, "invalid-control");
  assert.equal(invalid.error, undefined);
  assert.equal(invalid.description?.isGatewayDevice, true);

  const foreign = await scriptedRouter(t, twoConnections.replaceAll("<controlURL>/ctl/", "<controlURL>http://192.0.2.66/ctl/"), {});
  const refused = await probeGateway(foreign.descriptionUrl);
  assert.equal(refused.verdict, "invalid-control");
  assert.equal(refused.refusedServices?.length, 2);
  assert.match(refused.error?.message ?? "", /control URL http:\/\/192\.0\.2\.66(:80)?\/ctl\/wan1 is not on 127\.0\.0\.1/);
  assert.equal(foreign.requests.filter((request) => request.method === "POST").length, 0);

  // A printer whose only odd service is refused is still a device with a control problem, not "no IGD".
  const foreignRenderer = await scriptedRouter(t, descriptionFixture("media-renderer").replace("</serviceList>", "<service><serviceType>urn:schemas-upnp-org:service:WANIPConnection:1</serviceType><controlURL>http://192.0.2.66/ctl</controlURL></service></serviceList>"), {});
  assert.equal((await probeGateway(foreignRenderer.descriptionUrl)).verdict, "invalid-control");
});

test("verdicts: an empty or blank description, one that is not XML, a 404", async (t) => {
  for (const [body, verdict] of [
    ["", "empty-description"],
    [" \r\n\t ", "empty-description"],
    ["this is not a description", "unknown-device"],
  ] as const) {
    const router = await scriptedRouter(t, body, {});
    const probe = await probeGateway(router.descriptionUrl);
    assert.equal(probe.verdict, verdict, JSON.stringify(body));
    assert.equal(probe.gateway, undefined);
  }
  const router = await scriptedRouter(t, twoConnections, {});
  const missing = await probeGateway(router.descriptionUrl.replace("rootDesc", "missing"));
  assert.equal(missing.verdict, "http-error");
});

test("a disconnected best service gives the verdict disconnected, with the gateway set", async (t) => {
  const router = await scriptedRouter(t, twoConnections, perService({
    "/ctl/wan1": { status: "Disconnected", address: "11.0.0.1" },
    "/ctl/wan2": { status: "Connecting", address: "11.0.0.2" },
  }));
  const probe = await probeGateway(router.descriptionUrl);
  assert.equal(probe.verdict, "disconnected");
  assert.equal(probe.gateway?.controlUrl, `${router.baseUrl}/ctl/wan1`);
  assert.equal(probe.gateway?.status?.rank, 4);
});

test("the caller's abort rejects the probe with its reason, during the description or the status questions", async (t) => {
  // A PortholeError as the reason: it must still be the caller's, not this device's answer.
  for (const phase of ["description", "status"] as const) {
    const controller = new AbortController();
    const reason = new TimeoutError("the caller's own deadline", 1);
    const stall = (): undefined => {
      controller.abort(reason);
      return undefined;
    };
    const router = await scriptedRouter(t, phase === "description" ? "" : twoConnections, { GetStatusInfo: stall, GetExternalIPAddress: stall });
    const url = phase === "description" ? await neverAnswering(t, () => controller.abort(reason)) : router.descriptionUrl;
    await assert.rejects(probeGateway(url, { signal: controller.signal }), (error) => error === reason, phase);
  }
});

test("a usable probe carries the first problem of its best service", async (t) => {
  const router = await scriptedRouter(t, twoConnections, {
    GetStatusInfo: () => faultReply(501, "Action Failed"),
    GetExternalIPAddress: ({ path }) => addressReply(path === "/ctl/wan1" ? "123.123.123.123" : "10.0.0.1"),
  });
  const probe = await probeGateway(router.descriptionUrl);
  assert.equal(probe.verdict, "usable");
  assert.ok(probe.error instanceof UpnpActionError);
  assert.equal(probe.error.upnpCode, 501);
});

test("gatewayFromUrl: the probe's TimeoutError as it is, otherwise NoGatewayError naming the verdict and why", async (t) => {
  await assert.rejects(gatewayFromUrl(await neverAnswering(t), { timeoutMs: 200 }), (error: unknown) => error instanceof TimeoutError && error.timeoutMs === 200);
  const router = await scriptedRouter(t, descriptionFixture("media-renderer"), {});
  await assert.rejects(gatewayFromUrl(router.descriptionUrl), (error: unknown) => error instanceof NoGatewayError && error.message.endsWith("is not a usable gateway (not-a-gateway)"));
  await assert.rejects(gatewayFromUrl(router.descriptionUrl.replace("rootDesc", "missing")), (error: unknown) => error instanceof NoGatewayError && /\(http-error\): .*HTTP 404/.test(error.message) && error.cause instanceof HttpError);
});

/** A URL whose server accepts the connection and never answers; `onRequest` sees the request arrive. */
async function neverAnswering(t: TestContext, onRequest: () => void = () => {}): Promise<string> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => {});
    socket.once("data", onRequest);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.after(() => {
    for (const socket of sockets) socket.destroy();
    server.close();
  });
  return `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/rootDesc.xml`;
}
