// `porthole hold`, run as a child process against a virtual gateway on loopback: the events it
// prints (one JSON object per line, or a line of status), the release on SIGINT and SIGTERM with
// exit 0 and an empty table, a reboot survived, and a first mapping that fails.
import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import type { VirtualGateway, VirtualGatewayOptions } from "../../src/index.js";
import { finished, porthole, startPorthole } from "./cli-runner.js";
import { later } from "./support/scripted-router.js";
import { unusedUdpPort } from "./support/udp-responder.js";
import { virtualGateway } from "./support/virtual-gateway-fixture.js";

/** The JSON lines a running `hold --json` prints, as they come; `next(name)` waits for the next event of that name. */
function jsonEvents(child: ChildProcess) {
  const events: Array<Record<string, unknown>> = [];
  const waiters: Array<() => void> = [];
  let partial = "";
  child.stdout!.setEncoding("utf8").on("data", (text: string) => {
    partial += text;
    const lines = partial.split("\n");
    partial = lines.pop()!;
    for (const line of lines) events.push(JSON.parse(line) as Record<string, unknown>);
    for (const waiter of waiters.splice(0)) waiter();
  });
  const count = (name: string): number => events.filter((event) => event["event"] === name).length;
  return {
    events,
    /** Resolves once `n` events named `name` have been printed. */
    until(name: string, n: number): Promise<void> {
      return new Promise((resolve) => {
        const check = (): void => (count(name) >= n ? resolve() : void waiters.push(check));
        check();
      });
    },
  };
}

const gatewayOptions: VirtualGatewayOptions = { externalAddress: "11.22.33.44" };

function portControl(gateway: VirtualGateway): string[] {
  return ["--gateway-address", `${gateway.portControlAddress.address}:${gateway.portControlAddress.port}`];
}

async function holdJson(t: TestContext, args: readonly string[]) {
  const child = startPorthole(["hold", ...args, "--json"]);
  const events = jsonEvents(child);
  // finished() reads stdout too; the events above were attached first and see every line.
  const done = finished(child);
  t.after(() => child.kill("SIGKILL"));
  return { child, events, done };
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  test(`hold --json over PCP: a mapped line per port and protocol, then on ${signal} a released line each, exit 0 and an empty table`, async (t) => {
    const gateway = await virtualGateway(t, gatewayOptions);
    const { child, events, done } = await holdJson(t, ["7100", "7101", "--proto", "both", "--protocol", "pcp", "--lease", "600", ...portControl(gateway)]);
    await events.until("mapped", 4);
    assert.equal(gateway.mappings.length, 4);
    const mapped = events.events.filter((event) => event["event"] === "mapped");
    assert.deepEqual(
      mapped.map((event) => [event["protocol"], event["internalPort"]]).sort(),
      [["TCP", 7100], ["TCP", 7101], ["UDP", 7100], ["UDP", 7101]],
    );
    assert.deepEqual(mapped.find((event) => event["protocol"] === "UDP" && event["internalPort"] === 7101), {
      event: "mapped",
      protocol: "UDP",
      internalPort: 7101,
      externalPort: 7101,
      externalAddress: "11.22.33.44",
      method: "pcp",
      internalClient: "127.0.0.1",
      lifetime: 600,
    });
    child.kill(signal);
    const result = await done;
    assert.equal(result.code, 0, result.stderr);
    const released = events.events.filter((event) => event["event"] === "released");
    assert.equal(released.length, 4);
    assert.ok(released.every((event) => event["removed"] === true && event["method"] === "pcp"));
    assert.deepEqual(gateway.mappings, []);
  });
}

test("hold in text over UPnP: a line of status per event, the hint on stderr, and SIGTERM releases it (exit 0)", async (t) => {
  const gateway = await virtualGateway(t, gatewayOptions);
  const child = startPorthole(["hold", "7102", "--gateway", gateway.descriptionUrl, "--description", "held"]);
  const done = finished(child);
  let stderr = "";
  await new Promise<void>((resolve) =>
    child.stderr!.on("data", (chunk: Buffer) => {
      stderr += String(chunk);
      if (stderr.includes("holding 1 mapping")) resolve();
    }),
  );
  assert.deepEqual(gateway.mappings.map((m) => [m.protocol, m.externalPort, m.description]), [["TCP", 7102, "held"]]);
  child.kill("SIGTERM");
  const result = await done;
  assert.equal(result.code, 0);
  assert.match(result.stdout, /^\d\d:\d\d:\d\d mapped +TCP 7102 {2}reachable at 11\.22\.33\.44:7102 → 127\.0\.0\.1:7102, lease 1h, via UPnP$/m);
  assert.match(result.stdout, /^\d\d:\d\d:\d\d released +TCP 7102 {2}removed from the gateway$/m);
  assert.match(result.stderr, /holding 1 mapping; Ctrl-C or SIGTERM releases it/);
  assert.deepEqual(gateway.mappings, []);
});

