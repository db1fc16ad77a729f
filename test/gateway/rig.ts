/**
 * What the real-gateway tests use. They run inside the rig's LAN namespace (started by
 * run-gateway-tests.js), start miniupnpd in the gateway namespace, and prove mappings end to end
 * by sending traffic from the ISP namespace to listeners on the LAN host.
 */
import { execFileSync } from "node:child_process";
import { rigEnvironmentVariable, type RigTopology } from "./rig-topology.js";

export type { RigTopology, RigLanHost, RigGateway, RigIspHost } from "./rig-topology.js";
export type { CommandResult, RunCommandOptions } from "./run-command.js";
export type { MiniupnpdOptions } from "./miniupnpd-config.js";
export { defaultExternalAddress } from "./miniupnpd-config.js";
export { startMiniupnpd, type RunningMiniupnpd } from "./miniupnpd.js";
export { runInLan, runInNamespace, upnpc } from "./namespace-commands.js";
export { sendUdpFromIsp, connectTcpFromIsp, type UdpProbeResult, type TcpProbeResult, type ProbeOptions } from "./wan-probe.js";
export { listenUdpOnLan, listenTcpOnLan, type LanListener } from "./lan-listeners.js";

/**
 * The topology the runner handed over. Throws unless this process runs inside the rig's LAN
 * namespace: anywhere else, discovery traffic of the tests could reach a real network.
 */
export function rigFromEnvironment(): RigTopology {
  const json = process.env[rigEnvironmentVariable];
  if (json === undefined) {
    throw new Error(`${rigEnvironmentVariable} is not set: run the gateway tests with "node build/test/gateway/run-gateway-tests.js" (as root)`);
  }
  const rig = JSON.parse(json) as RigTopology;
  const here = execFileSync("ip", ["netns", "identify", String(process.pid)], { encoding: "utf8", timeout: 5_000 }).trim();
  if (here !== rig.lan.namespace) {
    throw new Error(`the gateway tests must run in network namespace ${rig.lan.namespace}, not in "${here || "the host's own"}"`);
  }
  return rig;
}
