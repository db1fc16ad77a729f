/**
 * Every parser porthole runs on text from the network, as a fuzz target. The invariant is the
 * same for all: a parser returns a well-typed value or throws a `PortholeError`; any other
 * exception, or a value of the wrong shape, is a crash. (A hang is caught by the runner, which
 * times each case; inputs are bounded in size.)
 */
import type fc from "fast-check";
import { decodeDescriptionBody } from "../../src/upnp/description/decode-description.js";
import { parseDeviceDescription, type DeviceDescription } from "../../src/upnp/description/device-description.js";
import { servicesOnDescriptionHost } from "../../src/upnp/description/control-url-policy.js";
import { PortholeError } from "../../src/errors/errors.js";
import { HttpResponseParser, type ParsedHttpResponse } from "../../src/http/http-response-parser.js";
import { parseHttpUrl, type HttpTarget } from "../../src/http/http-url.js";
import { parsePortListing } from "../../src/upnp/igd/port-listing.js";
import type { PortMappingEntry } from "../../src/upnp/igd/port-mapping-entry.js";
import { parseSoapResponse } from "../../src/upnp/soap/soap-response.js";
import { checkLocation } from "../../src/upnp/ssdp/location-policy.js";
import { testNetworks } from "../fixtures/local-networks.js";
import { parseSsdpResponse, type SsdpResponse } from "../../src/upnp/ssdp/ssdp-message.js";
import { parseSsdpNotify, type SsdpNotify } from "../../src/upnp/ssdp/ssdp-notify.js";
import { parseXml, type XmlElement } from "../../src/xml/parse-xml.js";
import { binaryInput, binarySeeds, descriptionSeeds, httpResponseSeeds, parserInput, portListingSeeds, soapSeeds, ssdpSeeds, urlSeeds } from "./fuzz-inputs.js";
import { checkNatPmpRequest, checkNatPmpResponse, checkPcpRequest, checkPcpResponse, checkAnnouncement } from "./binary-checks.js";
import { decodeNatPmpRequest } from "../../src/natpmp/natpmp-requests.js";
import { decodeNatPmpResponse } from "../../src/natpmp/natpmp-responses.js";
import { decodePcpRequest } from "../../src/pcp/pcp-requests.js";
import { decodePcpResponse } from "../../src/pcp/pcp-responses.js";
import { decodeGatewayAnnouncement } from "../../src/port-control/gateway-announcement.js";
import type { GatewayState } from "../../src/virtual-gateway/action-context.js";
import { buildDeviceModel } from "../../src/virtual-gateway/device-model.js";
import { resolveConfig, type VirtualGatewayOptions } from "../../src/virtual-gateway/gateway-config.js";
import { answerPortControl } from "../../src/virtual-gateway/port-control-server.js";
import { PinholeTable } from "../../src/virtual-gateway/pinhole-table.js";
import { PortMappingTable } from "../../src/virtual-gateway/port-mapping-table.js";

/** One parser under fuzzing. `run` throws `InvariantViolation` on a crash, else names the outcome. */
export interface FuzzTarget {
  readonly name: string;
  readonly input: fc.Arbitrary<string>;
  run(input: string): string;
}

/** A broken invariant: the parser threw something other than a PortholeError, or returned a bad value. */
export class InvariantViolation extends Error {
  override name = "InvariantViolation";
}

/**
 * Runs `parse`; returns `label(value)` (by default "value", or "undefined") or the PortholeError's
 * class name, and throws `InvariantViolation` on anything else.
 */
function typedOutcome<T>(parse: () => T, check: (value: T) => string | undefined, label?: (value: T) => string): string {
  let value: T;
  try {
    value = parse();
  } catch (error) {
    if (error instanceof PortholeError) return error.name;
    const detail = error instanceof Error ? `${error.name}: ${error.message}\n${error.stack}` : String(error);
    throw new InvariantViolation(`threw a non-porthole error: ${detail}`, { cause: error });
  }
  const problem = check(value);
  if (problem !== undefined) throw new InvariantViolation(`returned a malformed value: ${problem}`);
  return label?.(value) ?? (value === undefined ? "undefined" : "value");
}

const isString = (value: unknown): value is string => typeof value === "string";

/** Feeds the parser as the socket would, then the close; small limits so the size checks run too. */
function readHttpResponse(chunks: readonly Buffer[]): ParsedHttpResponse {
  const parser = new HttpResponseParser({ url: "http://192.168.1.1:5000/ctl", maxHeaderBytes: 2048, maxBodyBytes: 4096 });
  for (const chunk of chunks) {
    const response = parser.push(chunk);
    if (response !== undefined) return response;
  }
  return parser.end();
}

