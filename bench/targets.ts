/** The targets, as ratios between rows of the same run. */
import type { MetricId, Recorder } from "./results.js";
import { compatSubjects } from "./suites/compat.js";
import { floorSubjects } from "./suites/floor.js";
import { listingSubjects, tableSize } from "./suites/listing.js";
import { natPortMapperSubjects } from "./suites/nat-port-mapper.js";
import { portholeSubjects } from "./suites/porthole.js";
import { processSubjects } from "./suites/processes.js";
import { managedSubjects } from "./suites/managed.js";
import { doctorSubjects } from "./suites/doctor.js";
import { portControlSubjects } from "./suites/port-control.js";
import { recoveryCheckIntervalMs, recoverySubjects } from "./suites/recovery.js";

export interface TargetResult {
  readonly target: string;
  readonly subject: string;
  /** "1.04×" or "4.2 ms"; "n/a" when a row is missing. */
  readonly measured: string;
  /** undefined when it could not be measured. */
  readonly pass: boolean | undefined;
  /** For a miss: by how much, and why. */
  readonly why?: string;
}

type Row = readonly [MetricId, string];

function format(value: number, unit: "×" | "ms"): string {
  return unit === "×" ? `${value.toFixed(2)}×` : `${value.toFixed(1)} ms`;
}

function result(target: string, subject: string, value: number | undefined, unit: "×" | "ms", pass: (value: number) => boolean, why: (value: number) => string): TargetResult {
  if (value === undefined || !Number.isFinite(value)) return { target, subject, measured: "n/a", pass: undefined };
  const passed = pass(value);
  return { target, subject, measured: format(value, unit), pass: passed, ...(passed ? {} : { why: why(value) }) };
}

/** `row` median / `floor` median must be at most `limit`. */
function atMostTimesFloor(recorder: Recorder, target: string, row: Row, floor: Row, limit: number, why: (ratio: number) => string): TargetResult {
  const value = recorder.median(...row);
  const base = recorder.median(...floor);
  const ratio = value === undefined || base === undefined ? undefined : value / base;
  return result(target, row[1], ratio, "×", (r) => r <= limit, (r) => `${((r / limit - 1) * 100).toFixed(0)}% over the limit: ${why(r)}`);
}

/** `row` median minus `floor` median must be at most `limitMs`. */
function atMostMsOverFloor(recorder: Recorder, target: string, row: Row, floor: Row, limitMs: number, why: (overMs: number) => string): TargetResult {
  const value = recorder.median(...row);
  const base = recorder.median(...floor);
  const over = value === undefined || base === undefined ? undefined : value - base;
  return result(target, `${row[1]} vs ${floor[1]}`, over, "ms", (ms) => ms <= limitMs, (ms) => `${(ms - limitMs).toFixed(1)} ms over the limit: ${why(ms)}`);
}

/** `slower` median / `row` median must be at least `limit`. */
function atLeastTimesFaster(recorder: Recorder, target: string, row: Row, slower: Row, limit: number, why: (speedup: number) => string): TargetResult {
  const value = recorder.median(...row);
  const other = recorder.median(...slower);
  const speedup = value === undefined || other === undefined ? undefined : other / value;
  return result(target, `${row[1]} vs ${slower[1]}`, speedup, "×", (s) => s >= limit, (s) => `${((1 - s / limit) * 100).toFixed(0)}% short: ${why(s)}`);
}

const ms = (value: number | undefined): string => (value === undefined ? "?" : `${value.toFixed(1)} ms`);

