/**
 * The NAT-PMP reference client's view of the gateway, for the tests to compare porthole against:
 * `natpmpc` (libnatpmp 20150609) on the LAN host, with its printed output parsed.
 */
import { runInNamespace } from "./namespace-commands.js";
import type { RigTopology } from "./rig-topology.js";

/** What `natpmpc -a` reports, e.g. "Mapped public port 41001 protocol UDP to local port 41001 liftime 3600" (sic). */
export interface NatpmpcMapping {
  publicPort: number;
  protocol: "TCP" | "UDP";
  privatePort: number;
  lifetimeSeconds: number;
}

async function natpmpc(rig: RigTopology, args: readonly string[]): Promise<string> {
  // Run in the LAN namespace explicitly, so that no NAT-PMP request can reach a real network.
  const result = await runInNamespace(rig.lan.namespace, "natpmpc", ["-g", rig.gateway.lanIpv4, ...args]);
  if (result.timedOut) throw new Error(`natpmpc ${args.join(" ")} timed out: ${result.stdout}${result.stderr}`);
  return result.stdout;
}

/** The gateway's public address and epoch as `natpmpc` reads them. */
export async function addressWithNatpmpc(rig: RigTopology): Promise<{ publicAddress: string; epochSeconds: number }> {
  const output = await natpmpc(rig, []);
  const address = /Public IP address : (\S+)/.exec(output);
  const epoch = /epoch = (\d+)/.exec(output);
  if (address === null || epoch === null) throw new Error(`cannot read natpmpc's output:\n${output}`);
  return { publicAddress: address[1]!, epochSeconds: Number(epoch[1]) };
}

/** Maps (or, with lifetime 0, deletes) with `natpmpc -a`; throws with its output when it fails. */
export async function mapWithNatpmpc(rig: RigTopology, request: { publicPort: number; privatePort: number; protocol: "TCP" | "UDP"; lifetimeSeconds: number }): Promise<NatpmpcMapping> {
  const args = ["-a", String(request.publicPort), String(request.privatePort), request.protocol.toLowerCase(), String(request.lifetimeSeconds)];
  const output = await natpmpc(rig, args);
  const mapped = /Mapped public port (\d+) protocol (TCP|UDP) to local port (\d+) liftime (\d+)/.exec(output);
  if (mapped === null) throw new Error(`natpmpc ${args.join(" ")} did not map:\n${output}`);
  return { publicPort: Number(mapped[1]), protocol: mapped[2] as "TCP" | "UDP", privatePort: Number(mapped[3]), lifetimeSeconds: Number(mapped[4]) };
}
