/**
 * Whole processes, started from the LAN host (this process already runs there, so a plain spawn):
 * `upnpc` (miniupnpc) and porthole's CLI, doing the same things.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { runInLan, type CommandResult } from "../../test/gateway/rig.js";
import { portBase, repetitions, type BenchContext } from "../context.js";
import { sendRaw } from "../raw-client.js";
import { deleteRequest, isMapped } from "../raw-igd.js";
import { inTurns, timeIt } from "../timing.js";

export const processSubjects = {
  upnpcCycle: "upnpc -a, then upnpc -u URL -d",
  upnpcCycleKnown: "upnpc -u URL -a, then upnpc -u URL -d",
  upnpcStatus: "upnpc -s (discovers)",
  upnpcStatusKnown: "upnpc -u URL -s",
  upnpcAdd: "upnpc -a (discovers)",
  upnpcAddKnown: "upnpc -u URL -a",
  cliIp: "porthole ip (discovers)",
  cliIpKnown: "porthole ip --gateway URL",
  cliMap: "porthole map (discovers)",
  cliMapKnown: "porthole map --gateway URL",
  cliCycle: "porthole map, then porthole unmap --gateway URL",
  nodeStartup: "floor: node -e 0 (Node start-up alone)",
  bareIpKnown: "floor: a bare Node script asking ip --gateway URL's three questions",
  cliStartup: "porthole --version (start-up + imports)",
  cliHelp: "porthole --help (start-up, no library)",
} as const;

/** The CLI being measured: the bundle the package ships as `porthole` (`npm run build`). */
export const cliPath = fileURLToPath(new URL("../../bin/porthole.cjs", import.meta.url));
/** `porthole ip --gateway URL` without porthole: Node's http client and a regular expression. */
const bareIpPath = fileURLToPath(new URL("../bare-ip-process.cjs", import.meta.url));

/**
 * The CLI's arguments for each job (the `--gateway URL` variants add that option). UPnP, as upnpc
 * speaks: left to `auto`, the rig's PCP would answer first and no row would discover by SSDP.
 */
const cliArguments = {
  ip: (): string[] => ["ip", "--protocol", "upnp"],
  map: (port: number): string[] => ["map", String(port), "--proto", "udp", "--protocol", "upnp"],
  unmap: (port: number): string[] => ["unmap", String(port), "--proto", "udp"],
};

function expectOutput(result: CommandResult, pattern: RegExp, what: string, exitCode: number): void {
  if (result.code !== exitCode || !pattern.test(result.stdout)) {
    throw new Error(`${what} failed (exit ${result.code}):\n${result.stdout}${result.stderr}`);
  }
}

/** Runs `command` in the LAN namespace, timed; throws unless it exits with `exitCode` and its output matches `pattern`. */
export async function timeProcess(command: string, args: readonly string[], pattern: RegExp, exitCode = 0): Promise<number> {
  let result: CommandResult | undefined;
  const ms = await timeIt(async () => {
    result = await runInLan(command, args, { timeoutMs: 15_000 });
  });
  expectOutput(result!, pattern, `${command} ${args.join(" ")}`, exitCode);
  return ms;
}

const upnpcAdded = / is redirected to internal /;
const upnpcDeleted = /UPNP_DeletePortMapping\(\) returned : 0/;
const upnpcStatus = /ExternalIPAddress = \d/;

