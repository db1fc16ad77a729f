import { addressScope } from "../net/address-scope.js";
import type { Finding } from "./finding.js";

/**
 * The budget ended before the gateway gave its external address. "No external address" would
 * blame the router for the time porthole was given.
 */
export const externalAddressUnknown: Finding = {
  id: "external-address-unknown",
  severity: "info",
  title: "the external address is unknown: the time ran out before the gateway gave it (a longer --timeout lets it)",
};

/**
 * What the gateway's external address says about reaching this network from the internet: a
 * private (RFC 1918) or CGNAT (100.64.0.0/10) address means another NAT sits in front of the
 * router, so a mapping made here is not reachable from outside (miniupnp#647, #732).
 */
export function externalAddressFindings(address: string | undefined): Finding[] {
  if (address === undefined || address === "") {
    return [
      {
        id: "external-address-none",
        severity: "problem",
        title: "the gateway reports no external address: it is not connected, or sits behind another NAT that it will not name",
        fix: "Check the router's internet connection; if it is connected, it is behind another router or the provider's NAT (see the router's WAN status page).",
      },
    ];
  }
  switch (addressScope(address)) {
    case "public":
      return [];
    case "private":
      return [
        {
          id: "external-address-private",
          severity: "problem",
          title: `the router is behind another NAT (external address ${address}): a mapping here cannot be reached from the internet`,
          fix: "Put the upstream router (often the provider's box) in bridge/modem mode, or map the port on it too, forwarding to this router's address.",
        },
      ];
    case "cgnat":
      return [
        {
          id: "external-address-cgnat",
          severity: "problem",
          title: `the provider shares one public address among customers (carrier-grade NAT, external address ${address}): a mapping here cannot be reached from the internet`,
          fix: "Ask the provider for a public IPv4 address (often an option, sometimes for a fee), or use IPv6 (porthole map --ipv6), or a relay.",
        },
      ];
    case "reserved":
      return [
        {
          id: "external-address-reserved",
          severity: "problem",
          title: `the external address ${address} is a reserved or documentation address: the router is behind something that is not the internet`,
          fix: "The router's WAN side is not connected to the internet as it should be; check the upstream equipment.",
        },
      ];
    default:
      return [
        {
          id: "external-address-invalid",
          severity: "problem",
          title: `the gateway reports ${JSON.stringify(address.slice(0, 64))} as its external address, which is no usable address`,
          fix: "The router has no working WAN address; check its internet connection.",
        },
      ];
  }
}
