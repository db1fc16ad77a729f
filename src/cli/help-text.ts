import type { CommandName } from "./command-line.js";

// The overview is printed by `porthole --help` without loading the library; each command's own
// help is in command-help.ts, loaded when asked for.

export const defaultCommandTimeoutMs = 30_000;

export const clientOptionsHelp = `
Gateway options:
  --gateway URL          use the gateway with this description URL; skips discovery
  --interface NAME|ADDR  send the discovery search out of this interface
  --ipv6                 search over IPv6 (FF05::C, FF02::C)
  --ssdp-target ADDR[:PORT]
                         send the search by unicast to this address only, no multicast
                         (for tests, and networks that block multicast; repeatable)
  --timeout MS           time budget of the whole command, everything it sends included
                         (default: ${defaultCommandTimeoutMs}); discovery listens for 2000 ms, or half
                         the budget when that is shorter`;

export const generalOptionsHelp = `
General options:
  --json                 print one JSON document on stdout (shapes: docs/cli.md)
  -v, --verbose          trace SSDP datagrams and HTTP/SOAP exchanges on stderr
  -h, --help             show help
  -V, --version          show the version`;

export const exitCodesHelp = `
Exit codes:
  0    success ("gateway": stopped by Ctrl-C or SIGTERM)
  1    the gateway refused the operation, talking to it failed, or --timeout ran out
  2    usage error (nothing was sent)
  3    no gateway found, or no route to send the search on
  130  interrupted (Ctrl-C)
  141  the output was closed by its reader ("| head"), as git and ls end`;

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

"porthole <command> --help" shows a command's options. discover, ip, map, unmap and list
take the gateway options (--gateway, --interface, --ipv6, --ssdp-target, --timeout).
${generalOptionsHelp}
${exitCodesHelp}
`;

/** The help of `command`, or the overview. */
export async function helpText(command: CommandName | undefined): Promise<string> {
  if (command === undefined) return overview;
  const { commandHelp } = await import("./command-help.js");
  return commandHelp(command);
}
