// `porthole hold` as a child process on the rig's LAN host against the real miniupnpd: mapped and
// proven by a datagram from the ISP host, killed with SIGINT or SIGTERM (released, exit 0, nothing
// left: no entry for upnpc -l, no DNAT rule), and held through a daemon reboot (rules and lease
// file wiped) with the mapping coming back by itself and packets arriving again.
import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { delay } from "../../src/util/deadline.js";
import { assertForwarded, listenOnLan } from "./forwarding-checks.js";
import { startPortholeInLan } from "./cli-runs.js";
import { dnatRules } from "./nft-rules.js";
import { RebootableDaemon } from "./rebootable-daemon.js";
import { rigFromEnvironment, startMiniupnpd } from "./rig.js";
import { listWithUpnpc } from "./upnpc-commands.js";

const rig = rigFromEnvironment();

type HoldEvent = Record<string, unknown> & { event: string };

/** A running `porthole hold --json`: its events as they come, and how it ended. */
function runHold(t: TestContext, args: readonly string[]) {
  const child: ChildProcess = startPortholeInLan(rig, ["hold", ...args, "--json"]);
  t.after(() => child.kill("SIGKILL"));
  const events: HoldEvent[] = [];
  const waiters: Array<() => void> = [];
  let partial = "";
  let stderr = "";
  child.stdout!.setEncoding("utf8").on("data", (text: string) => {
    const lines = (partial + text).split("\n");
    partial = lines.pop()!;
    for (const line of lines) events.push(JSON.parse(line) as HoldEvent);
    for (const waiter of waiters.splice(0)) waiter();
  });
  child.stderr!.setEncoding("utf8").on("data", (text: string) => (stderr += text));
  const exited = new Promise<number | null>((resolve) => child.once("close", (code) => resolve(code)));
  return {
    child,
    events,
    /** Resolves once `n` events named one of `names` ("mapped|restored") were printed; fails after `timeoutMs`. */
    until(names: string, n: number, timeoutMs: number): Promise<void> {
      const wanted = names.split("|");
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`waited ${timeoutMs} ms for ${n} "${names}": ${JSON.stringify(events)} ${stderr}`)), timeoutMs);
        const check = (): void => {
          if (events.filter((event) => wanted.includes(event.event)).length < n) return void waiters.push(check);
          clearTimeout(timer);
          resolve();
        };
        check();
      });
    },
    async stop(signal: NodeJS.Signals): Promise<number | null> {
      child.kill(signal);
      return exited;
    },
  };
}

const setups = [
  { signal: "SIGINT", protocol: "auto", method: "pcp", port: 43000 },
  { signal: "SIGTERM", protocol: "upnp", method: "upnp", port: 43001 },
] as const;

for (const { signal, protocol, method, port } of setups) {
  test(`hold --protocol ${protocol}: mapped via ${method}, a datagram from the ISP host arrives; ${signal} releases it, exit 0, nothing left in the daemon`, async (t) => {
    const daemon = await startMiniupnpd(rig);
    t.after(() => daemon.stop());
    const listener = await listenOnLan(rig, "UDP", port);
    t.after(() => listener.close());
    const hold = runHold(t, [String(port), "--proto", "udp", "--protocol", protocol, "--interface", rig.lan.ifname]);
    await hold.until("mapped", 1, 10_000);
    const mapped = hold.events.find((event) => event.event === "mapped")!;
    assert.equal(mapped["method"], method);
    assert.equal(mapped["externalAddress"], "11.22.33.44");
    assert.equal(mapped["internalClient"], rig.lan.ipv4);
    await assertForwarded(rig, listener, "UDP", mapped["externalPort"] as number);

    assert.equal(await hold.stop(signal), 0);
    const released = hold.events.filter((event) => event.event === "released");
    assert.deepEqual(released.map((event) => [event["protocol"], event["removed"]]), [["UDP", true]]);
    assert.deepEqual(await dnatRules(rig), []);
    assert.deepEqual(await listWithUpnpc(rig, daemon.descriptionUrl), []);
  });
}

for (const { protocol, method, port } of [
  { protocol: "auto", method: "pcp", port: 43100 },
  { protocol: "upnp", method: "upnp", port: 43101 },
] as const) {
  test(`hold through a daemon reboot (killed, rules and lease file wiped, started again) via ${method}: the mapping comes back by itself and packets arrive again`, async (t) => {
    const router = new RebootableDaemon(rig);
    await router.start();
    t.after(() => router.stop());
    const listener = await listenOnLan(rig, "UDP", port);
    t.after(() => listener.close());
    // PCP hears the daemon's ANNOUNCE; UPnP its ssdp:alive on the named interface; the 3 s check is the fallback.
    const hold = runHold(t, [String(port), "--proto", "udp", "--protocol", protocol, "--interface", rig.lan.ifname, "--check-interval", "3"]);
    await hold.until("mapped", 1, 10_000);
    await assertForwarded(rig, listener, "UDP", port);

    // RFC 6887 §8.5 lets the gateway's clock and ours disagree by 2 s: a daemon that restarts
    // within a few seconds of its first start cannot be told from one that ran on. A router has
    // been up for longer than that; so has this one before it reboots.
    await delay(Math.max(0, router.startAskedAt + 6000 - Date.now()));
    await router.reboot();
    const answeringAt = Date.now();
    // Back either way the library tells it: "lost" then "restored" when the restart was heard
    // (announcement, check), or "renewed" when the gateway stopped answering for a moment and the
    // mapping was made again on whatever protocol answered first (docs/managed-mappings.md).
    await hold.until("restored|renewed", 1, 15_000);
    const recoveryMs = Date.now() - answeringAt;
    await assertForwarded(rig, listener, "UDP", port);
    const names = hold.events.map((event) => event.event).filter((name) => name !== "error");
    assert.ok(["mapped,lost,restored", "mapped,renewed"].includes(names.join()), names.join());
    const back = hold.events.find((event) => event.event === "restored" || event.event === "renewed")!;
    assert.equal(back["externalPort"], port);
    t.diagnostic(`${back.event} via ${String(back["method"])} ${recoveryMs} ms after the daemon answered again (held via ${method})`);

    assert.equal(await hold.stop("SIGINT"), 0);
    assert.deepEqual(await dnatRules(rig), []);
  });
}