test("hold through a gateway reboot: the check finds the mapping gone, lost then restored, and it stands again", async (t) => {
  const gateway = await virtualGateway(t, gatewayOptions);
  const { child, events, done } = await holdJson(t, ["7103", "--proto", "udp", "--gateway", gateway.descriptionUrl, "--check-interval", "1"]);
  await events.until("mapped", 1);
  await gateway.reboot({ announce: false });
  assert.equal(gateway.mappings.length, 0);
  await events.until("restored", 1);
  assert.deepEqual(gateway.mappings.map((m) => [m.protocol, m.externalPort]), [["UDP", 7103]]);
  const names = events.events.map((event) => event["event"]);
  assert.deepEqual(names.slice(0, 3), ["mapped", "lost", "restored"]);
  assert.ok(["missing", "gateway-restarted"].includes(events.events[1]!["reason"] as string));
  child.kill("SIGINT");
  assert.equal((await done).code, 0);
  assert.deepEqual(gateway.mappings, []);
});

/** Every line `hold --json` printed, parsed: each is one JSON document. */
const jsonLines = (stdout: string): Array<Record<string, any>> => stdout.trimEnd().split("\n").map((line) => JSON.parse(line) as Record<string, any>);

test("a first mapping that fails ends hold as map would: no gateway is exit 3, a taken port exit 1; the events, then the error, one JSON line each", async (t) => {
  const gateway = await virtualGateway(t, gatewayOptions);
  const none = await porthole(["hold", "7104", "--ssdp-target", `127.0.0.1:${await unusedUdpPort()}`, "--timeout", "5000", "--json"]);
  assert.equal(none.code, 3);
  const told = jsonLines(none.stdout);
  assert.deepEqual(told.map((line) => line["event"] ?? "the error"), ["error", "released", "the error"]);
  assert.equal(told.at(-1)!["error"].code, "PORTHOLE_NO_GATEWAY");
  assert.equal(told[1]!["removed"], false);

  assert.equal((await porthole(["map", "7105", "--internal-client", "127.0.0.9", "--gateway", gateway.descriptionUrl])).code, 0);
  const taken = await porthole(["hold", "7105", "--gateway", gateway.descriptionUrl, "--json"]);
  assert.equal(taken.code, 1, taken.stdout + taken.stderr);
  assert.equal(jsonLines(taken.stdout).at(-1)!["error"].upnpCode, 718);
  assert.deepEqual(gateway.mappings.map((m) => [m.externalPort, m.internalClient]), [[7105, "127.0.0.9"]]);
});

test("--timeout bounds the first mappings only: a gateway too slow for it ends hold with PORTHOLE_TIMEOUT", async (t) => {
  const slow = await virtualGateway(t, { profiles: ["slow"] });
  const result = await porthole(["hold", "7106", "--gateway", slow.descriptionUrl, "--timeout", "500", "--json"]);
  assert.equal(result.code, 1);
  const { error } = jsonLines(result.stdout).at(-1)!;
  assert.equal(error.code, "PORTHOLE_TIMEOUT");
  assert.equal(error.message, "porthole hold (the first mappings) timed out after 500 ms");
});

test("Ctrl-C before the first mapping stands still releases and exits 0", async (t) => {
  const added = later();
  // Slow: a second before each reply. SIGINT comes once the gateway has made the mapping and
  // before its answer reaches hold, so the release is what empties the table.
  const slow = await virtualGateway(t, { profiles: ["slow"], onActivity: (activity) => activity.type === "control" && activity.action.startsWith("Add") && added.resolve() });
  const child = startPorthole(["hold", "7107", "--gateway", slow.descriptionUrl]);
  const done = finished(child);
  await added.promise;
  assert.equal(slow.mappings.length, 1, "made before Ctrl-C");
  child.kill("SIGINT");
  const result = await done;
  assert.equal(result.code, 0, result.stderr);
  assert.doesNotMatch(result.stderr, /interrupted/);
  assert.deepEqual(slow.mappings, []);
});

test("hold usage errors: repeated ports, a bad --check-interval, --any-port with --ipv6, exit 2", async () => {
  for (const args of [["7108", "7108"], ["7108", "--check-interval", "0"], ["7108", "--check-interval", "86401"], ["7108", "--ipv6", "--any-port"], []]) {
    const result = await porthole(["hold", ...args, "--ssdp-target", "127.0.0.1:9", "--json"]);
    assert.equal(result.code, 2, args.join(" "));
    assert.equal(result.stdout.trimEnd().split("\n").length, 1, "one JSON line");
  }
});
