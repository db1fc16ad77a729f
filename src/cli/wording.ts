import { addressScope, type AddressScope } from "../index.js";

/** "1h 2m 5s", "45s"; 0 is "permanent". */
export function formatLease(seconds: number): string {
  if (seconds === 0) return "permanent";
  const parts: string[] = [];
  const units: Array<[number, string]> = [[86400, "d"], [3600, "h"], [60, "m"], [1, "s"]];
  let rest = seconds;
  for (const [size, unit] of units) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return parts.join(" ");
}

/** `WANIPConnection:2` from `urn:schemas-upnp-org:service:WANIPConnection:2`. */
export function shortServiceType(serviceType: string): string {
  return /:service:(.+)$/.exec(serviceType)?.[1] ?? serviceType;
}

const scopeWords: Partial<Record<AddressScope, string>> = {
  private: "a private address",
  cgnat: "a carrier-grade NAT address (100.64.0.0/10): your provider shares one public address",
  reserved: "a reserved or documentation address",
  loopback: "a loopback address",
  "link-local": "a link-local address",
  unspecified: "no address",
  invalid: "not an address",
};

/**
 * Why mappings on a gateway with this external address cannot be reached from the internet, or
 * undefined when the address is public. An empty address (miniupnpd blanks a reserved WAN address)
 * is a reason too.
 */
export function doubleNatNote(externalAddress: string | undefined): string | undefined {
  if (externalAddress === undefined || externalAddress === "") {
    return "the gateway reports no external address: it is not connected, or sits behind another NAT; mappings will not be reachable from the internet";
  }
  const scope = addressScope(externalAddress);
  if (scope === "public") return undefined;
  return `the external address ${externalAddress} is ${scopeWords[scope] ?? scope}: another NAT sits between this gateway and the internet (double NAT), so mappings will not be reachable from the internet`;
}
