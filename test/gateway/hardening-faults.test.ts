// Faults of a real router, against miniupnpd in the rig: the daemon freezes, dies, or its LAN link
// goes down while porthole has a request in flight. Each call must end in a typed error within its
// own budget, never hang; and a mapping whose reply was lost is removed again once the router
// answers ("nothing lost").
import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { HttpError, PortholeError, TimeoutError, gatewayFromUrl } from "../../src/index.js";
import { rigFromEnvironment, runInNamespace, startMiniupnpd, type RunningMiniupnpd } from "./rig.js";
import { listWithUpnpc } from "./upnpc-commands.js";
import { delay } from "../../src/util/deadline.js";

const rig = rigFromEnvironment();
/** The budget of each call under test. */
const budgetMs = 1500;

/** Freezes the daemon: connections still complete in the kernel, but nothing answers. */
function freeze(daemon: RunningMiniupnpd, t: TestContext): void {
  process.kill(daemon.pid, "SIGSTOP");
  t.after(() => thaw(daemon));
}

function thaw(daemon: RunningMiniupnpd): void {
  try {
    process.kill(daemon.pid, "SIGCONT");
  } catch {
    // Already gone.
  }
}

async function setLan(state: "up" | "down"): Promise<void> {
  const result = await runInNamespace(rig.gateway.namespace, "ip", ["link", "set", rig.gateway.lanIfname, state]);
  assert.equal(result.code, 0, result.stderr);
}

test("the daemon freezes with a request in flight: TimeoutError after the call's budget, and it works again once thawed", async (t) => {
  const daemon = await startMiniupnpd(rig);
  t.after(() => daemon.stop());
  const gateway = await gatewayFromUrl(daemon.descriptionUrl);
  freeze(daemon, t);
  await assert.rejects(gateway.getExternalAddress({ timeoutMs: budgetMs }), (error) => error instanceof TimeoutError && error.timeoutMs === budgetMs);
  thaw(daemon);
  assert.equal(typeof (await gateway.getExternalAddress({ timeoutMs: 5000 })), "string");
});

test("the daemon is killed with a request in flight: a typed error, at the latest when the budget runs out", async (t) => {
  const daemon = await startMiniupnpd(rig);
  t.after(() => daemon.stop());
  const gateway = await gatewayFromUrl(daemon.descriptionUrl);
  freeze(daemon, t);
  const call = gateway.getExternalAddress({ timeoutMs: budgetMs });
  await delay(200);
  process.kill(daemon.pid, "SIGKILL");
  await assert.rejects(call, (error) => error instanceof HttpError || error instanceof TimeoutError);
});

test("the daemon is killed between calls: the next call fails with HttpError, without waiting out its budget", async (t) => {
  const daemon = await startMiniupnpd(rig);
  t.after(() => daemon.stop());
  const gateway = await gatewayFromUrl(daemon.descriptionUrl);
  await gateway.getExternalAddress();
  await daemon.stop();
  await assert.rejects(gateway.addPortMapping({ internalPort: 7100, protocol: "TCP", timeoutMs: 60_000 }), (error) => error instanceof HttpError && /ECONNREFUSED/.test(error.message));
});

test("the LAN link goes down with a request in flight: TimeoutError within the budget", async (t) => {
  const daemon = await startMiniupnpd(rig);
  t.after(() => daemon.stop());
  const gateway = await gatewayFromUrl(daemon.descriptionUrl);
  freeze(daemon, t);
  const call = gateway.getStatusInfo({ timeoutMs: budgetMs });
  await delay(200);
  await setLan("down");
  t.after(() => setLan("up"));
  thaw(daemon); // it answers now, into a link that is down
  await assert.rejects(call, (error) => error instanceof TimeoutError && error.timeoutMs === budgetMs);
});

test("the LAN link is down: a new request ends in a typed error within its budget", async (t) => {
  const daemon = await startMiniupnpd(rig);
  t.after(() => daemon.stop());
  const gateway = await gatewayFromUrl(daemon.descriptionUrl);
  await setLan("down");
  t.after(() => setLan("up"));
  await assert.rejects(gateway.getExternalAddress({ timeoutMs: budgetMs }), (error) => error instanceof PortholeError);
});

test("nothing lost: an AddPortMapping whose reply never came is deleted once the router answers again", async (t) => {
  const daemon = await startMiniupnpd(rig);
  t.after(() => daemon.stop());
  const gateway = await gatewayFromUrl(daemon.descriptionUrl);
  freeze(daemon, t);
  const add = gateway.addPortMapping({ internalPort: 7200, protocol: "UDP", timeoutMs: 300 });
  // The add has timed out and the cleanup's lookup is waiting (it has 2 s): the router comes back.
  await delay(800);
  thaw(daemon);
  await assert.rejects(add, (error) => error instanceof TimeoutError && error.timeoutMs === 300);
  assert.deepEqual(await listWithUpnpc(rig, daemon.descriptionUrl), []);
});
