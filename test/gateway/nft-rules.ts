import { runInNamespace } from "./namespace-commands.js";
import type { RigTopology } from "./rig-topology.js";

/**
 * The daemon's DNAT rules, one line each, as nftables lists them in the gateway namespace: what
 * miniupnpd adds for every mapping, whichever protocol asked for it (UPnP, NAT-PMP, PCP).
 */
export async function dnatRules(rig: RigTopology): Promise<string[]> {
  const listed = await runInNamespace(rig.gateway.namespace, "nft", ["list", "chain", "inet", "filter", "prerouting_miniupnpd"]);
  return listed.stdout.split("\n").filter((line) => line.includes("dnat"));
}
