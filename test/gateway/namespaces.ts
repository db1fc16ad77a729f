import { randomBytes } from "node:crypto";
import { runChecked, runCommand } from "./run-command.js";
import { isRunning, stopProcessesInNamespace } from "./processes.js";
import { namespacePrefix, ownerPidOfNamespace, type RigTopology } from "./rig-topology.js";

/** A run id that embeds the runner's pid (see `namespacePrefix`). */
export function newRunId(): string {
  return `${process.pid}-${randomBytes(2).toString("hex")}`;
}

/**
 * Why network namespaces cannot be used here, or undefined when they can. Tried for real (add and
 * delete a namespace), since containers without CAP_SYS_ADMIN fail only at that point.
 */
export async function whyNamespacesAreUnavailable(): Promise<string | undefined> {
  const probe = `${namespacePrefix}probe-${process.pid}`;
  try {
    const added = await runCommand("ip", ["netns", "add", probe]);
    if (added.code !== 0) return `"ip netns add" failed: ${firstLine(added.stderr)}`;
    await runCommand("ip", ["netns", "delete", probe]);
    return undefined;
  } catch (error) {
    return `cannot run "ip" (iproute2): ${(error as Error).message}`;
  }
}

/** Builds the three namespaces, links and addresses of `topology`. */
export async function createTopology(topology: RigTopology): Promise<void> {
  const { lan, gateway, isp } = topology;
  for (const namespace of [lan.namespace, gateway.namespace, isp.namespace]) {
    await ip("netns", "add", namespace);
    await ip("-n", namespace, "link", "set", "lo", "up");
  }
  // Linux drops static IPv6 addresses when a link is set down; the fault tests take lan0 down and
  // up again, and the IPv6 tests after them need the gateway's address back.
  await runChecked("ip", ["netns", "exec", gateway.namespace, "sysctl", "-q", "-w", "net.ipv6.conf.default.keep_addr_on_down=1", "net.ipv6.conf.all.keep_addr_on_down=1"]);
  // Both ends are created directly inside their namespaces, so no interface ever appears (even
  // briefly) in the machine's own namespace, and the short names cannot clash with its interfaces.
  await ip("link", "add", "name", gateway.lanIfname, "netns", gateway.namespace, "type", "veth", "peer", "name", lan.ifname, "netns", lan.namespace);
  await ip("link", "add", "name", gateway.wanIfname, "netns", gateway.namespace, "type", "veth", "peer", "name", isp.ifname, "netns", isp.namespace);
  await configureInterface(lan.namespace, lan.ifname, `${lan.ipv4}/24`, `${lan.ipv6}/64`);
  await configureInterface(gateway.namespace, gateway.lanIfname, `${gateway.lanIpv4}/24`, `${gateway.lanIpv6}/64`);
  await configureInterface(gateway.namespace, gateway.wanIfname, `${gateway.wanIpv4}/24`, `${gateway.wanIpv6}/64`);
  await configureInterface(isp.namespace, isp.ifname, `${isp.ipv4}/24`, `${isp.ipv6}/64`);
  // The default route is also what lets SSDP multicast from the LAN host leave through eth0.
  await ip("-n", lan.namespace, "route", "add", "default", "via", gateway.lanIpv4);
  await ip("-n", lan.namespace, "-6", "route", "add", "default", "via", gateway.lanIpv6);
  // The ISP host deliberately gets no default route: it can reach the WAN subnet and nothing else,
  // except, over IPv6, the LAN prefix, which an ISP routes to its customer's router (no NAT on
  // IPv6: the router's firewall, and its pinholes, decide what gets in).
  await ip("-n", isp.namespace, "-6", "route", "add", `${lan.ipv6.replace(/::[0-9a-f]+$/, "::")}/64`, "via", gateway.wanIpv6);
  await runChecked("ip", ["netns", "exec", gateway.namespace, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1"]);
  // Linux sends a host only a few ICMP errors a second (a burst of 6). Tests one after the other
  // would use them up, and a closed port would look silent instead of refused to the next one.
  await runChecked("ip", ["netns", "exec", gateway.namespace, "sysctl", "-q", "-w", "net.ipv4.icmp_ratelimit=0", "net.ipv6.icmp.ratelimit=0"]);
}

/** Stops every process in the topology's namespaces, then deletes them. Never throws. */
export async function destroyTopology(topology: RigTopology): Promise<void> {
  await destroyNamespaces([topology.lan.namespace, topology.gateway.namespace, topology.isp.namespace]);
}

/**
 * Deletes the namespaces (and the miniupnpd daemons in them) that earlier runs left behind when
 * they crashed. Namespaces of a run whose runner is still alive are left alone.
 */
export async function removeStaleNamespaces(): Promise<string[]> {
  const listed = await runCommand("ip", ["netns", "list"]);
  const stale: string[] = [];
  for (const line of listed.stdout.split("\n")) {
    const name = line.split(" ")[0] ?? "";
    if (!name.startsWith(namespacePrefix)) continue;
    const owner = ownerPidOfNamespace(name);
    if (owner === undefined || !(await isRunning(owner))) stale.push(name);
  }
  await destroyNamespaces(stale);
  return stale;
}

async function destroyNamespaces(namespaces: readonly string[]): Promise<void> {
  await Promise.all(namespaces.map((namespace) => stopProcessesInNamespace(namespace, 1_000)));
  for (const namespace of namespaces) await runCommand("ip", ["netns", "delete", namespace]);
}

async function configureInterface(namespace: string, ifname: string, ipv4: string, ipv6: string): Promise<void> {
  await ip("-n", namespace, "addr", "add", ipv4, "dev", ifname);
  // nodad: the address is usable at once instead of after duplicate address detection (~1 s).
  await ip("-n", namespace, "addr", "add", ipv6, "dev", ifname, "nodad");
  await ip("-n", namespace, "link", "set", ifname, "up");
}

async function ip(...args: string[]): Promise<void> {
  await runChecked("ip", args);
}

function firstLine(text: string): string {
  return text.trim().split("\n")[0] ?? "";
}
