import { findGateway } from "../../upnp/gateway/find-gateways.js";
import { PcpPortMapper } from "../../pcp/pcp-port-mapper.js";
import { DEFAULT_LEASE_SECONDS, type WanConnection } from "../../upnp/gateway/wan-connection.js";
import { UpnpPortMapper } from "../../upnp/upnp-port-mapper.js";
import { startVirtualGateway, type VirtualGateway } from "../../virtual-gateway/virtual-gateway.js";
import type { Command, CommandContext } from "../command-context.js";
import { escaped, type Printable } from "../terminal-text.js";
import { ssdpTracer } from "../verbose-trace.js";
import { externalAddressVerdict, formatLease, hostPort, shortServiceType } from "../wording.js";
import { gatewayJson } from "./discover.js";
import { listedMappingJson, printMappingTable } from "./list.js";
import { madeMappingJson } from "./map.js";

const demoPort = 8080;
const stepCount = 7;
const indent = "      ";

/** Narration in text mode; nothing in JSON mode, where only the final document is printed. */
function narrator(context: CommandContext) {
  const { terminal } = context;
  const { out } = terminal;
  let step = 0;
  return {
    step(title: string): void {
      if (terminal.json) return;
      terminal.print();
      terminal.print(escaped`${out.cyan(`[${++step}/${stepCount}]`)} ${out.bold(title)}`);
    },
    say(text: Printable): void {
      if (!terminal.json) terminal.print(escaped`${indent}${text}`);
    },
  };
}

async function discoverIt(context: CommandContext, virtual: VirtualGateway): Promise<WanConnection> {
  return findGateway({
    // Unicast to the virtual gateway only: the demo never multicasts on this machine's networks.
    multicast: false,
    unicastTargets: [virtual.ssdpAddress],
    // The only gateway searched for: no better one can answer later.
    graceMs: 0,
    signal: context.signal,
    ...(context.terminal.verbose ? { onTrace: ssdpTracer(context.terminal) } : {}),
  });
}

async function walkThrough(context: CommandContext, virtual: VirtualGateway): Promise<Record<string, unknown>> {
  const { terminal, signal } = context;
  const { out } = terminal;
  const { step, say } = narrator(context);
  const document: Record<string, unknown> = {
    virtualGateway: { descriptionUrl: virtual.descriptionUrl, ssdp: { ...virtual.ssdpAddress } },
  };

  step("A virtual Internet Gateway Device is running on this machine");
  say(escaped`description  ${out.cyan(virtual.descriptionUrl)}`);
  say(`SSDP         ${hostPort(virtual.ssdpAddress.address, virtual.ssdpAddress.port)} (unicast only: nothing leaves 127.0.0.1)`);

  step("Discover it, as porthole finds a real router: SSDP M-SEARCH, then the device description");
  const started = performance.now();
  const gateway = await discoverIt(context, virtual);
  document["discover"] = { gateways: [gatewayJson(gateway)] };
  say(`found ${shortServiceType(gateway.serviceType)} in ${Math.round(performance.now() - started)} ms, control URL ${gateway.controlUrl}`);
  say(`status ${gateway.status?.connectionStatus ?? "unknown"}, our address toward it ${await gateway.lookUpLocalAddress()}`);

  step("Ask for the external address (GetExternalIPAddress)");
  const externalAddress = await gateway.getExternalAddress({ signal });
  document["ip"] = { externalAddress };
  say(out.bold(externalAddress));
  if (externalAddressVerdict(externalAddress).doubleNat) {
    say(out.dim("A documentation address (RFC 5737). From a real router, porthole would warn that such an"));
    say(out.dim("address means double NAT: mappings not reachable from the internet."));
  }

  step(`Map TCP port ${demoPort} to this machine (AddPortMapping, then read it back)`);
  const mapping = await new UpnpPortMapper(gateway).map({ internalPort: demoPort, protocol: "TCP", description: "porthole demo", anyPort: false }, { signal });
  const made = madeMappingJson(mapping, externalAddress, "porthole demo", DEFAULT_LEASE_SECONDS);
  document["map"] = { mappings: [made] };
  say(escaped`${out.green("mapped")} TCP ${externalAddress}:${made.externalPort} → ${made.internalClient}:${made.internalPort}, lease ${formatLease(made.lease)}`);

  step("List the gateway's mapping table");
  const table = await gateway.listPortMappings({ signal });
  const listed = table.entries.map((entry) => listedMappingJson(entry, externalAddress));
  document["list"] = { mappings: listed, truncated: table.truncated };
  if (!terminal.json) printMappingTable(context, listed, indent);

  step(`Remove the mapping (DeletePortMapping) and check the table is empty`);
  await mapping.release({ signal });
  document["unmap"] = { removed: [{ protocol: "TCP", externalPort: mapping.externalPort, internalPort: null, method: mapping.method }] };
  const after = await gateway.listPortMappings({ signal });
  document["listAfter"] = { mappings: after.entries.map((entry) => listedMappingJson(entry, externalAddress)), truncated: after.truncated };
  say(escaped`${out.green("removed")}; ${after.entries.length === 0 ? "the table is empty again" : `${after.entries.length} mapping(s) left`}`);

  step("The same gateway speaks PCP (RFC 6887): one UDP datagram each way, no discovery");
  const pcpStarted = performance.now();
  const pcp = await new PcpPortMapper(virtual.portControlAddress.address, { gatewayPort: virtual.portControlAddress.port }).map({ internalPort: demoPort, protocol: "UDP" }, { signal });
  const pcpMs = Math.round(performance.now() - pcpStarted);
  await pcp.release({ signal });
  document["pcp"] = { mappings: [madeMappingJson(pcp, pcp.externalAddress ?? null, "porthole demo")], removed: true };
  say(escaped`${out.green("mapped")} UDP ${pcp.externalAddress ?? "?"}:${pcp.externalPort} in ${pcpMs} ms, and removed again`);
  return document;
}

function printOutro(context: CommandContext): void {
  const { terminal } = context;
  const { out } = terminal;
  terminal.print();
  terminal.print(out.bold("Done. Try it yourself:"));
  const examples: Array<[string, string]> = [
    ["porthole gateway", "run a virtual gateway in one terminal"],
    [`porthole --gateway URL map ${demoPort}`, "map a port on it from another"],
    ["porthole discover", "find your real router"],
  ];
  const width = Math.max(...examples.map(([command]) => command.length));
  for (const [command, why] of examples) terminal.print(escaped`  ${command.padEnd(width)}  ${out.dim(`# ${why}`)}`);
}

/** `porthole demo`: a full cycle against a virtual gateway on loopback, narrated; no router needed. */
export const demo: Command = async (context) => {
  const { terminal } = context;
  if (!terminal.json) terminal.print(terminal.out.bold("porthole demo: open a port on a router, with no router needed"));
  const virtual = await startVirtualGateway({ signal: context.signal });
  try {
    const document = await walkThrough(context, virtual);
    if (terminal.json) terminal.printJson(document);
    else printOutro(context);
  } finally {
    await virtual.close();
  }
};