function checkHttpResponse(response: ParsedHttpResponse): string | undefined {
  if (!Number.isInteger(response.status) || response.status < 100 || response.status > 999) return `status ${response.status}`;
  if (!Buffer.isBuffer(response.body) || response.body.length > 4096) return "body is not a bounded Buffer";
  return Object.entries(response.headers).every(([name, value]) => name === name.toLowerCase() && (isString(value) || Array.isArray(value)))
    ? undefined
    : "a header is not a lower-case name with a string value";
}
const isPort = (value: unknown): boolean => Number.isInteger(value) && (value as number) >= 0 && (value as number) <= 65535;
/** What Node's http.request accepts as a path without throwing (ERR_UNESCAPED_CHARACTERS). */
const isSendablePath = (path: string): boolean => /^\/[\x21-\x7e]*$/.test(path);

function checkSsdp(response: SsdpResponse | undefined): string | undefined {
  if (response === undefined) return undefined;
  if (!isString(response.location) || response.location === "") return "empty location";
  if (!isString(response.st) || !isString(response.usn)) return "st/usn not strings";
  if (response.server !== undefined && !isString(response.server)) return "server not a string";
  if (!Object.values(response.headers).every(isString)) return "a header value is not a string";
  return undefined;
}

const isBootId = (value: unknown): boolean => value === undefined || (Number.isInteger(value) && (value as number) >= 0 && (value as number) <= 0x7fffffff);

function checkNotify(notify: SsdpNotify | undefined): string | undefined {
  if (notify === undefined) return undefined;
  if (!["ssdp:alive", "ssdp:byebye", "ssdp:update"].includes(notify.kind)) return `unknown kind ${notify.kind}`;
  if (!isString(notify.nt) || notify.nt === "" || !isString(notify.usn)) return "nt/usn not strings";
  if (notify.location !== undefined && (!isString(notify.location) || notify.location === "")) return "empty location";
  if (![notify.bootId, notify.configId, notify.nextBootId].every(isBootId)) return "a boot id out of range";
  return undefined;
}

