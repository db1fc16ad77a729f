import { searchSsdp, type SsdpReply, type SsdpSearchOptions } from "../../../src/upnp/ssdp/ssdp-search.js";

/** Every distinct reply of `searchSsdp`, once the search has ended. */
export async function collectSsdp(options: SsdpSearchOptions = {}): Promise<SsdpReply[]> {
  const replies: SsdpReply[] = [];
  for await (const reply of searchSsdp(options)) replies.push(reply);
  return replies;
}
