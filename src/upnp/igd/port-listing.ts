import { InvalidResponseError } from "../../errors/errors.js";
import { descendants, parseXml } from "../../xml/parse-xml.js";
import { toPortMappingEntry, type PortMappingEntry } from "./port-mapping-entry.js";

const source = "GetListOfPortMappings";

/**
 * Reads `NewPortListing`, the XML document GetListOfPortMappings returns inside one out-argument
 * (escaped or in CDATA, already decoded by the SOAP reply parser):
 * `<p:PortMappingList><p:PortMappingEntry><p:NewRemoteHost>...` (WANIPConnection:2 section 2.5.20).
 * Entries use `NewDescription` and `NewLeaseTime`; the action-argument names
 * `NewPortMappingDescription` and `NewLeaseDuration` are accepted too.
 *
 * @throws InvalidResponseError when the listing is not a PortMappingList or an entry is malformed.
 */
export function parsePortListing(listing: string): PortMappingEntry[] {
  if (listing.trim() === "") return [];
  // parseXml's default limits: no IGD action call takes xmlLimits (ActionCallOptions has none), and
  // the listing already passed the SOAP reply's limits as one out-argument's text.
  const root = parseXml(listing);
  if (root.name.toLowerCase() !== "portmappinglist") {
    throw new InvalidResponseError(`${source}: NewPortListing is not a PortMappingList (root element ${root.name})`);
  }
  return descendants(root, "PortMappingEntry").map((entry) => {
    // One pass over the entry's children; the first element of a name wins, as childText would.
    const texts = new Map<string, string>();
    for (const child of entry.children) {
      const name = child.name.toLowerCase();
      if (!texts.has(name)) texts.set(name, child.text.trim());
    }
    const field = (...names: string[]): string => {
      for (const name of names) {
        const text = texts.get(name.toLowerCase());
        if (text !== undefined) return text;
      }
      return "";
    };
    return toPortMappingEntry(
      {
        remoteHost: field("NewRemoteHost"),
        externalPort: field("NewExternalPort"),
        protocol: field("NewProtocol"),
        internalPort: field("NewInternalPort"),
        internalClient: field("NewInternalClient"),
        enabled: field("NewEnabled"),
        description: field("NewDescription", "NewPortMappingDescription"),
        leaseSeconds: field("NewLeaseTime", "NewLeaseDuration"),
      },
      source,
    );
  });
}