function checkElement(element: XmlElement, depth = 0): string | undefined {
  if (depth > 100) return "deeper than any limit";
  if (!isString(element.name) || element.name === "") return "element without a name";
  if (!isString(element.text)) return "text not a string";
  if (!Object.values(element.attributes).every(isString)) return "attribute not a string";
  for (const child of element.children) {
    const problem = checkElement(child, depth + 1);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

function checkTarget(target: HttpTarget): string | undefined {
  if (!isString(target.host) || target.host === "" || /[\s\0]/.test(target.host)) return `bad host ${JSON.stringify(target.host)}`;
  if (!isPort(target.port)) return `bad port ${target.port}`;
  if (!isSendablePath(target.path)) return `unsendable path ${JSON.stringify(target.path)}`;
  if (!target.href.startsWith("http://")) return `href ${target.href}`;
  // The href must lead back to the same place: URLs are stored as text and parsed again.
  const again = parseHttpUrl(target.href);
  if (again.host !== target.host || again.port !== target.port || again.path !== target.path) {
    return `href ${target.href} parses to ${JSON.stringify(again)}, not ${JSON.stringify(target)}`;
  }
  return undefined;
}

function checkDescription(description: DeviceDescription): string | undefined {
  if (!isString(description.deviceType) || typeof description.isGatewayDevice !== "boolean") return "bad root fields";
  for (const service of description.wanConnectionServices) {
    if (service.kind !== "WANIPConnection" && service.kind !== "WANPPPConnection") return `kind ${service.kind}`;
    if (!Number.isSafeInteger(service.version) || service.version < 1) return `version ${service.version}`;
    const problem = checkTarget(parseHttpUrl(service.controlUrl));
    if (problem !== undefined) return `control URL: ${problem}`;
  }
  // The control URL policy must cope with whatever the parser let through.
  servicesOnDescriptionHost(description);
  return undefined;
}

function checkEntries(entries: PortMappingEntry[]): string | undefined {
  for (const entry of entries) {
    if (!isPort(entry.externalPort) || !isPort(entry.internalPort)) return "port out of range";
    if (entry.protocol !== "TCP" && entry.protocol !== "UDP") return `protocol ${entry.protocol}`;
    if (typeof entry.enabled !== "boolean") return "enabled not a boolean";
    if (!Number.isInteger(entry.leaseSeconds) || entry.leaseSeconds < 0 || entry.leaseSeconds > 0xffffffff) return "lease out of range";
  }
  return undefined;
}

function checkValues(values: Record<string, string>): string | undefined {
  return Object.values(values).every(isString) ? undefined : "an out-argument is not a string";
}

/** Outcomes of several calls on one input, joined, so the statistics show every path taken. */
const joined = (...outcomes: string[]): string => [...new Set(outcomes)].join("+");

const networks = testNetworks;
const replySources = ["127.0.0.1", "192.168.1.1", "192.168.1.66", "fe80::1%eth0", "::1", "::ffff:192.168.1.1", "2001:db8:1::1"];

function checkVerdict(verdict: ReturnType<typeof checkLocation>): string | undefined {
  if (!verdict.allowed) return isString(verdict.reason) && verdict.reason !== "" ? undefined : "refused without a reason";
  return checkTarget(parseHttpUrl(verdict.location));
}

const bytesOf = (input: string): Buffer => Buffer.from(input, "latin1");
const natPmpSeeds = binarySeeds("natpmp");
const pcpSeeds = binarySeeds("pcp");

/** A virtual gateway's state, without sockets: each case starts from a table holding one mapping, and no pinholes. */
function gatewayStateFor(options: VirtualGatewayOptions): () => GatewayState {
  const config = resolveConfig({ externalAddress: "11.22.33.44", now: () => 1_700_000_000_000, ...options });
  const model = buildDeviceModel(config);
  return () => {
    const table = new PortMappingTable(config.now);
    table.put({ remoteHost: "", externalPort: 7000, protocol: "UDP", internalPort: 7000, internalClient: "192.168.1.20", enabled: true, description: "PCP MAP 000000000000000000000000", leaseSeconds: 600, expiresAt: config.now() + 600_000 });
    return { config, model, table, pinholes: new PinholeTable(config.now), externalAddress: config.externalAddress, connectionStatus: "Connected", startedAt: config.now() - 5000, epochStartedAt: config.now() - 5000, bootId: config.bootId };
  };
}

const gatewayStates = [
  gatewayStateFor({}),
  gatewayStateFor({ natPmp: false, quirks: { rejectPortsBelow1024: true, tableLimit: 1 } }),
  gatewayStateFor({ pcp: false, quirks: { privateWanAddress: true } }),
];

/** A reply is a whole NAT-PMP answer (8, 12 or 16 bytes) or a PCP-shaped one (24..1100 bytes, a multiple of 4, the R bit set). */
function checkGatewayReply(reply: Uint8Array | undefined): string | undefined {
  if (reply === undefined) return undefined;
  const bytes = Buffer.from(reply);
  if (bytes.length <= 16) {
    const response = decodeNatPmpResponse(bytes);
    return checkNatPmpResponse(response, bytes);
  }
  if (bytes.length < 24 || bytes.length > 1100 || bytes.length % 4 !== 0 || (bytes[1]! & 0x80) === 0) return `a ${bytes.length}-byte reply that is no PCP message`;
  if (bytes[0] === 2 && bytes[3] === 0) return checkPcpResponse(decodePcpResponse(bytes));
  return undefined;
}

export const fuzzTargets: readonly FuzzTarget[] = [
  {
    // Not a parser of what porthole receives from a router, but what its virtual gateway answers to any client.
    name: "answerPortControl",
    input: binaryInput([...natPmpSeeds, ...pcpSeeds]),
    run: (input) =>
      joined(
        ...gatewayStates.map((state) =>
          typedOutcome(
            () => answerPortControl(state(), bytesOf(input), { address: "192.168.1.20" }),
            (answer) => checkGatewayReply(answer.reply),
            (answer) => (answer.reply === undefined ? "silent" : `result ${answer.activity.resultCode}`),
          ),
        ),
      ),
  },
  {
    name: "decodeNatPmpResponse",
    input: binaryInput(natPmpSeeds),
    run: (input) => typedOutcome(() => decodeNatPmpResponse(bytesOf(input)), (value) => checkNatPmpResponse(value, bytesOf(input)), (value) => value.kind),
  },
  {
    name: "decodeNatPmpRequest",
    input: binaryInput(natPmpSeeds),
    run: (input) => typedOutcome(() => decodeNatPmpRequest(bytesOf(input)), checkNatPmpRequest, (value) => value.kind),
  },
  {
    name: "decodePcpResponse",
    input: binaryInput(pcpSeeds),
    run: (input) => typedOutcome(() => decodePcpResponse(bytesOf(input)), checkPcpResponse, (value) => value.kind),
  },
  {
    name: "decodePcpRequest",
    input: binaryInput(pcpSeeds),
    run: (input) => typedOutcome(() => decodePcpRequest(bytesOf(input)), checkPcpRequest, (value) => value.kind),
  },
  {
    name: "decodeGatewayAnnouncement",
    input: binaryInput([...natPmpSeeds, ...pcpSeeds]),
    run: (input) => typedOutcome(() => decodeGatewayAnnouncement(bytesOf(input)), checkAnnouncement, (value) => value?.protocol ?? "undefined"),
  },
  {
    name: "parseSsdpResponse",
    input: parserInput(ssdpSeeds),
    run: (input) =>
      joined(
        typedOutcome(() => parseSsdpResponse(input), checkSsdp),
        typedOutcome(() => parseSsdpResponse(Buffer.from(input, "latin1")), checkSsdp),
      ),
  },
  {
    name: "parseSsdpNotify",
    input: parserInput(ssdpSeeds),
    run: (input) =>
      joined(
        typedOutcome(() => parseSsdpNotify(input), checkNotify),
        typedOutcome(() => parseSsdpNotify(Buffer.from(input, "latin1")), checkNotify),
      ),
  },
  {
    name: "checkLocation",
    input: parserInput([...urlSeeds, ...ssdpSeeds.map((seed) => parseSsdpResponse(seed)?.location ?? seed)]),
    run: (input) =>
      joined(
        ...replySources.map((source) =>
          typedOutcome(() => checkLocation(input, source, networks), checkVerdict, (verdict) => (verdict.allowed ? "followed" : "refused")),
        ),
      ),
  },
  {
    name: "parseXml",
    input: parserInput([...descriptionSeeds, ...soapSeeds, ...portListingSeeds]),
    run: (input) => typedOutcome(() => parseXml(input), (element) => checkElement(element)),
  },
  {
    name: "parseDeviceDescription",
    input: parserInput(descriptionSeeds),
    run: (input) =>
      joined(
        typedOutcome(() => parseDeviceDescription(input, "http://192.168.1.1:5000/rootDesc.xml"), checkDescription),
        typedOutcome(() => parseDeviceDescription(decodeDescriptionBody(Buffer.from(input, "latin1")), "http://[fe80::1%25eth0]:49000/desc.xml"), checkDescription),
      ),
  },
  {
    name: "parseSoapResponse",
    input: parserInput(soapSeeds),
    run: (input) =>
      joined(
        typedOutcome(() => parseSoapResponse(input, "GetExternalIPAddress"), checkValues),
        typedOutcome(() => parseSoapResponse(input, "GetListOfPortMappings"), checkValues),
      ),
  },
  {
    name: "parsePortListing",
    input: parserInput(portListingSeeds),
    run: (input) => typedOutcome(() => parsePortListing(input), checkEntries),
  },
  {
    name: "HttpResponseParser",
    input: parserInput(httpResponseSeeds),
    run: (input) => {
      const bytes = Buffer.from(input, "latin1");
      return joined(
        typedOutcome(() => readHttpResponse([bytes]), checkHttpResponse),
        // The same bytes cut in small pieces, as they arrive from a slow router.
        typedOutcome(() => readHttpResponse(Array.from({ length: Math.ceil(bytes.length / 7) }, (_, i) => bytes.subarray(i * 7, i * 7 + 7))), checkHttpResponse),
      );
    },
  },
  {
    name: "parseHttpUrl",
    input: parserInput(urlSeeds),
    run: (input) =>
      joined(
        typedOutcome(() => parseHttpUrl(input), checkTarget),
        typedOutcome(() => parseHttpUrl(input, "http://192.168.1.1:5000/desc/rootDesc.xml"), checkTarget),
        typedOutcome(() => parseHttpUrl(input, "http://[fe80::1%25eth0]:5000/"), checkTarget),
      ),
  },
];

export function fuzzTarget(name: string): FuzzTarget {
  const target = fuzzTargets.find((candidate) => candidate.name === name);
  if (target === undefined) throw new Error(`no fuzz target named ${JSON.stringify(name)}`);
  return target;
}
