import { defaultCheckIntervalMs } from "../manager/managed-port-options.js";
import { DEFAULT_LEASE_SECONDS } from "../upnp/gateway/wan-connection.js";
import { quirkProfiles, type QuirkProfileName } from "../virtual-gateway/quirk-profiles.js";
import type { CommandName } from "./command-line.js";
import { clientOptionsHelp, defaultDoctorTimeoutMs, exitCodesHelp, generalOptionsHelp, holdOptionsHelp, upnpOptionsHelp } from "./help-text.js";

function quirkList(): string {
  const names = Object.keys(quirkProfiles) as QuirkProfileName[];
  const width = Math.max(...names.map((name) => name.length));
  return names.map((name) => `  ${name.padEnd(width)}  ${quirkProfiles[name].summary}`).join("\n");
}

const helpOf: Readonly<Record<CommandName, () => string>> = {
  discover: () => `Usage: porthole discover [options]

Asks every protocol (--protocol) and prints each gateway that answers: PCP and NAT-PMP
servers with their address, UPnP gateways with their description URL, name, service and
status; for each the external address and our local address, with a warning when the
external address is not public (double NAT or carrier-grade NAT: mappings will not be
reachable from the internet). NAT-PMP and PCP get as long to answer as the search listens.

With --ipv6 (which also makes the search go over IPv6) it also says what would open IPv6
pinholes: PCP or the UPnP IPv6 firewall (and that firewall's answer: off, no inbound
pinholes, or open to them), and this host's address the pinholes would open toward.
Routers have no action that lists pinholes, so discover cannot show which are open.
${clientOptionsHelp}
${generalOptionsHelp}
${exitCodesHelp}
`,
  ip: () => `Usage: porthole ip [options]

Prints the gateway's external address, alone on stdout, learnt over any protocol
(--protocol). Fails (exit 1) when the gateway reports none; a UPnP gateway that reports
0.0.0.0, loopback, link-local or not an address is not connected, so no gateway (exit 3).
${clientOptionsHelp}
${generalOptionsHelp}
${exitCodesHelp}
`,
  map: () => `Usage: porthole map <port> [options]

Maps external <port> on the gateway to this machine, over UPnP, NAT-PMP or PCP
(--protocol), and prints what the gateway granted. With --ipv6 it opens an IPv6 firewall
pinhole for <port> on this host's own global address instead (PCP or UPnP's
WANIPv6FirewallControl; the search goes over IPv6 too).

Options:
  --internal-port N      port on the internal host (default: <port>; with --ipv6 <port> only)
  --proto tcp|udp|both   protocol, any case (default: tcp); with "both", a failure of the
                         second mapping removes the first again
  --lease SECONDS        lease; 0 asks for a permanent mapping (default: ${DEFAULT_LEASE_SECONDS});
                         NAT-PMP, PCP and pinholes have none and grant their longest
  --description TEXT     shown in the router's UI (UPnP only), at most 256 characters
                         (default: porthole)
  --internal-client ADDR host that receives the traffic (default: our address toward the
                         gateway; with --ipv6 our stable global IPv6 address). UPnP only:
                         NAT-PMP and PCP map for the host that asks, so auto means UPnP
                         and --protocol pcp or natpmp is a usage error
  --any-port             when <port> is taken, take the port the gateway offers
  --ipv6                 open an IPv6 pinhole instead of an IPv4 mapping

A PCP mapping can be removed by a later "porthole unmap" because its nonce is derived
from a secret kept in ~/.config/porthole/pcp-secret (see docs/cli.md).
${clientOptionsHelp}
${generalOptionsHelp}
${exitCodesHelp}
`,
  unmap: () => `Usage: porthole unmap <port> [options]

Removes the mapping of <port> through the protocol the gateway speaks (--protocol): UPnP
names it by external <port>, NAT-PMP and PCP by the internal port. With --ipv6 it closes
the pinhole of <port>. With --proto both, each protocol is tried even when the other
fails; the exit code is 1 when either failed.

Options:
  --internal-port N      NAT-PMP/PCP: the mapping's internal port (default: <port>)
  --proto tcp|udp|both   protocol, any case (default: tcp)
  --ipv6                 close an IPv6 pinhole instead
  --internal-client ADDR with --ipv6: the address the pinhole was opened for (default: our
                         stable global IPv6 address); UPnP only, as for map
${clientOptionsHelp}
${generalOptionsHelp}
${exitCodesHelp}
`,
  list: () => `Usage: porthole list [options]

Prints the UPnP gateway's mapping table, and says so when it stopped at --max-entries.
NAT-PMP and PCP have no way to list mappings.

Options:
  --max-entries N        read at most N entries, 1 to 65536 (default: 4096)
${upnpOptionsHelp}
${generalOptionsHelp}
${exitCodesHelp}
`,
  hold: () => `Usage: porthole hold <port> [<port>...] [options]

Maps each port and keeps it open until Ctrl-C or SIGTERM: renews it half-way through its
lease, checks it every --check-interval, puts it back after a router reboot (at once when
the router announces it: PCP and NAT-PMP always, UPnP with --interface), follows the
gateway when it moves. Prints each event as it happens: one line of status, or with
--json one JSON object per line, {"event": "mapped", ...}. On Ctrl-C or SIGTERM it
releases every mapping, prints "released" for each and exits 0.

Options:
  --proto tcp|udp|both   protocol, any case (default: tcp)
  --lease SECONDS        lease asked for (default: the protocol's, 3600)
  --description TEXT     shown in the router's UI (UPnP only)
  --any-port             when a port is taken, take another and say so (port-changed)
  --check-interval S     how often to check the mappings still stand, 1 to 86400 s
                         (default: ${defaultCheckIntervalMs / 1000})
  --ipv6                 keep IPv6 pinholes open instead
${holdOptionsHelp}
${generalOptionsHelp}
${exitCodesHelp}
`,
  doctor: () => `Usage: porthole doctor [options]

Checks, all at once and within the time budget, whether ports can be opened from this
machine: its interfaces and default route, which of UPnP, PCP and NAT-PMP the router
answers (refused or silent when not), the external address, and a test mapping of a
random high UDP port, read back and removed. Prints a summary line first, what was found,
then each problem with its fix (docs/doctor.md). Exit 0 when a port can be opened, 1 when
not, 3 when no gateway answered at all.

Options:
  --gateway-address ADDR[:PORT]
                         the router to check (default: the --ssdp-target's address, else
                         the default gateway); the port is NAT-PMP/PCP's (default: 5351)
  --ssdp-target ADDR[:PORT]
                         search for UPnP by unicast to this address only; the one at the
                         router's address also sets the port of the unicast check
  --interface NAME|ADDR  send the multicast search out of this interface
  --no-hairpin           do not send a datagram to the external address to see whether
                         the router loops it back
  --timeout MS           time budget of the whole diagnosis (default: ${defaultDoctorTimeoutMs})
${generalOptionsHelp}
${exitCodesHelp}
`,
  gateway: () => `Usage: porthole gateway [options]

Runs a virtual gateway until Ctrl-C or SIGTERM (then exits 0): UPnP (SSDP, descriptions and
SOAP control), NAT-PMP and PCP over one real mapping table, for testing programs without a
router. Logs what it does on stderr. Takes no --timeout: it runs until stopped.

Options:
  --address ADDR         address to serve on and to put in its URLs (default: 127.0.0.1);
                         not 0.0.0.0 or ::, which clients cannot connect to
  --http-port N          description and control port (default: 0, any free port)
  --ssdp-port N          unicast SSDP port (default: 0, any free port)
  --port-control-port N  NAT-PMP and PCP port, 5351 on a router (default: 0, any free port)
  --no-upnp, --no-natpmp, --no-pcp
                         leave a protocol off
  --igd 1|2              InternetGatewayDevice version (default: 2)
  --external-address A   what GetExternalIPAddress reports (default: 203.0.113.7, a
                         documentation address, which clients call not public)
  --quirk NAME[,NAME]    imitate a router's behaviour (repeatable), one of:
${quirkList().replace(/^/gm, "    ")}
  --multicast-interface ADDR
                         also answer multicast SSDP on the interface with this IPv4 address
                         and announce NAT-PMP/PCP to 224.0.0.1:5350 there; only inside a
                         network namespace or a lab network of your own

For programs built on miniupnpc (upnpc, and anything that links libminiupnpc): they find
gateways by multicast and call one with a non-public external address "not connected", so
give both:
  porthole gateway --address 10.0.0.1 --multicast-interface 10.0.0.1 \\
                   --external-address 11.22.33.44
  upnpc -l                 (on a client on 10.0.0.1's network; -m IFNAME picks its interface)
Any public-looking address does for --external-address: it is only reported, never used.
${generalOptionsHelp}
${exitCodesHelp}
`,
  demo: () => `Usage: porthole demo [options]

Starts a virtual gateway on 127.0.0.1 and walks a full cycle against it, narrating each
step: discover (unicast, no multicast), external address, map, list, unmap, then one
mapping over PCP. Takes no --timeout.
${generalOptionsHelp}
${exitCodesHelp}
`,
};

export function commandHelp(command: CommandName): string {
  return helpOf[command]();
}
