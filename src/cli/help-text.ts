import type { CommandName } from "./command-line.js";

// The overview is printed by `porthole --help` without loading the library; each command's own
// help is in command-help.ts, loaded when asked for.

export const defaultCommandTimeoutMs = 30_000;
/** `porthole doctor` answers within 3 s (issue 14): its checks share that budget, as `diagnose()`'s default. */
export const defaultDoctorTimeoutMs = 3000;

/** The default `--timeout` of a command. */
export function defaultTimeoutOf(command: CommandName): number {
  return command === "doctor" ? defaultDoctorTimeoutMs : defaultCommandTimeoutMs;
}

/** The gateway options, with the `--timeout` line each command words its own way. */
function gatewayOptionsHelp(timeout: string, protocols: string): string {
  return `
Gateway options:
${protocols}  --gateway URL          the UPnP gateway with this description URL; skips discovery
  --interface NAME|ADDR  send the discovery search out of this interface
  --ipv6                 search over IPv6 (FF05::C, FF02::C)
  --ssdp-target ADDR[:PORT]
                         send the search by unicast to this address only, no multicast
                         (for tests, and networks that block multicast; repeatable)
${timeout}`;
}

const wholeCommandTimeout = `  --timeout MS           time budget of the whole command, everything it sends included
                         (default: ${defaultCommandTimeoutMs}); discovery listens for 2000 ms, or half
                         the budget when that is shorter`;

const protocolOptionsHelp = `  --protocol P           auto, upnp, pcp or natpmp (default: auto: all three asked at
                         once, PCP preferred, then NAT-PMP, then UPnP). --gateway and
                         --ssdp-target name a UPnP gateway: with them auto asks NAT-PMP
                         and PCP only where --gateway-address says
  --gateway-address ADDR[:PORT]
                         where NAT-PMP and PCP are asked (default: the default gateway,
                         port 5351; another port is for tests and virtual gateways)
`;

/** The gateway options of discover, ip, map and unmap. */
export const clientOptionsHelp = gatewayOptionsHelp(wholeCommandTimeout, protocolOptionsHelp);

/** The gateway options of list: UPnP only. */
export const upnpOptionsHelp = gatewayOptionsHelp(
  wholeCommandTimeout,
  `  --protocol P           auto or upnp: only UPnP can list mappings (pcp and natpmp are
                         a usage error)
`,
);

/** The gateway options of hold, whose --timeout covers the first mappings only. */
export const holdOptionsHelp = gatewayOptionsHelp(
  `  --timeout MS           time budget of the first mappings (default: ${defaultCommandTimeoutMs}): until every
                         port is mapped once, a failure ends hold; after that it keeps
                         trying until stopped`,
  protocolOptionsHelp,
);

export const generalOptionsHelp = `
General options:
  --json                 print one JSON document on stdout (shapes: docs/cli.md)
  -v, --verbose          trace SSDP datagrams and HTTP/SOAP exchanges on stderr
  -h, --help             show help
  -V, --version          show the version`;

export const exitCodesHelp = `
Exit codes:
  0    success ("gateway", "hold": stopped by Ctrl-C or SIGTERM; "doctor": ports can be opened)
  1    the gateway refused the operation, talking to it failed, or --timeout ran out
       ("doctor": ports cannot be opened)
  2    usage error (nothing was sent)
  3    no gateway found, or no route to send the search on
  130  interrupted (Ctrl-C; not "gateway" or "hold", which exit 0)
  141  the output was closed by its reader ("| head"), as git and ls end`;

const overview = `Usage: porthole <command> [options]

Open ports on your router over UPnP IGD, NAT-PMP or PCP.

Commands:
  discover          list every gateway found, by every protocol, with its addresses
  ip                print the gateway's external address
  map <port>        map an external port to this machine (--ipv6: open a pinhole)
  unmap <port>      remove a mapping (--ipv6: close a pinhole)
  list              show the gateway's mapping table (UPnP)
  hold <port>...    keep mappings open, renewed and put back, until Ctrl-C
  doctor            say whether ports can be opened here, and if not why
  gateway           run a virtual gateway in the foreground, for testing
  demo              walk a full cycle against a virtual gateway (no router needed)

"porthole <command> --help" shows a command's options. discover, ip, map, unmap and hold
take the gateway options (--protocol, --gateway, --gateway-address, --interface, --ipv6,
--ssdp-target, --timeout); list takes them but --gateway-address (only UPnP lists mappings).
${generalOptionsHelp}
${exitCodesHelp}
`;

/** The help of `command`, or the overview. */
export async function helpText(command: CommandName | undefined): Promise<string> {
  if (command === undefined) return overview;
  const { commandHelp } = await import("./command-help.js");
  return commandHelp(command);
}
