import assert from "node:assert/strict";
import { test } from "node:test";
import { InvalidResponseError } from "../../src/errors/errors.js";
import { childElement, childText, descendants, escapeXmlText, parseXml } from "../../src/xml/parse-xml.js";

const nested = (depth: number): string => "<e>".repeat(depth) + "x" + "</e>".repeat(depth);
const flat = (elements: number): string => `<root>${"<e/>".repeat(elements - 1)}</root>`;

test("character references: U+0000 and past U+10FFFF stay literal text, the rest is decoded", () => {
  // XML 1.0 §4.1: a character reference must match Char, which excludes #x0.
  assert.equal(parseXml("<a>&#0;|&#x0;|&#x00;</a>").text, "&#0;|&#x0;|&#x00;");
  assert.equal(parseXml("<a>&#x110000;|&#1114112;</a>").text, "&#x110000;|&#1114112;");
  assert.equal(parseXml("<a>&#1;|&#x10FFFF;|&#1114111;|&#X41;</a>").text, "\u0001|\u{10FFFF}|\u{10FFFF}|&#X41;");
  assert.equal(parseXml("<a>&#65;&#x42;&#x0043;</a>").text, "ABC");
});

test("the five predefined entities are decoded in text and attributes, others are left alone", () => {
  const element = parseXml(`<a title="&lt;&quot;&apos;&gt;&amp;">&lt;&gt;&amp;&quot;&apos;&nbsp;&lol9;&amp</a>`);
  assert.equal(element.text, `<>&"'&nbsp;&lol9;&amp`);
  assert.equal(element.attributes["title"], `<"'>&`);
  assert.equal(parseXml("<a>no entity here</a>").text, "no entity here");
});

test("escapeXmlText escapes &, < and > only", () => {
  assert.equal(escapeXmlText(`a&b<c>d"e'f`), `a&amp;b&lt;c&gt;d"e'f`);
});

test("nesting: maxDepth levels are accepted, one more is refused", () => {
  assert.equal(descendants(parseXml(nested(64)), "e").length, 63);
  assert.throws(() => parseXml(nested(65)), (error: unknown) => error instanceof InvalidResponseError && /deeper than 64/.test(error.message));
  assert.doesNotThrow(() => parseXml(nested(3), { maxDepth: 3 }));
  assert.throws(() => parseXml(nested(4), { maxDepth: 3 }), InvalidResponseError);
  // A self-closing element opens no level.
  assert.doesNotThrow(() => parseXml("<e><e><e/></e></e>", { maxDepth: 2 }));
});

test("element count: maxElements are accepted, one more is refused", () => {
  assert.equal(parseXml(flat(20000)).children.length, 19999);
  assert.throws(() => parseXml(flat(20001)), (error: unknown) => error instanceof InvalidResponseError && /more than 20000 elements/.test(error.message));
  assert.doesNotThrow(() => parseXml(flat(5), { maxElements: 5 }));
  assert.throws(() => parseXml(flat(6), { maxElements: 5 }), InvalidResponseError);
});

test("close tags match open ones whatever their case or prefix", () => {
  const root = parseXml("<Root><Child>x</child><Other/><p:Item>y</P:ITEM><Last/></Root>");
  assert.deepEqual(root.children.map((child) => child.name), ["Child", "Other", "Item", "Last"]);
  assert.equal(root.children[0]!.text, "x");
  assert.deepEqual(root.children[0]!.children, []);
});

test("a close tag without an open element is ignored; an unclosed tag nests what follows", () => {
  const root = parseXml("<root><a>1</b></a><c>2</root>");
  assert.deepEqual(root.children.map((child) => child.name), ["a", "c"]);
  assert.equal(root.children[0]!.text, "1");
  // Closing </root> closes the unclosed <c> with it.
  assert.equal(parseXml("<root><c>2</root><after/>").children.length, 1);
});

test("prefixes are dropped from names; a name that is only a prefix is kept whole", () => {
  assert.equal(parseXml("<s:Envelope/>").name, "Envelope");
  assert.equal(parseXml("<p:>x</p:>").name, "p:");
  assert.equal(parseXml("<http://x>y</http://x>").name, "http:");
  assert.equal(parseXml("<plain/>").name, "plain");
});

