/**
 * The floor of `porthole ip --gateway URL` as a process: Node's own http client asking the same
 * three questions (the description, then GetStatusInfo and GetExternalIPAddress at once), with a
 * regular expression for all parsing, no checks and no command line. It prints the external
 * address. Usage: node bare-ip-process.js DESCRIPTION_URL
 */
import http from "node:http";

function request(url: URL, body?: string, soapAction?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const headers = soapAction === undefined ? {} : { "Content-Type": 'text/xml; charset="utf-8"', SOAPAction: soapAction };
    const outgoing = http.request(url, { method: body === undefined ? "GET" : "POST", headers }, (response) => {
      let text = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (text += chunk));
      response.on("end", () => resolve(text));
    });
    outgoing.on("error", reject);
    outgoing.end(body);
  });
}

const descriptionUrl = new URL(process.argv[2]!);
const description = await request(descriptionUrl);
const [, serviceType, controlPath] = /<serviceType>(urn:[^<]*:WANIPConnection:\d)<\/serviceType>[\s\S]*?<controlURL>([^<]*)<\/controlURL>/.exec(description)!;
const ask = (action: string): Promise<string> =>
  request(
    new URL(controlPath!, descriptionUrl),
    `<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" s:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"><s:Body><u:${action} xmlns:u="${serviceType}"></u:${action}></s:Body></s:Envelope>`,
    `"${serviceType}#${action}"`,
  );
const [, external] = await Promise.all([ask("GetStatusInfo"), ask("GetExternalIPAddress")]);
console.log(/<NewExternalIPAddress>([^<]*)/.exec(external)![1]);
