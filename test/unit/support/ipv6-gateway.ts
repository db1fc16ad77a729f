import { networkInterfaces } from "node:os";
import type { TestContext } from "node:test";
import { gatewayFromUrl, UpnpPinholeMapper, type UpnpPinholeMapperOptions, type VirtualGateway, type VirtualGatewayOptions } from "../../../src/index.js";
import { soapCall, type SoapResult } from "../virtual-gateway-test-client.js";
import { requireOrSkip } from "./require-or-skip.js";
import { virtualGateway } from "./virtual-gateway-fixture.js";

/** The type of the IPv6 firewall control service. */
export const firewallControlType = "urn:schemas-upnp-org:service:WANIPv6FirewallControl:1";

/** Whether this machine has the IPv6 loopback address. */
export function hasIpv6Loopback(): boolean {
  return Object.values(networkInterfaces()).some((entries) => entries?.some((entry) => entry.address === "::1"));
}

/**
 * A virtual gateway on ::1 that closes when the test ends; undefined (the test skipped, or failed
 * on CI) on a machine without the IPv6 loopback address.
 */
export async function ipv6Gateway(t: TestContext, options: VirtualGatewayOptions = {}): Promise<VirtualGateway | undefined> {
  if (!requireOrSkip(t, hasIpv6Loopback(), "the IPv6 loopback address ::1")) return undefined;
  return virtualGateway(t, { address: "::1", ...options });
}

/**
 * porthole's pinhole mapper on the gateway's firewall control service, as its description lists
 * it. Loopback is no global address, so the mapper is told to open pinholes toward ::1.
 */
export async function pinholeMapper(gateway: VirtualGateway, options: UpnpPinholeMapperOptions = {}): Promise<UpnpPinholeMapper> {
  const service = (await gatewayFromUrl(gateway.descriptionUrl)).description?.firewallControlServices[0];
  if (service === undefined) throw new Error("the description lists no WANIPv6FirewallControl");
  return new UpnpPinholeMapper(service, { internalAddress: "::1", ...options });
}

/** One WANIPv6FirewallControl action as raw SOAP, the arguments in the order given. */
export function firewallCall(gateway: VirtualGateway, action: string, args: ReadonlyArray<readonly [string, string]> = []): Promise<SoapResult> {
  return soapCall(gateway, action, args, { controlPath: "/ctl/IP6FCtl", serviceType: firewallControlType });
}
