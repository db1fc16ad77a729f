/**
 * The floor of `porthole ip --gateway URL` as a process: the least a Node script can do to ask the
 * same three questions (the description, then GetStatusInfo and GetExternalIPAddress at once).
 * A CommonJS file, as the CLI is, so no ES module loader starts; node:net with HTTP/1.1 written by
 * hand, as porthole's own client is (node:http loads more of Node); a regular expression for all
 * parsing, no checks and no command line. It prints the external address.
 * Usage: node bare-ip-process.cjs DESCRIPTION_URL
 */
import net from "node:net";

/** One request on its own connection; the reply is read to the end (Connection: close). */
function request(url: URL, body?: string, soapAction?: string): Promise<string> {
  const head = [
    `${body === undefined ? "GET" : "POST"} ${url.pathname}${url.search} HTTP/1.1`,
    `Host: ${url.host}`,
    "Connection: close",
    ...(body === undefined ? [] : ['Content-Type: text/xml; charset="utf-8"', `SOAPAction: ${soapAction}`, `Content-Length: ${Buffer.byteLength(body)}`]),
  ].join("\r\n");
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(url.port || 80), url.hostname);
    let text = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => (text += chunk));
    socket.on("end", () => resolve(text.slice(text.indexOf("\r\n\r\n") + 4)));
    socket.on("error", reject);
    socket.end(`${head}\r\n\r\n${body ?? ""}`);
  });
}

async function main(): Promise<void> {
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
}

void main();
