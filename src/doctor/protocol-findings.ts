import { NatPmpError } from "../errors/natpmp-error.js";
import { PcpError } from "../errors/pcp-error.js";
import type { UdpReachability } from "./udp-reachability.js";
import type { Finding } from "./finding.js";

/** What was learnt about each protocol on the wire, before any mapping. */
export interface ProtocolEvidence {
  /** Whether the kernel has a route for the SSDP multicast group. */
  multicastRoute: boolean;
  /** A unicast M-SEARCH to the gateway's port 1900; `skipped` without a gateway address. */
  ssdpUnicast: UdpReachability | "skipped";
  /** Replies to a search sent only by multicast; undefined when that search was not made. */
  multicastReplies: number | undefined;
  /** A NAT-PMP address request to the gateway's port 5351. */
  portControl: UdpReachability | "skipped";
  /** A UPnP gateway was found, and whether it is connected. */
  upnp: { found: false } | { found: true; connected: boolean; connectionStatus: string | undefined };
  /** What PCP and NAT-PMP answered when asked properly (errors carry the router's result code). */
  pcp: { usable: boolean; error?: unknown };
  natPmp: { usable: boolean; error?: unknown };
}

const enableUpnp = "Enable UPnP in the router's settings (often under NAT, Advanced or Security, named \"UPnP\" or \"UPnP IGD\"), or use NAT-PMP/PCP where the router offers them.";

/** Findings about each protocol answering, or why not. */
export function protocolFindings(evidence: ProtocolEvidence): Finding[] {
  const findings: Finding[] = [];
  if (!evidence.multicastRoute) {
    findings.push({
      id: "no-multicast-route",
      severity: evidence.upnp.found ? "warning" : "problem",
      title: "there is no route for multicast: UPnP searches cannot leave this machine",
      fix: "Add a default route (or a route for 239.255.255.250), name the LAN interface with --interface, or skip the search with --gateway URL.",
    });
  }
  if (!evidence.upnp.found) {
    if (evidence.ssdpUnicast === "refused") {
      findings.push({ id: "upnp-refused", severity: "warning", title: "nothing listens for UPnP on the router (port 1900 refused): UPnP is off", fix: enableUpnp });
    } else {
      findings.push({
        id: "upnp-silent",
        severity: "warning",
        title: "no UPnP device answered: UPnP is off on the router, or a firewall drops the search or its replies",
        fix: `${enableUpnp} If it is on, allow incoming UDP from the router to this machine (host firewall).`,
      });
    }
  } else {
    if (!evidence.upnp.connected) {
      findings.push({
        id: "gateway-not-connected",
        severity: "problem",
        title: `the UPnP gateway is not connected to the internet (status ${evidence.upnp.connectionStatus ?? "unknown"})`,
        fix: "Check the router's internet connection; a router behind another one may also say so.",
      });
    }
    if (evidence.ssdpUnicast === "answered" && evidence.multicastReplies === 0) {
      findings.push({
        id: "upnp-unicast-only",
        severity: "info",
        title: "the router answers UPnP searches sent to it, but no answer to the multicast search arrived: a firewall on this machine may drop them",
        fix: "porthole asks the router directly too, so this does not stop it; other programs may need incoming UDP from the router allowed.",
      });
    }
  }
  const portControlAnswered = evidence.pcp.usable || evidence.natPmp.usable || evidence.pcp.error instanceof PcpError || evidence.natPmp.error instanceof NatPmpError;
  if (!portControlAnswered && evidence.portControl === "refused") {
    findings.push({
      id: "pmp-pcp-refused",
      severity: "info",
      title: "nothing listens for NAT-PMP/PCP on the router (port 5351 refused): they are off or not offered",
      fix: "If the router offers NAT-PMP or PCP (Apple routers, OpenWrt, pfSense, many ISP boxes), enabling it lets ports be opened in one round trip.",
    });
  } else if (!portControlAnswered && evidence.portControl === "silent") {
    findings.push({
      id: "pmp-pcp-silent",
      severity: "info",
      title: "NAT-PMP/PCP requests get no answer: they are off, or a firewall drops them",
      fix: "If the router offers NAT-PMP or PCP, enable it; otherwise UPnP is the way.",
    });
  }
  return findings;
}
