import { resultOf } from "../../src/compat/result-of.js";
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { UPNPResult } from "../../src/compat/result-codes.js";
import { InvalidResponseError, UpnpActionError } from "../../src/errors/errors.js";
import { parseSoapResponse } from "../../src/upnp/soap/soap-response.js";

function envelope(envelopePrefix: string, responsePrefix: string, inner: string): string {
  const e = envelopePrefix ? `${envelopePrefix}:` : "";
  const r = responsePrefix ? `${responsePrefix}:` : "";
  const eNs = envelopePrefix ? `xmlns:${envelopePrefix}` : "xmlns";
  const rNs = responsePrefix ? `xmlns:${responsePrefix}` : "xmlns";
  return (
    `<?xml version="1.0" encoding="utf-8"?><${e}Envelope ${eNs}="http://schemas.xmlsoap.org/soap/envelope/">` +
    `<${e}Body><${r}GetExternalIPAddressResponse ${rNs}="urn:schemas-upnp-org:service:WANIPConnection:1">` +
    `${inner}</${r}GetExternalIPAddressResponse></${e}Body></${e}Envelope>`
  );
}

describe("parseSoapResponse", () => {
  for (const [envelopePrefix, responsePrefix] of [
    ["s", "u"],
    ["SOAP-ENV", "m"],
    ["", ""],
    ["soap", ""],
    ["s", "ns0"],
  ] as const) {
    it(`reads the response with prefixes ${JSON.stringify(envelopePrefix)} / ${JSON.stringify(responsePrefix)}`, () => {
      const xml = envelope(envelopePrefix, responsePrefix, "<NewExternalIPAddress>198.51.100.7</NewExternalIPAddress>");
      assert.deepEqual(parseSoapResponse(xml, "GetExternalIPAddress"), { NewExternalIPAddress: "198.51.100.7" });
    });
  }

  it("trims whitespace and line breaks around values and between elements", () => {
    const xml = envelope(
      "s",
      "u",
      "\r\n   <NewExternalIPAddress>\r\n\t 198.51.100.7 \n</NewExternalIPAddress>\n  <Other>  x y  </Other>\n",
    );
    assert.deepEqual(parseSoapResponse(xml, "GetExternalIPAddress"), { NewExternalIPAddress: "198.51.100.7", Other: "x y" });
  });

  it("decodes entities and keeps CDATA text", () => {
    const xml = envelope("s", "u", "<A>Tom &amp; &lt;Jerry&gt; &#233;</A><B><![CDATA[<p:List>&amp;</p:List>]]></B>");
    assert.deepEqual(parseSoapResponse(xml, "GetExternalIPAddress"), { A: "Tom & <Jerry> é", B: "<p:List>&amp;</p:List>" });
  });

  it("keeps out-arguments named __proto__ and constructor, first occurrence winning", () => {
    const xml = envelope("s", "u", "<__proto__>a</__proto__><__proto__>b</__proto__><constructor>c</constructor>");
    const values = parseSoapResponse(xml, "GetExternalIPAddress");
    assert.deepEqual(Object.keys(values), ["__proto__", "constructor"]);
    assert.equal(Object.getOwnPropertyDescriptor(values, "__proto__")?.value, "a");
    assert.equal(values["constructor"], "c");
    assert.equal(Object.getPrototypeOf(values), Object.prototype);
  });

  it("returns an empty record for a response without out-arguments", () => {
    const xml = envelope("s", "u", "");
    assert.deepEqual(parseSoapResponse(xml, "GetExternalIPAddress"), {});
  });

  it("matches the response element case-insensitively", () => {
    const xml = envelope("s", "u", "<NewExternalIPAddress>1.2.3.4</NewExternalIPAddress>").replaceAll(
      "GetExternalIPAddressResponse",
      "GetExternalIpAddressResponse",
    );
    assert.equal(parseSoapResponse(xml, "GetExternalIPAddress").NewExternalIPAddress, "1.2.3.4");
  });

  it("refuses a reply without the action's response element", () => {
    const xml = envelope("s", "u", "").replaceAll("GetExternalIPAddressResponse", "AddPortMappingResponse");
    assert.throws(
      () => parseSoapResponse(xml, "GetExternalIPAddress"),
      (error: unknown) => error instanceof InvalidResponseError && /AddPortMapping/.test(error.message),
    );
  });

  for (const [label, text] of [
    ["empty text", ""],
    ["plain text", "OK"],
    ["an HTML page", "<html><body><h1>500 Internal Server Error</h1></body></html>"],
    ["an envelope without a body", '<s:Envelope xmlns:s="x"></s:Envelope>'],
  ] as const) {
    it(`refuses ${label} with InvalidResponseError`, () => {
      assert.throws(
        () => parseSoapResponse(text, "GetExternalIPAddress"),
        (error: unknown) => error instanceof InvalidResponseError && resultOf(error) === UPNPResult.INVALID_RESPONSE,
      );
    });
  }
});

