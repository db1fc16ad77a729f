/**
 * The shape of the real-gateway rig: three network namespaces joined by veth pairs, with fixed
 * documentation addresses (RFC 5737, RFC 3849) so nothing here can be mistaken for a real host.
 *
 *   LAN host (eth0) ---- (lan0) gateway (wan0) ---- (eth0) ISP host
 *   192.0.2.2            192.0.2.1   198.51.100.1          198.51.100.2
 *   2001:db8:1::2        2001:db8:1::1  2001:db8:2::1      2001:db8:2::2
 *
 * None of the namespaces has a link to the machine's own network, so no packet can leave them.
 */

/** The client host, where the tests run. */
export interface RigLanHost {
  readonly namespace: string;
  readonly ifname: string;
  readonly ipv4: string;
  readonly ipv6: string;
}

/** The router, where miniupnpd runs. */
export interface RigGateway {
  readonly namespace: string;
  readonly lanIfname: string;
  readonly wanIfname: string;
  readonly lanIpv4: string;
  readonly lanIpv6: string;
  readonly wanIpv4: string;
  readonly wanIpv6: string;
}

/** A host on the Internet side, used to send traffic at the gateway's WAN address. */
export interface RigIspHost {
  readonly namespace: string;
  readonly ifname: string;
  readonly ipv4: string;
  readonly ipv6: string;
}

export interface RigTopology {
  /** Unique per run; part of every namespace name. */
  readonly runId: string;
  readonly lan: RigLanHost;
  readonly gateway: RigGateway;
  readonly isp: RigIspHost;
  /** A directory owned by the run (removed at teardown) for configs and pid files. */
  readonly workDir: string;
}

/** Environment variable through which the runner hands the topology (JSON) to the test files. */
export const rigEnvironmentVariable = "PORTHOLE_RIG";

/**
 * Every namespace of the rig is named `phrig-<runner pid>-<random>-<role>`: the pid lets a later
 * run tell a crashed run's leftovers from a run that is still going.
 */
export const namespacePrefix = "phrig-";

export function namespaceNames(runId: string): { lan: string; gateway: string; isp: string } {
  return { lan: `${namespacePrefix}${runId}-lan`, gateway: `${namespacePrefix}${runId}-gw`, isp: `${namespacePrefix}${runId}-isp` };
}

/** The pid of the run that owns a rig namespace, or undefined when the name is not a rig name. */
export function ownerPidOfNamespace(name: string): number | undefined {
  const match = new RegExp(`^${namespacePrefix}(\\d+)-[0-9a-f]+-(lan|gw|isp)$`).exec(name);
  return match === null ? undefined : Number(match[1]);
}

export function topologyForRun(runId: string, workDir: string): RigTopology {
  const names = namespaceNames(runId);
  return {
    runId,
    workDir,
    lan: { namespace: names.lan, ifname: "eth0", ipv4: "192.0.2.2", ipv6: "2001:db8:1::2" },
    gateway: {
      namespace: names.gateway,
      lanIfname: "lan0",
      wanIfname: "wan0",
      lanIpv4: "192.0.2.1",
      lanIpv6: "2001:db8:1::1",
      wanIpv4: "198.51.100.1",
      wanIpv6: "2001:db8:2::1",
    },
    isp: { namespace: names.isp, ifname: "eth0", ipv4: "198.51.100.2", ipv6: "2001:db8:2::2" },
  };
}
