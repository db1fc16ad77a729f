import { isIP, isIPv4, isIPv6 } from "node:net";
import { InvalidArgumentError, type InvalidArgumentProblem } from "../../errors/errors.js";

/**
 * What an IGD in-argument holds, which decides how a value is checked and written.
 * - `port`: 1..65535. A wildcard (0) external or internal port is refused on purpose: IGDv2
 *   forbids it (716, 732), IGDv1 routers mostly reject it, and a wildcard external port would
 *   forward every port.
 * - `rangePort`: 0..65535, a bound of a port range (DeletePortMappingRange, GetListOfPortMappings).
 * - `protocol`: TCP or UDP, any case from the caller, always sent upper-case (tailscale#7377).
 * - `remoteHost`: empty (the wildcard) or an IP address literal.
 * - `internalClient`: an IPv4 address; WANIPConnection maps IPv4 only.
 * - `boolean`: sent as `1` / `0`.
 * - `leaseSeconds`: seconds, 0..2^32-1 (ui4); 0 asks for a permanent mapping.
 * - `ui2`: an index or count, 0..65535.
 * - `string`: any text XML can carry.
 * - `pinholeClient`: an IPv6 address without a zone (WANIPv6FirewallControl's InternalClient).
 * - `pinholeProtocol`: TCP or UDP, sent as the IANA protocol number WANIPv6FirewallControl takes (6, 17).
 * - `pinholeLease`: seconds, 1..86400: WANIPv6FirewallControl has no permanent pinholes (0 and
 *   more than a day are refused with 402, miniupnpd).
 */
export type ArgumentKind =
  | "port"
  | "rangePort"
  | "protocol"
  | "remoteHost"
  | "internalClient"
  | "boolean"
  | "leaseSeconds"
  | "ui2"
  | "string"
  | "pinholeClient"
  | "pinholeProtocol"
  | "pinholeLease";

/** A value for an in-argument; `undefined` is sent as the empty string. */
export type ArgumentValue = string | number | boolean | undefined;

function integerIn(value: ArgumentValue, min: number, max: number): number | undefined {
  const number =
    typeof value === "number" ? value : typeof value === "string" && /^\d{1,10}$/.test(value) ? Number(value) : NaN;
  return Number.isInteger(number) && number >= min && number <= max ? number : undefined;
}

function refuse(name: string, value: ArgumentValue, expected: string, problem: InvalidArgumentProblem): never {
  throw new InvalidArgumentError(`${name} must be ${expected}, got ${JSON.stringify(value) ?? String(value)}`, problem);
}

/**
 * Checks `value` against `kind` and returns the text to send.
 * @throws InvalidArgumentError with INVALID_PORT, INVALID_PROTOCOL, INVALID_DURATION or INVALID_ARGS.
 */
export function formatArgument(kind: ArgumentKind, name: string, value: ArgumentValue): string {
  switch (kind) {
    case "port":
      return String(integerIn(value, 1, 65535) ?? refuse(name, value, "a port 1..65535", "port"));
    case "rangePort":
      return String(integerIn(value, 0, 65535) ?? refuse(name, value, "a port 0..65535", "port"));
    case "ui2":
      return String(integerIn(value, 0, 65535) ?? refuse(name, value, "an integer 0..65535", "value"));
    case "leaseSeconds":
      return String(
        integerIn(value, 0, 0xffffffff) ?? refuse(name, value, "a whole number of seconds >= 0", "lease"),
      );
    case "protocol": {
      const upper = typeof value === "string" ? value.toUpperCase() : "";
      return upper === "TCP" || upper === "UDP" ? upper : refuse(name, value, '"TCP" or "UDP"', "protocol");
    }
    case "boolean":
      if (value === true || value === "1") return "1";
      if (value === false || value === "0") return "0";
      return refuse(name, value, "a boolean", "value");
    case "remoteHost":
      if (value === undefined || value === "") return "";
      return typeof value === "string" && isIP(value) !== 0
        ? value
        : refuse(name, value, "empty (any host) or an IP address", "value");
    case "internalClient":
      return typeof value === "string" && isIPv4(value) ? value : refuse(name, value, "an IPv4 address", "value");
    case "string":
      if (value === undefined) return "";
      return typeof value === "string" ? value : refuse(name, value, "a string", "value");
    case "pinholeClient":
      return typeof value === "string" && isIPv6(value) && !value.includes("%") ? value : refuse(name, value, "an IPv6 address without a zone", "value");
    case "pinholeProtocol": {
      const upper = typeof value === "string" ? value.toUpperCase() : "";
      return upper === "TCP" ? "6" : upper === "UDP" ? "17" : refuse(name, value, '"TCP" or "UDP"', "protocol");
    }
    case "pinholeLease":
      return String(integerIn(value, 1, 86400) ?? refuse(name, value, "whole seconds from 1 to 86400", "lease"));
  }
}