function fault(code: string, description: string, prefix = "s"): string {
  return (
    `<?xml version="1.0"?><${prefix}:Envelope xmlns:${prefix}="http://schemas.xmlsoap.org/soap/envelope/"><${prefix}:Body>` +
    `<${prefix}:Fault><faultcode>${prefix}:Client</faultcode><faultstring>UPnPError</faultstring><detail>` +
    `<UPnPError xmlns="urn:schemas-upnp-org:control-1-0"><errorCode> ${code} </errorCode>` +
    `<errorDescription>${description}</errorDescription></UPnPError></detail></${prefix}:Fault></${prefix}:Body></${prefix}:Envelope>`
  );
}

describe("parseSoapResponse with a fault", () => {
  for (const [code, description, result] of [
    [718, "ConflictInMappingEntry", UPNPResult.CONFLICT_WITH_OTHER_MAPPING],
    [714, "NoSuchEntryInArray", UPNPResult.NO_SUCH_ENTRY_IN_ARRAY],
    [725, "OnlyPermanentLeasesSupported", UPNPResult.ONLY_PERMANENT_LEASE_SUPPORTED],
    [606, "Action not authorized", UPNPResult.NOT_AUTHORIZED],
    [501, "Action Failed", UPNPResult.ACTION_FAILED],
    [402, "Invalid Args", UPNPResult.INVALID_ARGS],
    [713, "SpecifiedArrayIndexInvalid", UPNPResult.UNKNOWN_ERROR],
    [899, "Vendor Specific", UPNPResult.UNKNOWN_ERROR],
  ] as const) {
    it(`throws UpnpActionError ${code} -> ${UPNPResult[result]}`, () => {
      assert.throws(
        () => parseSoapResponse(fault(String(code), description), "AddPortMapping"),
        (error: unknown) =>
          error instanceof UpnpActionError &&
          error.upnpCode === code &&
          resultOf(error) === result &&
          error.action === "AddPortMapping" &&
          error.upnpDescription === description,
      );
    });
  }

  it("reads a fault under the SOAP-ENV prefix, with entities in the description", () => {
    assert.throws(
      () => parseSoapResponse(fault("718", "Conflict &amp; more", "SOAP-ENV"), "AddPortMapping"),
      (error: unknown) => error instanceof UpnpActionError && error.upnpCode === 718 && error.upnpDescription === "Conflict & more",
    );
  });

  it("reads an errorCode placed straight under detail, without the UPnPError wrapper", () => {
    const xml =
      '<s:Envelope xmlns:s="x"><s:Body><s:Fault><faultcode>s:Client</faultcode><faultstring>UPnPError</faultstring>' +
      "<detail><errorCode>725</errorCode><errorDescription>Only permanent</errorDescription></detail></s:Fault></s:Body></s:Envelope>";
    assert.throws(
      () => parseSoapResponse(xml, "AddPortMapping"),
      (error: unknown) => error instanceof UpnpActionError && resultOf(error) === UPNPResult.ONLY_PERMANENT_LEASE_SUPPORTED,
    );
  });

  it("turns a fault without a UPnP error code into InvalidResponseError carrying the faultstring", () => {
    const xml =
      '<s:Envelope xmlns:s="x"><s:Body><s:Fault><faultcode>s:Server</faultcode>' +
      "<faultstring>Internal trouble</faultstring></s:Fault></s:Body></s:Envelope>";
    assert.throws(
      () => parseSoapResponse(xml, "AddPortMapping"),
      (error: unknown) => error instanceof InvalidResponseError && /s:Server: Internal trouble/.test(error.message),
    );
  });

  it("does not take a non-numeric errorCode as a UPnP code", () => {
    assert.throws(() => parseSoapResponse(fault("abc", "?"), "AddPortMapping"), InvalidResponseError);
  });
});

