import { resultOf } from "../../src/compat/result-of.js";
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { UPNPResult } from "../../src/compat/result-codes.js";
import { InvalidArgumentError } from "../../src/errors/errors.js";
import { buildSoapEnvelope, soapActionHeader } from "../../src/upnp/soap/soap-envelope.js";

const wanIp1 = "urn:schemas-upnp-org:service:WANIPConnection:1";

function addPortMappingArgs(description: string) {
  return [
    ["NewRemoteHost", ""],
    ["NewExternalPort", "8080"],
    ["NewProtocol", "TCP"],
    ["NewInternalPort", "80"],
    ["NewInternalClient", "192.0.2.10"],
    ["NewEnabled", "1"],
    ["NewPortMappingDescription", description],
    ["NewLeaseDuration", "3600"],
  ] as const;
}

describe("buildSoapEnvelope", () => {
  it("writes AddPortMapping exactly, with the empty remote host as an element (nat-puncher#5)", () => {
    assert.equal(
      buildSoapEnvelope(wanIp1, "AddPortMapping", addPortMappingArgs("web")),
      '<?xml version="1.0" encoding="utf-8"?>\n' +
        '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" s:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/">' +
        '<s:Body><u:AddPortMapping xmlns:u="urn:schemas-upnp-org:service:WANIPConnection:1">' +
        "<NewRemoteHost></NewRemoteHost><NewExternalPort>8080</NewExternalPort><NewProtocol>TCP</NewProtocol>" +
        "<NewInternalPort>80</NewInternalPort><NewInternalClient>192.0.2.10</NewInternalClient><NewEnabled>1</NewEnabled>" +
        "<NewPortMappingDescription>web</NewPortMappingDescription><NewLeaseDuration>3600</NewLeaseDuration>" +
        "</u:AddPortMapping></s:Body></s:Envelope>\n",
    );
  });

  it("writes an action without arguments as an empty action element", () => {
    const envelope = buildSoapEnvelope(wanIp1, "GetExternalIPAddress", []);
    assert.match(envelope, /<s:Body><u:GetExternalIPAddress xmlns:u="[^"]+"><\/u:GetExternalIPAddress><\/s:Body>/);
  });

  it("keeps the arguments in the order given (rust-igd#48)", () => {
    const envelope = buildSoapEnvelope(wanIp1, "X", [["B", "2"], ["A", "1"], ["C", "3"]]);
    assert.ok(envelope.includes("<B>2</B><A>1</A><C>3</C>"));
  });

  it("keeps a non-ASCII description as text", () => {
    const envelope = buildSoapEnvelope(wanIp1, "AddPortMapping", addPortMappingArgs("Jeu vidéo 🎮 ゲーム"));
    assert.ok(envelope.includes("<NewPortMappingDescription>Jeu vidéo 🎮 ゲーム</NewPortMappingDescription>"));
  });

  it("escapes a description that tries to close its element and inject arguments", () => {
    const hostile = "x</NewPortMappingDescription><NewLeaseDuration>0</NewLeaseDuration><y>";
    const envelope = buildSoapEnvelope(wanIp1, "AddPortMapping", addPortMappingArgs(hostile));
    assert.ok(
      envelope.includes(
        "<NewPortMappingDescription>x&lt;/NewPortMappingDescription&gt;&lt;NewLeaseDuration&gt;0" +
          "&lt;/NewLeaseDuration&gt;&lt;y&gt;</NewPortMappingDescription>",
      ),
    );
    assert.equal(envelope.split("<NewLeaseDuration>").length, 2, "only the real lease element");
  });

  it("escapes & but leaves quotes alone (goupnp: some routers fail on &quot;)", () => {
    const envelope = buildSoapEnvelope(wanIp1, "AddPortMapping", addPortMappingArgs(`Tom & "Jerry's"`));
    assert.ok(envelope.includes(`<NewPortMappingDescription>Tom &amp; "Jerry's"</NewPortMappingDescription>`));
  });

  for (const [label, value] of [
    ["NUL", "a\u0000b"],
    ["a C0 control", "bell\u0007"],
    ["a lone surrogate", "x\uD800y"],
    ["U+FFFE", "\uFFFE"],
  ] as const) {
    it(`refuses a value holding ${label}`, () => {
      assert.throws(
        () => buildSoapEnvelope(wanIp1, "AddPortMapping", addPortMappingArgs(value)),
        (error: unknown) => error instanceof InvalidArgumentError && resultOf(error) === UPNPResult.INVALID_ARGS,
      );
    });
  }

  it("accepts tab, newline and astral characters", () => {
    const envelope = buildSoapEnvelope(wanIp1, "A", [["V", "a\tb\nc 𝄞"]]);
    assert.ok(envelope.includes("<V>a\tb\nc 𝄞</V>"));
  });

  it("refuses names that are not XML names and a service type that would break the markup", () => {
    assert.throws(() => buildSoapEnvelope(wanIp1, "Add Port", []), InvalidArgumentError);
    assert.throws(() => buildSoapEnvelope(wanIp1, "A", [["New<x>", "1"]]), InvalidArgumentError);
    assert.throws(() => buildSoapEnvelope('urn:x" onload="', "A", []), InvalidArgumentError);
  });
});

describe("soapActionHeader", () => {
  it("is the service type and action joined by # inside double quotes", () => {
    assert.equal(soapActionHeader(wanIp1, "AddPortMapping"), '"urn:schemas-upnp-org:service:WANIPConnection:1#AddPortMapping"');
  });
});
