import { parseDefaultRoutes, type DefaultRoute, type DefaultRoutes } from "../net/default-gateway.js";
import type { Finding } from "./finding.js";
import type { HostEnvironment } from "./host-environment.js";

/** What the machine's own setup says, before any traffic. */
export interface EnvironmentFacts {
  /** The default route the kernel sends by, a VPN's or a link's without a gateway included. */
  defaultRoute: DefaultRoute | undefined;
  /** The router NAT-PMP and PCP ask, as `defaultGatewayIPv4` finds it. */
  defaultGateway: string | undefined;
  /** Interfaces with an IPv4 address that could lead to a router (not loopback, not a container bridge). */
  candidateInterfaces: string[];
  findings: Finding[];
}

// Tunnels of VPNs and overlays: a default route through one of them leads to the VPN's far end,
// which maps no ports for this machine's router (tailscale, wireguard, OpenVPN, IPsec).
const vpnPattern = /^(tun|tap|wg|utun|tailscale|ipsec|zt|nordlynx|proton)/i;
// PPP links lead to the provider (PPPoE, dial-up, a modem) or to a VPN (PPTP, L2TP).
const pppPattern = /^ppp/i;
// IFF_POINTOPOINT (linux/if.h) in /sys/class/net/NAME/flags: a link to one peer, whatever its name.
const IFF_POINTOPOINT = 0x10;
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
function wslFinding(gateway: string | undefined): Finding {
  const natMode = gateway !== undefined && isInPrefix12(gateway, 172, 16, 31);
  return natMode
    ? {
        id: "wsl2-nat",
        severity: "problem",
        title: `this is WSL2 in NAT mode: the default gateway ${gateway} is the Windows host, not your router`,
        fix: "Set networkingMode=mirrored under [wsl2] in %UserProfile%\\.wslconfig and run `wsl --shutdown`, or run the program on Windows itself.",
      }
    : { id: "wsl2-mirrored", severity: "info", title: "this is WSL2 in mirrored mode: it shares the Windows host's network" };
}

function isPointToPoint(host: HostEnvironment, interfaceName: string): boolean {
  if (pppPattern.test(interfaceName)) return true;
  const flags = host.readFile(`/sys/class/net/${interfaceName}/flags`);
  return flags !== undefined && (parseInt(flags, 16) & IFF_POINTOPOINT) !== 0;
}

function vpnFinding(interfaceName: string): Finding {
  return {
    id: "vpn-default-route",
    severity: "problem",
    title: `the default route goes through ${interfaceName}, a VPN or tunnel: requests reach its far end, not your router`,
    fix: "Disconnect the VPN, or exclude the local network from it (split tunnelling), then try again; --interface names the LAN interface.",
  };
}

/** What the default route in use says: none, a VPN's, or the machine's own link to the provider. */
function defaultRouteFinding(host: HostEnvironment, routes: DefaultRoutes): Finding | undefined {
  const route = routes.routeInUse;
  if (route === undefined) {
    return {
      id: "no-default-route",
      severity: "problem",
      title: "this machine has no IPv4 default route: no router to ask",
      fix: "Connect to a network with a router, or check the network settings (`ip route`).",
    };
  }
  const name = route.interfaceName;
  if (vpnPattern.test(name)) return vpnFinding(name);
  if (!isPointToPoint(host, name)) return undefined;
  // Beside a router's default route, a point-to-point link is a VPN's; with none anywhere it is the
  // link to the provider itself, and no NAT of this machine's own stands in front of it.
  if (routes.gatewayRoute !== undefined) return vpnFinding(name);
  return {
    id: "direct-internet-link",
    severity: "problem",
    title: `this machine is itself the end of its internet link (${name}): no router stands in front of it to open ports on`,
    fix: `If its address on ${name} is public, ports need no mapping: open them in this machine's own firewall. If it is private or in 100.64.0.0/10, the provider's NAT holds it: ask the provider for a public address, or use IPv6. If ${name} is a VPN (PPTP, L2TP), disconnect it.`,
  };
}

/** Checks of the machine's own setup: default route, VPN, container, WSL, several interfaces. */
export function checkEnvironment(host: HostEnvironment): EnvironmentFacts {
  const table = host.network.ipv4RouteTable();
  const routes = table === undefined ? undefined : parseDefaultRoutes(table);
  const defaultRoute = routes?.routeInUse;
  const defaultGateway = routes?.gatewayRoute?.gateway;
  const routeFinding = routes === undefined ? undefined : defaultRouteFinding(host, routes);
  const findings: Finding[] = routeFinding === undefined ? [] : [routeFinding];
  if (inDocker(host)) {
    findings.push({
      id: "docker",
      severity: "warning",
      title: "this runs in a container: multicast does not cross the bridge, and NAT-PMP/PCP reach the container host, not your router",
      fix: "Run the container with host networking (`docker run --network host`), or open the port on the host.",
    });
  }
  if (inWsl(host)) findings.push(wslFinding(defaultGateway));
  const candidateInterfaces = Object.entries(host.network.interfaces())
    .filter(([name, infos]) => !localBridgePattern.test(name) && !vpnPattern.test(name) && !pppPattern.test(name) && (infos ?? []).some((info) => info.family === "IPv4" && !info.internal))
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
  return { defaultRoute, defaultGateway, candidateInterfaces, findings };
}
