import { InvalidResponseError, UpnpActionError } from "../../errors/errors.js";
import { childElement, childText, descendants, parseXml, type XmlElement, type XmlLimits } from "../../xml/parse-xml.js";

/**
 * Reads a SOAP reply to `action`. Namespace prefixes do not matter (`s:`, `SOAP-ENV:`, `u:`, `m:`
 * or none): `parseXml` keeps local names only, and names are matched case-insensitively.
 *
 * @returns out-argument name -> trimmed text, entities decoded, in the names the router used.
 * @throws UpnpActionError when the Body holds a Fault with `detail/UPnPError/errorCode`; its
 * @throws InvalidResponseError when the text is not XML, has no Body, has no `<{action}Response>`,
 * or holds a Fault without a numeric UPnP `errorCode`. Such a bare SOAP fault (e.g. `s:Client`
 * with only a faultstring) breaks the UPnP control protocol, and an `UpnpActionError` would have
 * to invent a code; the faultcode and faultstring are kept in the message.
 * @param xmlLimits nesting and element limits for the reply (see `parseXml`)
 * @param hasOutArguments whether the action declares out-arguments; without any, an empty
 * `<{action}>` is taken for the response too (see `bareResponse`)
 */
export function parseSoapResponse(xmlText: string, action: string, xmlLimits?: XmlLimits, hasOutArguments = true): Record<string, string> {
  const body = findBody(parseXml(xmlText, xmlLimits), action);
  const fault = childElement(body, "Fault");
  if (fault) throw faultError(fault, action);

  const response = childElement(body, `${action}Response`) ?? (hasOutArguments ? undefined : bareResponse(body, action));
  if (!response) {
    const found = body.children[0]?.name;
    throw new InvalidResponseError(
      `${action}: the reply holds no ${action}Response element${found ? ` (found ${found})` : ""}`,
    );
  }
  const values: Record<string, string> = {};
  for (const child of response.children) {
    // The first occurrence wins, as it would for a router reading our request. `hasOwn`, not `in`,
    // so `constructor` is not already there; defineProperty, not `=`, so `__proto__` is kept as an
    // argument instead of setting the prototype.
    if (Object.hasOwn(values, child.name)) continue;
    Object.defineProperty(values, child.name, { value: child.text.trim(), enumerable: true, writable: true, configurable: true });
  }
  return values;
}

/**
 * Some routers answer an action without out-arguments with `<u:AddPortMapping/>`, the action's
 * own name, instead of `<u:AddPortMappingResponse/>`. That is taken as success only when the
 * element is empty: our request's element has the same name and carries the in-arguments, so a
 * device or proxy that echoes the request back must not pass for one that carried it out. An
 * action with out-arguments always needs the real response element (issue 9).
 */
function bareResponse(body: XmlElement, action: string): XmlElement | undefined {
  const element = childElement(body, action);
  return element !== undefined && element.children.length === 0 ? element : undefined;
}

function findBody(root: XmlElement, action: string): XmlElement {
  const body = root.name.toLowerCase() === "body" ? root : descendants(root, "Body")[0];
  if (!body) throw new InvalidResponseError(`${action}: the reply is not a SOAP envelope (root element ${root.name})`);
  return body;
}

function faultError(fault: XmlElement, action: string): Error {
  // UDA 1.1 section 3.2.2 puts them in detail/UPnPError; searched at any depth because some
  // routers leave out the UPnPError wrapper.
  const codeText = descendants(fault, "errorCode")[0]?.text.trim();
  const description = descendants(fault, "errorDescription")[0]?.text.trim() ?? "";
  if (codeText !== undefined && /^\d{1,9}$/.test(codeText)) {
    const code = Number(codeText);
    return new UpnpActionError(action, code, description);
  }
  const faultCode = childText(fault, "faultcode") ?? "";
  const faultString = childText(fault, "faultstring") ?? "";
  return new InvalidResponseError(
    `${action}: SOAP fault without a UPnP error code` +
      (faultCode || faultString ? ` (${[faultCode, faultString].filter(Boolean).join(": ")})` : ""),
  );
}