export async function measureProcesses(context: BenchContext): Promise<void> {
  const { rig, daemon, service, lanAddress, recorder } = context;
  const known = ["-u", daemon.descriptionUrl];
  const discover = ["-m", rig.lan.ifname];
  const upnpcAdd = (via: string[], port: number) => timeProcess("upnpc", [...via, "-e", "porthole", "-a", lanAddress, String(port), String(port), "UDP", "3600"], upnpcAdded);
  const upnpcDelete = (port: number) => timeProcess("upnpc", [...known, "-d", String(port), "UDP"], upnpcDeleted);

  // The cycle's first process is also the `upnpc -a` row: with discovery it waits 2 s, so each
  // sample is taken once.
  for (const [via, cycleSubject, addSubject, count] of [
    [discover, processSubjects.upnpcCycle, processSubjects.upnpcAdd, repetitions.slowProcess],
    [known, processSubjects.upnpcCycleKnown, processSubjects.upnpcAddKnown, repetitions.process],
  ] as const) {
    const adds: number[] = [];
    const cycles: number[] = [];
    for (let index = 0; index < count; index++) {
      const port = portBase.upnpc + (via === known ? 100 : 0) + index;
      const addMs = await upnpcAdd([...via], port);
      const deleteMs = await upnpcDelete(port);
      adds.push(addMs);
      cycles.push(addMs + deleteMs);
    }
    recorder.record("cycle", cycleSubject, cycles, "two processes; upnpc -a also reads the external address and the entry back");
    recorder.record("cli-map", addSubject, adds);
  }
  const statuses = async (via: string[], count: number): Promise<number[]> => {
    const samples: number[] = [];
    for (let index = 0; index < count; index++) samples.push(await timeProcess("upnpc", [...via, "-s"], upnpcStatus));
    return samples;
  };
  recorder.record("cli-ip", processSubjects.upnpcStatus, await statuses(discover, repetitions.slowProcess), "-s also asks status, connection type and link rates");
  recorder.record("cli-ip", processSubjects.upnpcStatusKnown, await statuses(known, repetitions.process));

  const why = await whyCliCannotRun();
  if (why !== undefined) {
    for (const subject of [processSubjects.cliIp, processSubjects.cliIpKnown]) recorder.skip("cli-ip", subject, why);
    for (const subject of [processSubjects.cliMap, processSubjects.cliMapKnown]) recorder.skip("cli-map", subject, why);
    recorder.skip("cycle", processSubjects.cliCycle, why);
    return;
  }
  const gatewayOption = ["--gateway", daemon.descriptionUrl];
  const externalAddress = /\d+\.\d+\.\d+\.\d+/;
  // What any Node CLI pays before its first packet (node -e 0), to read the rows below against.
  // Taken in turns, one of each per round, so that a change in the machine's load touches every
  // row alike: the targets compare these rows with each other.
  const rows: Array<[string, string[], RegExp]> = [
    [processSubjects.nodeStartup, ["-e", "0"], /^/],
    [processSubjects.bareIpKnown, [bareIpPath, daemon.descriptionUrl], externalAddress],
    [processSubjects.cliStartup, [cliPath, "--version"], /^\d/],
    [processSubjects.cliHelp, [cliPath, "--help"], /^Usage: porthole/],
    [processSubjects.cliIp, [cliPath, ...cliArguments.ip()], externalAddress],
    [processSubjects.cliIpKnown, [cliPath, ...cliArguments.ip(), ...gatewayOption], externalAddress],
  ];
  const samples = await inTurns(
    repetitions.startup,
    rows.map(([, args, pattern]) => ({ timed: () => timeProcess(process.execPath, args, pattern) })),
    0,
  );
  rows.forEach(([subject], index) => recorder.record("cli-ip", subject, samples[index]!));
  // The map with discovery is also the first half of the CLI's cycle, unmapped as upnpc's is: by URL.
  const maps: number[] = [];
  const cycles: number[] = [];
  for (let index = 0; index < repetitions.process; index++) {
    const port = portBase.cli + index;
    const mapMs = await timeProcess(process.execPath, [cliPath, ...cliArguments.map(port)], /./);
    if (!(await isMapped(service, port, "UDP"))) throw new Error(`porthole map ${port} made no mapping`);
    const unmapMs = await timeProcess(process.execPath, [cliPath, ...cliArguments.unmap(port), ...gatewayOption], /^removed UDP port/);
    if (await isMapped(service, port, "UDP")) throw new Error(`porthole unmap ${port} left the mapping`);
    maps.push(mapMs);
    cycles.push(mapMs + unmapMs);
  }
  recorder.record("cycle", processSubjects.cliCycle, cycles, "two processes, as upnpc's; map also reads the entry back");
  recorder.record("cli-map", processSubjects.cliMap, maps);
  const mapsKnown: number[] = [];
  for (let index = 0; index < repetitions.process; index++) {
    const port = portBase.cli + 100 + index;
    mapsKnown.push(await timeProcess(process.execPath, [cliPath, ...cliArguments.map(port), ...gatewayOption], /./));
    if (!(await isMapped(service, port, "UDP"))) throw new Error(`porthole map ${port} made no mapping`);
    await sendRaw(deleteRequest(service, port, "UDP"));
  }
  recorder.record("cli-map", processSubjects.cliMapKnown, mapsKnown);
}

/** Why the CLI rows cannot be measured (not built, or failing), or undefined when it works. */
async function whyCliCannotRun(): Promise<string | undefined> {
  if (!existsSync(cliPath)) return "CLI not built (no build/bin/porthole.cjs: npm run build)";
  const result = await runInLan(process.execPath, [cliPath, "--version"]);
  if (result.code === 0) return undefined;
  const error = `${result.stderr}${result.stdout}`.split("\n").find((line) => /Error/.test(line)) ?? `exit code ${result.code}`;
  return `CLI does not run: ${error.trim()}`;
}