export function evaluateTargets(recorder: Recorder): TargetResult[] {
  const median = (metric: MetricId, subject: string) => recorder.median(metric, subject);
  const search = median("discover-cold", floorSubjects.search);
  const remembered = median("discover-remembered", portholeSubjects.remembered);
  const post = (metric: MetricId) => median(metric, floorSubjects.post);
  const nodeHttp = median("external-ip", floorSubjects.nodeHttp);
  const soapOverhead = (metric: MetricId, subject: string) => () =>
    `${ms((median(metric, subject) ?? 0) - (post(metric) ?? 0))} above the bare POST (${ms(post(metric))}): porthole's own layers (deadline, envelope, its HTTP exchange on node:net, reply parsing). For comparison, node:http alone adds ${ms((nodeHttp ?? 0) - (post("external-ip") ?? 0))} to the same GetExternalIPAddress`;
  const results: TargetResult[] = [
    atMostTimesFloor(recorder, "cold discovery ≤ 1.1× bare M-SEARCH", ["discover-cold", portholeSubjects.find], ["discover-cold", floorSubjects.search], 1.1, () =>
      `after the first SSDP reply (${ms(search)}) a gateway is only usable once its description is fetched and its status asked (GetStatusInfo + GetExternalIPAddress in parallel): gatewayFromUrl alone takes ${ms(remembered)}, and the two cannot overlap`),
    result("remembered gateway ≤ 10 ms", portholeSubjects.remembered, remembered, "ms", (value) => value <= 10, (value) =>
      `${ms(value - 10)} over: one GET of the description, then GetStatusInfo and GetExternalIPAddress in parallel`),
  ];
  const soapRows: Array<[MetricId, string, (ratio: number) => string]> = [
    ["add", portholeSubjects.add, () =>
      `the default verify reads the entry back with GetSpecificPortMappingEntry (tailscale#18196: routers that accept and drop a mapping; IGDv2 lease actually granted): two round trips where the floor has one. Without it: ${ms(median("add", portholeSubjects.addUnverified))}`],
    ["add", portholeSubjects.addUnverified, soapOverhead("add", portholeSubjects.addUnverified)],
    ["external-ip", portholeSubjects.externalIp, soapOverhead("external-ip", portholeSubjects.externalIp)],
    ["delete", portholeSubjects.delete, soapOverhead("delete", portholeSubjects.delete)],
    ["add", compatSubjects.add, soapOverhead("add", compatSubjects.add)],
    ["external-ip", compatSubjects.externalIp, soapOverhead("external-ip", compatSubjects.externalIp)],
    ["delete", compatSubjects.delete, soapOverhead("delete", compatSubjects.delete)],
  ];
  for (const [metric, subject, why] of soapRows) {
    results.push(atMostTimesFloor(recorder, "SOAP operation ≤ 1.2× bare POST", [metric, subject], [metric, floorSubjects.post], 1.2, why));
  }
  const nodeFloor: Row = ["cli-ip", processSubjects.nodeStartup];
  const node = median(...nodeFloor) ?? 0;
  const help = median("cli-ip", processSubjects.cliHelp) ?? 0;
  results.push(
    atMostMsOverFloor(recorder, "CLI start-up ≤ +20 ms over bare Node", ["cli-ip", processSubjects.cliHelp], nodeFloor, 20, () =>
      "reading the command line's bundle and its code cache, and running its start"),
    atMostMsOverFloor(recorder, "CLI start-up ≤ +20 ms over bare Node", ["cli-ip", processSubjects.cliIpKnown], nodeFloor, 20, (over) =>
      `starting the command line takes ${ms(help - node)} of it (porthole --help); the other ${ms(over - (help - node))} is the client's code, loaded ` +
      `and run once, cold: the description, then GetStatusInfo and GetExternalIPAddress, which take ${ms(remembered)} in a warm process (gatewayFromUrl() above). ` +
      `A bare Node script asking the same three questions takes ${ms((median("cli-ip", processSubjects.bareIpKnown) ?? 0) - node)} over node -e 0`),
    atLeastTimesFaster(recorder, "CLI map+unmap ≥ 10× faster than upnpc", ["cycle", processSubjects.cliCycle], ["cycle", processSubjects.upnpcCycle], 10, () => {
      const allowed = (median("cycle", processSubjects.upnpcCycle) ?? 0) / 10;
      const fixed = 2 * node + (search ?? 0);
      const map = median("cli-map", processSubjects.cliMap) ?? 0;
      const unmap = (median("cycle", processSubjects.cliCycle) ?? 0) - map;
      return `10× means ${ms(allowed)} for both processes; two Node start-ups (2 × ${ms(node)}, node -e 0) and miniupnpd's late SSDP answer (${ms(search)}) ` +
        `take ${ms(fixed)} of it, leaving ${ms(allowed - fixed)} for the two commands' own work. porthole's takes ${ms(map - node - (search ?? 0))} in map ` +
        `(discovery's description and status questions, AddPortMapping and its read-back) and ${ms(unmap - node)} in unmap (description, status questions, DeletePortMapping), all run cold`;
    }),
    atLeastTimesFaster(recorder, "full cycle ≥ 10× faster than upnpc", ["cycle", portholeSubjects.cycle], ["cycle", processSubjects.upnpcCycle], 10, () => "see the cycle rows"),
    atLeastTimesFaster(recorder, "full cycle ≥ 2× faster than nat-port-mapper", ["cycle", portholeSubjects.cycle], ["cycle", natPortMapperSubjects.cycle], 2, () => {
      const peer = median("cycle", natPortMapperSubjects.cycle);
      const floor = median("cycle", floorSubjects.cycle);
      const best = peer !== undefined && floor !== undefined ? `${(peer / floor).toFixed(2)}×` : "?";
      return `unreachable on this gateway: miniupnpd answers every M-SEARCH ${ms(search)} late, so no client's cycle can take less than the floor's ${ms(floor)}, and 2× faster than nat-port-mapper (${ms(peer)}) would mean ${ms((peer ?? 0) / 2)}. The best any client can do here is ${best} (nat-port-mapper / floor). With a remembered gateway porthole's cycle takes ${ms(median("cycle", portholeSubjects.cycleRemembered))}`;
    }),
    atMostTimesFloor(recorder, "listing 1,000 ≤ 1.5× floor (generic)", ["list-generic", listingSubjects.generic], ["list-generic", listingSubjects.floorGeneric], 1.5, () => {
      const extra = (median("list-generic", listingSubjects.generic) ?? 0) - (median("list-generic", listingSubjects.floorGeneric) ?? 0);
      return `${(extra / (tableSize + 1)).toFixed(2)} ms per request above the bare POST, the same per-request overhead as the single operations (porthole's layers), 1,001 times`;
    }),
    atMostTimesFloor(recorder, "listing 100 ≤ 1.5× floor (list)", ["list-list", listingSubjects.list], ["list-list", listingSubjects.floorList], 1.5, () =>
      `the two requests are cheap here (${ms(median("list-list", listingSubjects.floorList))} for both); reading the reply costs more: NewPortListing is an XML document carried inside the XML reply, so 100 entries (~37 KB) are parsed twice, about 0.4 ms with a warm JIT. porthole lists with the generic walk by default (that target is met), because miniupnpd 2.3.1 dies answering GetListOfPortMappings past ~130 entries`),
  );
  results.push(...portControlTargets(recorder), ...managedTargets(recorder));
  for (const subject of Object.values(doctorSubjects)) {
    results.push(result("porthole doctor ≤ 3 s on the rig", subject, recorder.median("doctor", subject), "ms", (value) => value <= 3000, () => "over its 3 s budget"));
  }
  return results;
}