test("comments, processing instructions, CDATA and DOCTYPE are handled; CDATA is not decoded", () => {
  const root = parseXml(
    `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x "y">]><!-- c --><r>a<!-- <b/> -->b<![CDATA[<c>&amp;]]>d<?pi x?>e</r>`,
  );
  assert.equal(root.name, "r");
  assert.equal(root.text, "ab<c>&amp;de");
  assert.deepEqual(root.children, []);
  // Unterminated constructs run to the end of the document.
  assert.equal(parseXml("<r>a<![CDATA[b").text, "ab");
  assert.equal(parseXml("<r>a<!-- b").text, "a");
  assert.equal(parseXml("<r>a<?pi").text, "a");
  assert.equal(parseXml("<r>a</r><!DOCTYPE x [ > ]").text, "a");
});

test("text between the root's children belongs to the root; text outside the root is dropped", () => {
  const root = parseXml("before<r>one<c/>two</r>after");
  assert.equal(root.text, "onetwo");
});

test("attributes: both quotes, spaces around =, names without values skipped, unclosed quote ends the list", () => {
  const element = parseXml(`<a one="1" two = '2' flag three="3" four='unclosed>x</a>`);
  assert.deepEqual({ ...element.attributes }, { one: "1", two: "2", three: "3" });
  const bare = parseXml(`<a x=1 y="2"/>`);
  assert.deepEqual({ ...bare.attributes }, { y: "2" });
  const selfClosing = parseXml(`<a k="v"/>`);
  assert.deepEqual({ ...selfClosing.attributes }, { k: "v" });
  assert.equal(Object.getPrototypeOf(parseXml(`<a __proto__="p"/>`).attributes), Object.prototype);
});

test("a tag that is not an element name is kept as text; no element at all is an InvalidResponseError", () => {
  assert.equal(parseXml("<r>a < b <>c</r>").text, "a < b <>c");
  assert.throws(() => parseXml("just text"), InvalidResponseError);
  assert.throws(() => parseXml(""), InvalidResponseError);
  assert.throws(() => parseXml("<!-- only a comment -->"), InvalidResponseError);
  assert.throws(() => parseXml("<unterminated"), InvalidResponseError);
});

test("childElement, childText and descendants match names case-insensitively", () => {
  const root = parseXml("<r><Name> v </Name><name>second</name><x><NAME>deep</NAME></x></r>");
  assert.equal(childElement(root, "NAME")?.text, " v ");
  assert.equal(childText(root, "name"), "v");
  assert.equal(childText(root, "missing"), undefined);
  assert.deepEqual(descendants(root, "Name").map((element) => element.text), [" v ", "second", "deep"]);
});

test("attributes: any XML white space around =, no attribute without a name, values that look like attributes stay values", () => {
  const spaced = parseXml(`<a one\t=\r\n'1' two\n=\t"2" three\r="3"/>`);
  assert.deepEqual({ ...spaced.attributes }, { one: "1", two: "2", three: "3" });
  assert.deepEqual({ ...parseXml(`<a ="x" b="y"/>`).attributes }, { b: "y" });
  assert.deepEqual({ ...parseXml(`<a k="n='m'" j='p="q"'/>`).attributes }, { k: "n='m'", j: 'p="q"' });
  // Plain properties, as any record a caller may copy or change.
  assert.deepEqual(Object.getOwnPropertyDescriptor(parseXml(`<a k="v"/>`).attributes, "k"), { value: "v", writable: true, enumerable: true, configurable: true });
});

test("text after the last tag of an unclosed document belongs to the open element, decoded", () => {
  assert.equal(parseXml("<r>a&amp;b").text, "a&b");
  assert.equal(parseXml("<r>one<c/>two &lt;").text, "onetwo <");
});

test("a tag that is no element is kept as decoded text", () => {
  assert.equal(parseXml("<r>x < y &amp; z >w</r>").text, "x < y & z >w");
});

test("a DOCTYPE's internal subset may hold '>' anywhere: the declaration ends at the '>' after its ']'", () => {
  assert.equal(parseXml("<!DOCTYPE x [ <!-- > --> <fake/> ]><r/>").name, "r");
  assert.equal(parseXml("<!DOCTYPE x [ <!ENTITY a '>'> ] ><r/>").name, "r");
  assert.equal(parseXml("<!DOCTYPE x><r/>").name, "r");
});