describe("parseSoapResponse with a response element that lacks the Response suffix", () => {
  const bare = (inner: string): string =>
    `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>${inner}</s:Body></s:Envelope>`;

  it("accepts an empty <u:{action}> for an action without out-arguments", () => {
    for (const element of [
      '<u:AddPortMapping xmlns:u="urn:schemas-upnp-org:service:WANIPConnection:1"/>',
      '<u:AddPortMapping xmlns:u="urn:schemas-upnp-org:service:WANIPConnection:1">\r\n</u:AddPortMapping>',
      "<addportmapping></addportmapping>",
    ]) {
      assert.deepEqual(parseSoapResponse(bare(element), "AddPortMapping", undefined, false), {}, element);
    }
  });

  it("refuses it for an action with out-arguments, the default", () => {
    const xml = bare("<u:GetExternalIPAddress><NewExternalIPAddress>198.51.100.7</NewExternalIPAddress></u:GetExternalIPAddress>");
    assert.throws(() => parseSoapResponse(xml, "GetExternalIPAddress"), (error: unknown) => error instanceof InvalidResponseError && /no GetExternalIPAddressResponse element \(found GetExternalIPAddress\)/.test(error.message));
    assert.throws(() => parseSoapResponse(bare("<u:AddPortMapping/>"), "AddPortMapping"), InvalidResponseError);
  });

  it("refuses one that carries elements: an echo of our own request is no answer", () => {
    const echo = bare("<u:AddPortMapping><NewRemoteHost></NewRemoteHost><NewExternalPort>80</NewExternalPort></u:AddPortMapping>");
    assert.throws(() => parseSoapResponse(echo, "AddPortMapping", undefined, false), InvalidResponseError);
  });

  it("refuses another action's name, and still reads a fault first", () => {
    assert.throws(() => parseSoapResponse(bare("<u:DeletePortMapping/>"), "AddPortMapping", undefined, false), InvalidResponseError);
    assert.throws(() => parseSoapResponse(fault("718", "ConflictInMappingEntry"), "AddPortMapping", undefined, false), UpnpActionError);
  });

  it("prefers the real response element when both are there", () => {
    const xml = bare("<u:AddPortMapping/><u:AddPortMappingResponse><X>1</X></u:AddPortMappingResponse>");
    assert.deepEqual(parseSoapResponse(xml, "AddPortMapping", undefined, false), { X: "1" });
  });
});

describe("parseSoapResponse: the record and the envelope", () => {
  it("returns plain properties, and reads a document whose root is the Body itself", () => {
    const values = parseSoapResponse("<s:Body><u:GetExternalIPAddressResponse><NewExternalIPAddress>1.2.3.4</NewExternalIPAddress></u:GetExternalIPAddressResponse></s:Body>", "GetExternalIPAddress");
    assert.deepEqual(Object.getOwnPropertyDescriptor(values, "NewExternalIPAddress"), { value: "1.2.3.4", writable: true, enumerable: true, configurable: true });
  });

  it("names a bare fault's faultstring even without a faultcode, and says nothing when it has neither", () => {
    const bareFault = (inner: string) => `<s:Envelope xmlns:s="x"><s:Body><s:Fault>${inner}</s:Fault></s:Body></s:Envelope>`;
    assert.throws(() => parseSoapResponse(bareFault("<faultstring>Internal trouble</faultstring>"), "AddPortMapping"), (error: unknown) => error instanceof InvalidResponseError && error.message.endsWith("without a UPnP error code (Internal trouble)"));
    assert.throws(() => parseSoapResponse(bareFault("<faultcode>s:Server</faultcode>"), "AddPortMapping"), (error: unknown) => error instanceof InvalidResponseError && error.message.endsWith("without a UPnP error code (s:Server)"));
    assert.throws(() => parseSoapResponse(bareFault(""), "AddPortMapping"), (error: unknown) => error instanceof InvalidResponseError && error.message.endsWith("without a UPnP error code"));
  });
});
