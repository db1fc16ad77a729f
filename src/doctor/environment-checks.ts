import { parseDefaultRoute, type DefaultRoute } from "../net/default-gateway.js";
import type { Finding } from "./finding.js";
import type { HostEnvironment } from "./host-environment.js";

/** What the machine's own setup says, before any traffic. */
export interface EnvironmentFacts {
  defaultRoute: DefaultRoute | undefined;
  /** Interfaces with an IPv4 address that could lead to a router (not loopback, not a container bridge). */
  candidateInterfaces: string[];
  findings: Finding[];
}

// Tunnels of VPNs and overlays: a default route through one of them leads to the VPN's far end,
// which maps no ports for this machine's router (tailscale, wireguard, OpenVPN, PPP, IPsec).
const tunnelPattern = /^(tun|tap|wg|utun|tailscale|ppp|ipsec|zt|nordlynx|proton)/i;
// Bridges and virtual links of container runtimes and hypervisors on this machine itself.
const localBridgePattern = /^(docker|br-|veth|virbr|vmnet|vboxnet|cni|flannel|lxc|podman)/i;

function inDocker(host: HostEnvironment): boolean {
  if (host.fileExists("/.dockerenv")) return true;
  return /docker|containerd|kubepods|libpod/.test(host.readFile("/proc/1/cgroup") ?? "");
}

function inWsl(host: HostEnvironment): boolean {
  return /microsoft/i.test(host.kernelRelease()) || host.env["WSL_DISTRO_NAME"] !== undefined;
}

function isInPrefix12(address: string, first: number, secondFrom: number, secondTo: number): boolean {
  const [a, b] = address.split(".").map(Number);
  return a === first && b !== undefined && b >= secondFrom && b <= secondTo;
}

/**
 * WSL2 in NAT mode sits behind the Windows host on a 172.16.0.0/12 network and reaches the LAN
 * through it; in mirrored mode it shares the Windows host's interfaces and addresses.
 */
function wslFinding(route: DefaultRoute | undefined): Finding {
  const natMode = route !== undefined && isInPrefix12(route.gateway, 172, 16, 31);
  return natMode
    ? {
        id: "wsl2-nat",
        severity: "problem",
        title: `this is WSL2 in NAT mode: the default gateway ${route.gateway} is the Windows host, not your router`,
        fix: "Set networkingMode=mirrored under [wsl2] in %UserProfile%\\.wslconfig and run `wsl --shutdown`, or run the program on Windows itself.",
      }
    : { id: "wsl2-mirrored", severity: "info", title: "this is WSL2 in mirrored mode: it shares the Windows host's network" };
}

/** Checks of the machine's own setup: default route, VPN, container, WSL, several interfaces. */
export function checkEnvironment(host: HostEnvironment): EnvironmentFacts {
  const table = host.network.ipv4RouteTable();
  const defaultRoute = table === undefined ? undefined : parseDefaultRoute(table);
  const findings: Finding[] = [];
  if (table !== undefined && defaultRoute === undefined) {
    findings.push({
      id: "no-default-route",
      severity: "problem",
      title: "this machine has no IPv4 default route: no router to ask",
      fix: "Connect to a network with a router, or check the network settings (`ip route`).",
    });
  }
  if (defaultRoute !== undefined && tunnelPattern.test(defaultRoute.interfaceName)) {
    findings.push({
      id: "vpn-default-route",
      severity: "problem",
      title: `the default route goes through ${defaultRoute.interfaceName}, a VPN or tunnel: requests reach its far end, not your router`,
      fix: "Disconnect the VPN, or exclude the local network from it (split tunnelling), then try again; --interface names the LAN interface.",
    });
  }
  if (inDocker(host)) {
    findings.push({
      id: "docker",
      severity: "warning",
      title: "this runs in a container: multicast does not cross the bridge, and NAT-PMP/PCP reach the container host, not your router",
      fix: "Run the container with host networking (`docker run --network host`), or open the port on the host.",
    });
  }
  if (inWsl(host)) findings.push(wslFinding(defaultRoute));
  const candidateInterfaces = Object.entries(host.network.interfaces())
    .filter(([name, infos]) => !localBridgePattern.test(name) && !tunnelPattern.test(name) && (infos ?? []).some((info) => info.family === "IPv4" && !info.internal))
    .map(([name]) => name);
  if (candidateInterfaces.length > 1) {
    const route = defaultRoute === undefined ? "" : `; the default route uses ${defaultRoute.interfaceName}`;
    findings.push({
      id: "several-interfaces",
      severity: "info",
      title: `several interfaces could lead to a router (${candidateInterfaces.join(", ")})${route}`,
      fix: "If the router is not on the default route's interface, name it with --interface.",
    });
  }
  return { defaultRoute, candidateInterfaces, findings };
}