/** Issue 11: NAT-PMP and PCP against the floor of the same datagrams, and against the peers. */
function portControlTargets(recorder: Recorder): TargetResult[] {
  const pcp = (subject: string): Row => ["pcp-map", subject];
  const natPmp = (subject: string): Row => ["natpmp-map", subject];
  const median = (row: Row) => recorder.median(...row);
  const leastNote = (least: Row, floor: Row): string => {
    const [leastMs, floorMs] = [median(least), median(floor)];
    return leastMs === undefined || floorMs === undefined ? "" : `. The least any client must do beyond the datagrams (the default route, the requests, a time limit, the replies read) takes ${ms(leastMs)}, ${(leastMs / floorMs).toFixed(2)}× the floor`;
  };
  const requestOverhead = (subject: Row, floor: Row, oneRequest: Row, more = "") => () =>
    `${ms((median(subject) ?? 0) - (median(floor) ?? 0))} above the floor's ${ms(median(floor))}, for the same two datagrams, each from a fresh socket as the floor's: ` +
    `the rest is porthole's own work, run cold between round trips (the default route read, the search, the mapper's checks, the budgets and signals, the nonce, the reply checks). ` +
    `A new mapper's map() alone takes ${ms(median(oneRequest))}${more}`;
  const findPcp = pcp(portControlSubjects.findPcp);
  const findNatPmp = natPmp(portControlSubjects.findNatPmp);
  const fastestAlone = Math.min(median(findPcp) ?? Infinity, median(findNatPmp) ?? Infinity);
  const auto = median(pcp(portControlSubjects.findAuto));
  return [
    atMostTimesFloor(recorder, "cold map through PCP ≤ 1.2× bare datagrams", findPcp, pcp(portControlSubjects.floorPcp), 1.2,
      requestOverhead(findPcp, pcp(portControlSubjects.floorPcp), pcp(portControlSubjects.pcpMapper), leastNote(pcp(portControlSubjects.leastPcp), pcp(portControlSubjects.floorPcp)))),
    atMostTimesFloor(recorder, "cold map through NAT-PMP ≤ 1.2× bare datagrams", findNatPmp, natPmp(portControlSubjects.floorNatPmp), 1.2,
      requestOverhead(findNatPmp, natPmp(portControlSubjects.floorNatPmp), natPmp(portControlSubjects.natPmpMapper), leastNote(natPmp(portControlSubjects.leastNatPmp), natPmp(portControlSubjects.floorNatPmp)))),
    atLeastTimesFaster(recorder, "cold map through PCP ≥ 10× faster than nat-port-mapper's UPnP cycle", findPcp, ["cycle", natPortMapperSubjects.cycle], 10, () => "see the rows"),
    result("auto ≤ fastest protocol alone + 1 ms", `${portControlSubjects.findAuto} vs the fastest alone`, auto === undefined || !Number.isFinite(fastestAlone) ? undefined : auto - fastestAlone, "ms", (over) => over <= 1, (over) =>
      `${ms(over - 1)} over: auto opens three sockets (PCP, NAT-PMP and SSDP) and starts the search where one protocol alone opens one`),
    atLeastTimesFaster(recorder, "NAT-PMP map no slower than nat-port-mapper's NAT-PMP", natPmp(portControlSubjects.natPmpMapper), natPmp(portControlSubjects.natPortMapperPmp), 1, () => "see the rows"),
  ];
}

