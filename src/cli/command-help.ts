import { DEFAULT_LEASE_SECONDS } from "../upnp/gateway/wan-connection.js";
import { quirkProfiles, type QuirkProfileName } from "../virtual-gateway/quirk-profiles.js";
import type { CommandName } from "./command-line.js";
import { clientOptionsHelp, exitCodesHelp, generalOptionsHelp } from "./help-text.js";

function quirkList(): string {
  const names = Object.keys(quirkProfiles) as QuirkProfileName[];
  const width = Math.max(...names.map((name) => name.length));
  return names.map((name) => `  ${name.padEnd(width)}  ${quirkProfiles[name].summary}`).join("\n");
}

const helpOf: Readonly<Record<CommandName, () => string>> = {
  discover: () => `Usage: porthole discover [options]

Searches for gateways and prints each one's description URL, name, service, status, external
address and our local address, with a warning when the external address is not public
(double NAT or carrier-grade NAT: mappings will not be reachable from the internet).
${clientOptionsHelp}
${generalOptionsHelp}
${exitCodesHelp}
`,
  ip: () => `Usage: porthole ip [options]

Prints the gateway's external address, alone on stdout. Fails (exit 1) when the gateway
reports no usable one (none, 0.0.0.0, loopback, link-local, or not an address).
${clientOptionsHelp}
${generalOptionsHelp}
${exitCodesHelp}
`,
  map: () => `Usage: porthole map <port> [options]

Maps external <port> on the gateway to this machine and prints what the gateway granted.

Options:
  --internal-port N      port on the internal host (default: <port>)
  --proto tcp|udp|both   protocol, any case (default: tcp); with "both", a failure of the
                         second mapping removes the first again
  --lease SECONDS        lease; 0 asks for a permanent mapping (default: ${DEFAULT_LEASE_SECONDS})
  --description TEXT     shown in the router's UI, at most 256 characters (default: porthole)
  --internal-client ADDR host that receives the traffic (default: our address toward the gateway)
  --any-port             when <port> is taken, let the gateway choose another
${clientOptionsHelp}
${generalOptionsHelp}
${exitCodesHelp}
`,
  unmap: () => `Usage: porthole unmap <port> [options]

Removes the mapping of external <port>. With --proto both, each protocol is tried even
when the other fails; the exit code is 1 when either failed.

Options:
  --proto tcp|udp|both   protocol, any case (default: tcp)
${clientOptionsHelp}
${generalOptionsHelp}
${exitCodesHelp}
`,
  list: () => `Usage: porthole list [options]

Prints the gateway's mapping table, and says so when it stopped at --max-entries.

Options:
  --max-entries N        read at most N entries, 1 to 65536 (default: 4096)
${clientOptionsHelp}
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
step: discover (unicast, no multicast), external address, map, list, unmap. Takes no
--timeout.
${generalOptionsHelp}
${exitCodesHelp}
`,
};

export function commandHelp(command: CommandName): string {
  return helpOf[command]();
}
