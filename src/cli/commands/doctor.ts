import { diagnose, type DiagnoseOptions, type Diagnosis, type ProtocolState } from "../../doctor/diagnose.js";
import type { Finding } from "../../doctor/finding.js";
import { removalGraceMs } from "../../mapping/port-mapper.js";
import { methodName } from "../../mapping/method-names.js";
import { maxTimeoutMs } from "../../util/check-arguments.js";
import { parseGatewayAddress } from "../argument-checks.js";
import type { Command, CommandContext } from "../command-context.js";
import { clientSettings } from "../connect.js";
import { ExitCode, type ExitCodeValue } from "../exit-codes.js";
import { escaped, joinText, type Printable } from "../terminal-text.js";
import { defaultRouteWords } from "../wording.js";

/** Columns the report is wrapped to: it fits a terminal of the classic width. */
const reportWidth = 78;
/**
 * What the report itself needs of the budget, and the grace the test mapping's removal may take
 * after the diagnosis's own budget: the checks get the rest, so that the diagnosis (which returns
 * what it found when its own budget ends) is done before the command's time is up.
 */
function checksBudgetMs(timeoutMs: number): number {
  return Math.max(1, timeoutMs - Math.min(250, Math.floor(timeoutMs / 10)) - removalGraceMs);
}

/** The options of `diagnose()` from the command line. */
function diagnoseOptions(context: CommandContext): DiagnoseOptions {
  const { values } = context.line;
  const { signal: _signal, timeoutMs: _timeoutMs, listenMs: _listenMs, ...upnp } = clientSettings(context).search;
  const portControl = values["gateway-address"] === undefined ? undefined : parseGatewayAddress(values["gateway-address"]);
  // The unicast SSDP check goes to the router's port 1900, or to the port of a --ssdp-target at the router's address.
  const ssdpAtGateway = upnp.unicastTargets?.find((target) => portControl === undefined || target.address === portControl.address);
  return {
    timeoutMs: checksBudgetMs(context.timeoutMs ?? maxTimeoutMs),
    signal: context.signal,
    gatewayAddress: portControl?.address ?? ssdpAtGateway?.address,
    portControlPort: portControl?.port,
    ssdpPort: ssdpAtGateway?.port,
    upnp,
    checkHairpin: values["no-hairpin"] !== true,
  };
}

/** `text` broken into lines of at most `width` characters at spaces, each after `indent`. */
function wrapped(text: string, indent: string, width = reportWidth): string[] {
  const lines: string[] = [];
  let current = "";
  for (const word of text.split(" ")) {
    if (current !== "" && indent.length + current.length + 1 + word.length > width) {
      lines.push(`${indent}${current}`);
      current = word;
    } else current = current === "" ? word : `${current} ${word}`;
  }
  if (current !== "") lines.push(`${indent}${current}`);
  return lines;
}

const stateWords: Readonly<Record<ProtocolState, string>> = {
  answers: "answers",
  refused: "refused (nothing listens)",
  silent: "no answer",
  "not-asked": "not asked (no router address)",
};

function testMappingWords(test: Diagnosis["facts"]["testMapping"]): string {
  switch (test.state) {
    case "mapped":
      return `UDP ${test.externalPort} → ${test.internalPort} mapped, read back${test.removed ? " and removed" : ", removal unconfirmed"}`;
    case "refused":
      return "refused by the router";
    case "dropped":
      return "accepted, then gone at once";
    case "failed":
      return "failed (no answer)";
    default:
      return "not tried (nothing that could map)";
  }
}

const severityMarks: Readonly<Record<Finding["severity"], string>> = { problem: "✗", warning: "!", info: "i" };

const severityOrder: readonly Finding["severity"][] = ["problem", "warning", "info"];

function printReport(context: CommandContext, diagnosis: Diagnosis): void {
  const { terminal } = context;
  const { out } = terminal;
  const { facts } = diagnosis;
  const summaryStyle = diagnosis.canOpenPorts ? (text: string) => out.green(out.bold(text)) : (text: string) => out.red(out.bold(text));
  terminal.print(joinText(wrapped(diagnosis.summary, "").map(summaryStyle)));
  terminal.print();
  const row = (label: string, value: Printable): void => terminal.printRow(label, value, 18);
  row("default route", defaultRouteWords(facts.defaultRoute));
  row("interfaces", facts.candidateInterfaces.length === 0 ? "none that could lead to a router" : facts.candidateInterfaces.join(", "));
  row("gateway", facts.gatewayAddress ?? "unknown");
  for (const protocol of ["upnp", "pcp", "natpmp"] as const) row(methodName(protocol), stateWords[facts.protocols[protocol]]);
  row("external address", facts.externalAddress ?? "unknown");
  row("our address", facts.localAddress ?? "unknown");
  row("test mapping", testMappingWords(facts.testMapping));
  // Problems first: they are why ports cannot be opened; warnings and notes after.
  const findings = [...diagnosis.findings].sort((a, b) => severityOrder.indexOf(a.severity) - severityOrder.indexOf(b.severity));
  for (const finding of findings) {
    terminal.print();
    const mark = finding.severity === "problem" ? out.red(severityMarks.problem) : finding.severity === "warning" ? out.yellow(severityMarks.warning) : out.cyan(severityMarks.info);
    // The id is what --json and docs/doctor.md call it.
    const [first = "", ...rest] = wrapped(`${finding.title} [${finding.id}]`, "    ");
    terminal.print(joinText([escaped`  ${mark} ${first.trimStart()}`, ...rest]));
    if (finding.fix !== undefined) {
      const [fixFirst = "", ...fixRest] = wrapped(`fix: ${finding.fix}`, "    ");
      terminal.print(joinText([escaped`    ${out.cyan("fix:")}${fixFirst.slice("    fix:".length)}`, ...fixRest]));
    }
  }
}

/**
 * `porthole doctor`: why a port can or cannot be opened from here, and what to do about it
 * (`diagnose()`, docs/doctor.md). Exit 0 when a port can be opened, 1 when not, 3 when no gateway
 * answered at all.
 */
export const doctor: Command = async (context): Promise<ExitCodeValue> => {
  const { terminal } = context;
  const options = diagnoseOptions(context);
  const diagnosis = await terminal.withSpinner(`Checking (up to ${options.timeoutMs} ms)…`, () => diagnose(options));
  // Unknown facts as null, as in every porthole document, rather than keys that come and go.
  if (terminal.json) terminal.printJson(JSON.parse(JSON.stringify(diagnosis, (_key, value: unknown) => value ?? null)));
  else printReport(context, diagnosis);
  if (diagnosis.canOpenPorts) return ExitCode.success;
  return diagnosis.gatewayFound ? ExitCode.failed : ExitCode.noGateway;
};