/** Issue 12: recovery after a reboot, and many managed mappings without bursts. */
function managedTargets(recorder: Recorder): TargetResult[] {
  const atMostMs = (target: string, subject: string, limit: number, why: string): TargetResult =>
    result(target, subject, recorder.median("recovery", subject), "ms", (value) => value <= limit, () => why);
  const busiest = recorder.median("managed-1000", managedSubjects.busiest);
  return [
    atMostMs("recovery ≤ 3 s when the router announces itself", recoverySubjects.upnpAnnounced, 3000, "the ssdp:alive with the new BOOTID was not heard"),
    atMostMs("recovery ≤ 3 s when the router announces itself", recoverySubjects.pcpAnnounced, 3000, "the PCP ANNOUNCE was not heard"),
    atMostMs("recovery ≤ the check interval otherwise", recoverySubjects.checked, recoveryCheckIntervalMs, "the check found the mapping gone late"),
    {
      target: "1,000 managed mappings: requests spread, no burst",
      subject: managedSubjects.busiest,
      measured: busiest === undefined ? "n/a" : `${busiest} requests in 100 ms`,
      pass: busiest === undefined ? undefined : busiest <= 100,
      ...(busiest !== undefined && busiest > 100 ? { why: "renewals and checks bunched together" } : {}),
    },
  ];
}
