/**
 * True for an IPv6 literal (with or without a `%zone`), told from an IPv4 address or a host name
 * by its colon, which neither can hold. For addresses already known to be one of those: node:net's
 * `isIPv6` compiles a large regular expression on its first call, milliseconds of a short-lived
 * process's start-up (`porthole ip`: docs/benchmarks.md).
 */
export function isIPv6Literal(address: string): boolean {
  return address.includes(":");
}
