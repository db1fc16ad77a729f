import { InvalidResponseError } from "../errors/errors.js";

/**
 * An element of a parsed document. Names are local names: namespace prefixes (`s:`, `SOAP-ENV:`,
 * `u:`, `m:`) are dropped because routers use all of them for the same thing.
 */
export interface XmlElement {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: XmlElement[];
  /** The element's own text (CDATA included), entities decoded, not trimmed. */
  text: string;
}

export interface XmlLimits {
  /** Deepest nesting accepted. @default 64 */
  maxDepth?: number;
  /** Most elements accepted in one document. @default 20000 */
  maxElements?: number;
}

const predefinedEntities: Readonly<Record<string, string>> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

/**
 * Decodes the five predefined entities and character references. Anything else is left as it
 * stands: no DTD is ever read, so no entity can expand (no "billion laughs").
 */
function decodeEntities(text: string): string {
  if (!text.includes("&")) return text;
  return text.replace(/&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|[a-zA-Z]+);/g, (whole, ref: string) => {
    if (ref.startsWith("#")) {
      const code = ref[1] === "x" ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return predefinedEntities[ref] ?? whole;
  });
}

/** Escapes text for an XML element. Only `&`, `<` and `>`: some routers fail on `&quot;` (goupnp). */
export function escapeXmlText(text: string): string {
  return text.replace(/[&<>]/g, (c) => (c === "&" ? "&amp;" : c === "<" ? "&lt;" : "&gt;"));
}

function localName(qualified: string): string {
  const colon = qualified.indexOf(":");
  // `<http://x>` or `<p:>` has nothing after the colon: keep the whole name rather than none.
  return colon === -1 || colon === qualified.length - 1 ? qualified : qualified.slice(colon + 1);
}

const attributeNameEnd = /[\s=/>]/;
const isSpace = (c: string | undefined): boolean => c === " " || c === "\t" || c === "\n" || c === "\r";

/**
 * Reads `name="value"` and `name='value'` pairs; anything else in the tag is skipped. A hand-written
 * scan rather than a global regex: a regex retried at every offset of one long attribute name is
 * quadratic, and a 1 MB tag kept the event loop busy for minutes (found by the hardening tests).
 */
function parseAttributes(source: string): Record<string, string> {
  const attributes: Record<string, string> = {};
  let i = 0;
  while (i < source.length) {
    const nameStart = i;
    while (i < source.length && !attributeNameEnd.test(source[i]!)) i++;
    const name = source.slice(nameStart, i);
    if (name === "") {
      i++;
      continue;
    }
    while (isSpace(source[i])) i++;
    if (source[i] !== "=") continue;
    i++;
    while (isSpace(source[i])) i++;
    const quote = source[i];
    if (quote !== '"' && quote !== "'") continue;
    const end = source.indexOf(quote, i + 1);
    if (end === -1) break;
    // An own property even for `__proto__`, so that no attribute name can reach the prototype.
    Object.defineProperty(attributes, name, { value: decodeEntities(source.slice(i + 1, end)), enumerable: true, writable: true, configurable: true });
    i = end + 1;
  }
  return attributes;
}

/**
 * A forgiving parser for the small documents UPnP devices send. It accepts what real routers get
 * wrong (unclosed or mismatched tags, junk after the root, stray `&`) and refuses only what is not
 * XML at all. DOCTYPE declarations are skipped unread.
 */
export function parseXml(source: string, limits: XmlLimits = {}): XmlElement {
  const maxDepth = limits.maxDepth ?? 64;
  const maxElements = limits.maxElements ?? 20000;
  const root: XmlElement = { name: "#document", attributes: {}, children: [], text: "" };
  const stack: XmlElement[] = [root];
  let elementCount = 0;
  let position = 0;

  const appendText = (raw: string, decode: boolean): void => {
    const top = stack[stack.length - 1]!;
    if (top !== root) top.text += decode ? decodeEntities(raw) : raw;
  };

  while (position < source.length) {
    const open = source.indexOf("<", position);
    if (open === -1) {
      appendText(source.slice(position), true);
      break;
    }
    if (open > position) appendText(source.slice(position, open), true);

    if (source.startsWith("<!--", open)) {
      const end = source.indexOf("-->", open + 4);
      position = end === -1 ? source.length : end + 3;
    } else if (source.startsWith("<![CDATA[", open)) {
      const end = source.indexOf("]]>", open + 9);
      appendText(source.slice(open + 9, end === -1 ? source.length : end), false);
      position = end === -1 ? source.length : end + 3;
    } else if (source.startsWith("<?", open)) {
      const end = source.indexOf("?>", open + 2);
      position = end === -1 ? source.length : end + 2;
    } else if (source.startsWith("<!", open)) {
      position = skipDeclaration(source, open);
    } else {
      const end = source.indexOf(">", open + 1);
      if (end === -1) break;
      const tag = source.slice(open + 1, end);
      position = end + 1;
      if (tag.startsWith("/")) {
        const name = localName(tag.slice(1).trim());
        const index = findOpenElement(stack, name);
        if (index > 0) stack.length = index;
        continue;
      }
      const nameMatch = /^[^\s/>]+/.exec(tag);
      if (!nameMatch) {
        appendText(`<${tag}>`, true);
        continue;
      }
      if (++elementCount > maxElements) {
        throw new InvalidResponseError(`XML document has more than ${maxElements} elements`);
      }
      const selfClosing = tag.endsWith("/");
      const element: XmlElement = {
        name: localName(nameMatch[0]),
        attributes: parseAttributes(tag.slice(nameMatch[0].length, selfClosing ? -1 : undefined)),
        children: [],
        text: "",
      };
      stack[stack.length - 1]!.children.push(element);
      if (!selfClosing) {
        if (stack.length > maxDepth) throw new InvalidResponseError(`XML nesting is deeper than ${maxDepth}`);
        stack.push(element);
      }
    }
  }

  const documentElement = root.children[0];
  if (!documentElement) throw new InvalidResponseError("no XML element found");
  return documentElement;
}

/** Skips `<!DOCTYPE ...>` including an internal subset in brackets. */
function skipDeclaration(source: string, open: number): number {
  let depth = 0;
  for (let i = open + 2; i < source.length; i++) {
    const c = source[i];
    if (c === "[") depth++;
    else if (c === "]") depth--;
    else if (c === ">" && depth <= 0) return i + 1;
  }
  return source.length;
}

function findOpenElement(stack: XmlElement[], name: string): number {
  for (let i = stack.length - 1; i > 0; i--) {
    if (stack[i]!.name.toLowerCase() === name.toLowerCase()) return i;
  }
  return -1;
}

/** First direct child with this local name (case-insensitive: some routers capitalise freely). */
export function childElement(parent: XmlElement, name: string): XmlElement | undefined {
  const wanted = name.toLowerCase();
  return parent.children.find((child) => child.name.toLowerCase() === wanted);
}

/** Trimmed text of the first direct child with this name, or undefined when there is none. */
export function childText(parent: XmlElement, name: string): string | undefined {
  return childElement(parent, name)?.text.trim();
}

/** Every element with this local name below `parent`, in document order. */
export function descendants(parent: XmlElement, name: string): XmlElement[] {
  const wanted = name.toLowerCase();
  const found: XmlElement[] = [];
  const visit = (element: XmlElement): void => {
    for (const child of element.children) {
      if (child.name.toLowerCase() === wanted) found.push(child);
      visit(child);
    }
  };
  visit(parent);
  return found;
}
