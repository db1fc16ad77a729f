import { DEFAULT_LEASE_SECONDS, quirkProfiles, type QuirkProfileName } from "../index.js";
import type { CommandName } from "./command-line.js";

const clientOptionsHelp = `
Gateway options:
  --gateway URL          use the gateway with this description URL; skips discovery
  --interface NAME|ADDR  send the discovery search out of this interface
  --ipv6                 search over IPv6 (FF05::C, FF02::C)
  --ssdp-target ADDR[:PORT]
                         send the search by unicast to this address only, no multicast
                         (for tests, and networks that block multicast; repeatable)
  --timeout MS           time for discovery to listen, and for each request
                         (default: 2000 for discovery, 3000 descriptions, 5000 SOAP)`;

const generalOptionsHelp = `
General options:
  --json                 print one JSON document on stdout (shapes: docs/cli.md)
  -v, --verbose          trace SSDP datagrams and HTTP/SOAP exchanges on stderr
  -h, --help             show help
  -V, --version          show the version`;

const exitCodesHelp = `
Exit codes:
  0    success
  1    the gateway refused the operation, or talking to it failed
  2    usage error (nothing was sent)
  3    no gateway found
  130  interrupted (Ctrl-C)`;

const overview = `Usage: porthole <command> [options]

Open ports on your router over UPnP IGD.

Commands:
  discover          list every gateway found, with status and addresses
  ip                print the gateway's external address
  map <port>        map an external port to this machine
  unmap <port>      remove a mapping
  list              show the gateway's mapping table
  gateway           run a virtual gateway in the foreground, for testing
  demo              walk a full cycle against a virtual gateway (no router needed)

"porthole <command> --help" shows a command's options.
${generalOptionsHelp}
${exitCodesHelp}
`;

function quirkList(): string {
  const names = Object.keys(quirkProfiles) as QuirkProfileName[];
  const width = Math.max(...names.map((name) => name.length));
  return names.map((name) => `  ${name.padEnd(width)}  ${quirkProfiles[name].summary}`).join("\n");
}

const commandHelp: Readonly<Record<CommandName, () => string>> = {
  discover: () => `Usage: porthole discover [options]

Searches for gateways and prints each one's description URL, service, status, external
address and our local address, with a warning when the external address is not public
(double NAT or carrier-grade NAT: mappings will not be reachable from the internet).
${clientOptionsHelp}
${generalOptionsHelp}
${exitCodesHelp}
`,
  ip: () => `Usage: porthole ip [options]

Prints the gateway's external address, alone on stdout. Fails (exit 1) when the gateway
reports none.
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
  --description TEXT     shown in the router's UI (default: porthole)
  --internal-client ADDR host that receives the traffic (default: our address toward the gateway)
  --any-port             when <port> is taken, let the gateway choose another
${clientOptionsHelp}
${generalOptionsHelp}
${exitCodesHelp}
`,
  unmap: () => `Usage: porthole unmap <port> [options]

Removes the mapping of external <port>.

Options:
  --proto tcp|udp|both   protocol, any case (default: tcp)
${clientOptionsHelp}
${generalOptionsHelp}
${exitCodesHelp}
`,
  list: () => `Usage: porthole list [options]

Prints the gateway's whole mapping table.
${clientOptionsHelp}
${generalOptionsHelp}
${exitCodesHelp}
`,
  gateway: () => `Usage: porthole gateway [options]

Runs a virtual gateway until Ctrl-C: UPnP (SSDP, descriptions and SOAP control), NAT-PMP and
PCP over one real mapping table, for testing programs without a router. Logs what it does on stderr.

Options:
  --address ADDR         address to serve on (default: 127.0.0.1)
  --http-port N          description and control port (default: 0, any free port)
  --ssdp-port N          unicast SSDP port (default: 0, any free port)
  --port-control-port N  NAT-PMP and PCP port, 5351 on a router (default: 0, any free port)
  --no-upnp, --no-natpmp, --no-pcp
                         leave a protocol off
  --igd 1|2              InternetGatewayDevice version (default: 2)
  --external-address A   what GetExternalIPAddress reports (default: 203.0.113.7)
  --quirk NAME[,NAME]    imitate a router's behaviour (repeatable), one of:
${quirkList().replace(/^/gm, "    ")}
  --multicast-interface ADDR
                         also answer multicast SSDP on the interface with this IPv4 address
                         and announce NAT-PMP/PCP to 224.0.0.1:5350 there; only inside a
                         network namespace or a lab network of your own
${generalOptionsHelp}
${exitCodesHelp}
`,
  demo: () => `Usage: porthole demo [options]

Starts a virtual gateway on 127.0.0.1 and walks a full cycle against it, narrating each
step: discover (unicast, no multicast), external address, map, list, unmap.
${generalOptionsHelp}
${exitCodesHelp}
`,
};

export function helpText(command: CommandName | undefined): string {
  return command === undefined ? overview : commandHelp[command]();
}
