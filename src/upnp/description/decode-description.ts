// Lenient on purpose (aioupnp#7): routers put invalid UTF-8 in names, and one bad byte must not
// cost the whole gateway. Not `ignoreBOM`, so a leading byte order mark is dropped.
const lenientUtf8 = new TextDecoder("utf-8", { fatal: false });

/**
 * The text of a description body: UTF-8 with invalid bytes replaced by U+FFFD and a leading BOM
 * removed. The Content-Type header is not consulted: routers label XML as text/html or nothing
 * at all, and clients that insisted on `/xml` lost them (nat-port-mapper).
 */
export function decodeDescriptionBody(body: Uint8Array): string {
  return lenientUtf8.decode(body);
}
