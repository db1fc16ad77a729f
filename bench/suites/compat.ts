/** porthole's Redot/Godot-compatible API: UPNP.discover, then the UPNP methods. */
import { UPNP, UPNPResult } from "../../src/index.js";
import { portBase, repetitions, type BenchContext } from "../context.js";
import { queueOperations } from "../operations.js";
import { discoveryPause, repeat } from "../timing.js";

/**
 * `discover(timeout)` waits its whole timeout, as the engine's does (it cannot know that no other
 * device will answer), so it is measured with a short one; miniupnpd answers well within it.
 */
export const compatDiscoverTimeoutMs = 250;

export const compatSubjects = {
  discover: `porthole compat UPNP.discover(${compatDiscoverTimeoutMs})`,
  add: "porthole compat UPNP.addPortMapping()",
  externalIp: "porthole compat UPNP.queryExternalAddress()",
  delete: "porthole compat UPNP.deletePortMapping()",
  cycle: `porthole compat discover(${compatDiscoverTimeoutMs}) + 3 calls`,
} as const;

/** Resolves only when a result is SUCCESS, so a failing call cannot pass for a fast one. */
async function succeeds(result: Promise<UPNPResult>, what: string): Promise<void> {
  const code = await result;
  if (code !== UPNPResult.SUCCESS) throw new Error(`${what} returned ${UPNPResult[code]}`);
}

export async function measureCompat(context: BenchContext): Promise<void> {
  const { rig, recorder } = context;
  const upnp = new UPNP();
  upnp.discoverMulticastIf = rig.lan.ifname;
  const discover = async (): Promise<void> => {
    await succeeds(upnp.discover(compatDiscoverTimeoutMs), "discover");
    if (upnp.getGateway() === null) throw new Error("discover found no valid gateway");
  };
  recorder.record("discover-cold", compatSubjects.discover, await repeat(repetitions.process, discover, discoveryPause), `waits its whole timeout (${compatDiscoverTimeoutMs} ms) by design, as the engine does`);

  const add = (port: number) => succeeds(upnp.addPortMapping(port, 0, "porthole", "UDP", 3600), "addPortMapping");
  const remove = (port: number) => succeeds(upnp.deletePortMapping(port, "UDP"), "deletePortMapping");
  const externalIp = async (): Promise<void> => {
    if ((await upnp.queryExternalAddress()) === "") throw new Error("queryExternalAddress failed");
  };
  queueOperations(
    context,
    {
      add: [{ subject: compatSubjects.add, run: add, note: "one AddPortMapping, as the engine" }],
      externalIp: { subject: compatSubjects.externalIp, run: externalIp },
      delete: { subject: compatSubjects.delete, run: remove },
    },
    portBase.compat,
  );
  const cycle = async (index: number): Promise<void> => {
    await discover();
    await add(portBase.compat + 500 + index);
    await externalIp();
    await remove(portBase.compat + 500 + index);
  };
  recorder.record("cycle", compatSubjects.cycle, await repeat(repetitions.process, cycle, discoveryPause));
}
