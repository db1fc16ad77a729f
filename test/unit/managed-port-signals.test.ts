// releaseOnExit: SIGINT and SIGTERM release the mapping; the process then ends as the signal
// would have ended it, unless the program handles the signal itself. Once no such port is open,
// porthole listens for neither signal, whoever closed the port.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { getEventListeners } from "node:events";
import { fakeManager } from "./support/fake-manager.js";
import { virtualGateway } from "./support/virtual-gateway-fixture.js";

const indexModule = new URL("../../src/index.js", import.meta.url).href;

/** A program that holds one port with releaseOnExit on the gateway at `url`; `ownHandler` adds its own SIGTERM handling. */
function holderScript(url: string, ownHandler: boolean): string {
  return `
    const { openPort, gatewayFromUrl, UpnpPortMapper } = await import(${JSON.stringify(indexModule)});
    const port = openPort({
      protocol: "UDP", internalPort: 9400, releaseOnExit: true,
      findMapper: async (signal) => new UpnpPortMapper(await gatewayFromUrl(${JSON.stringify(url)}, { signal })),
    });
    port.on("mapped", () => console.log("mapped"));
    port.on("released", ({ removed }) => console.log("released " + removed));
    ${ownHandler ? `process.on("SIGTERM", () => { console.log("own handler"); setTimeout(() => process.exit(0), 500); });` : ""}
  `;
}

interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
}

/** Runs the holder, sends `signal` once it has mapped, and returns how it ended. */
function holdThenSignal(script: string, signal: NodeJS.Signals): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "inherit"] });
    let stdout = "";
    const guard = setTimeout(() => child.kill("SIGKILL"), 20_000);
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout === "mapped\n") child.kill(signal);
    });
    child.on("error", reject);
    child.on("close", (code, endSignal) => {
      clearTimeout(guard);
      resolve({ code, signal: endSignal, stdout });
    });
  });
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  test(`${signal} with no handler of the program's own: the mapping is released, then the process ends by ${signal}`, async (t) => {
    const gateway = await virtualGateway(t);
    const outcome = await holdThenSignal(holderScript(gateway.descriptionUrl, false), signal);
    assert.deepEqual(outcome, { code: null, signal, stdout: "mapped\nreleased true\n" });
    assert.deepEqual(gateway.mappings, []);
  });
}

test("SIGTERM with the program's own handler: the mapping is released and the program's handler decides how it ends", async (t) => {
  const gateway = await virtualGateway(t);
  const outcome = await holdThenSignal(holderScript(gateway.descriptionUrl, true), "SIGTERM");
  assert.deepEqual(outcome, { code: 0, signal: null, stdout: "mapped\nown handler\nreleased true\n" });
  assert.deepEqual(gateway.mappings, []);
});

/** How many listeners the process has for each signal releaseOnExit listens for. */
function exitListeners(): number[] {
  return [process.listenerCount("SIGINT"), process.listenerCount("SIGTERM")];
}

test("MappingManager.close() removes the releaseOnExit listeners and the port's abort listener; two managers opened and closed leave none", async (t) => {
  const before = exitListeners();
  const managers = [fakeManager(t), fakeManager(t)];
  const stop = new AbortController();
  for (const { manager } of managers) manager.openPort({ protocol: "UDP", internalPort: 9500, releaseOnExit: true, signal: stop.signal });
  await Promise.all(managers.map(({ clock }) => clock.advance(100)));
  assert.deepEqual(exitListeners(), before.map((count) => count + 1), "one listener per signal for all ports");
  for (const { clock, manager } of managers) {
    const closing = manager.close();
    await clock.advance(100);
    await closing;
  }
  assert.deepEqual(exitListeners(), before);
  assert.equal(getEventListeners(stop.signal, "abort").length, 0);
});
