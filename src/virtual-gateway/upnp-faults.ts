import { UpnpActionError } from "../errors/errors.js";
import { firewallControlErrorNames } from "../upnp/igd/firewall-control.js";

/** Standard error descriptions (UPnP Device Architecture 3.2.2, WANIPConnection:2 section 2.4, WANIPv6FirewallControl:1 section 2.4). */
const upnpErrorNames: ReadonlyMap<number, string> = new Map([
  [401, "Invalid Action"],
  [402, "Invalid Args"],
  [501, "Action Failed"],
  [606, "Action not authorized"],
  // WANIPv6FirewallControl's own, 701 to 709: the names the client reads them by.
  ...[...firewallControlErrorNames].filter(([code]) => code > 700),
  [713, "SpecifiedArrayIndexInvalid"],
  [714, "NoSuchEntryInArray"],
  [716, "WildCardNotPermittedInExtPort"],
  [718, "ConflictInMappingEntry"],
  [725, "OnlyPermanentLeasesSupported"],
  [728, "NoPortMapsAvailable"],
  [730, "PortMappingNotFound"],
  [732, "WildCardNotPermittedInIntPort"],
  [733, "InconsistentParameters"],
]);

/**
 * The fault the virtual gateway answers an action with. It is the same `UpnpActionError` a client
 * would raise on receiving it, so the table of codes is shared by both sides.
 */
export function upnpFault(action: string, code: number, description?: string): UpnpActionError {
  return new UpnpActionError(action, code, description ?? upnpErrorNames.get(code) ?? "");
}
