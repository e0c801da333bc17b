// A Cloudflare Worker that talks raw TCP with connect(), run unchanged on Node, Deno and Bun.
// The `worker` object below is Workers code as written for `cloudflare:sockets`; only the
// import line differs. It forwards the incoming request to a line-based TCP service
// ("HELLO <name>\r\n" -> "hi, <name>\r\n") and streams the socket's bytes back as the response.
//
//   node examples/workers_tcp.mjs 127.0.0.1:7000    ask the service at 127.0.0.1:7000
//   node examples/workers_tcp.mjs --smoke          start a local service with listen(), ask it once
import { connect } from "@omninet/net/sockets"; // on Workers: import { connect } from "cloudflare:sockets";
import { listen } from "@omninet/net/sockets"; // omninet only: the server side the draft lacks
import process from "node:process";

const worker = {
  async fetch(request, env) {
    const name = new URL(request.url).searchParams.get("name") ?? "stranger";
    const socket = connect(env.SERVICE, { allowHalfOpen: false });
    const writer = socket.writable.getWriter();
    await writer.write(new TextEncoder().encode(`HELLO ${name}\r\n`));
    writer.releaseLock();
    // The service answers and closes; the socket's readable becomes the response body.
    return new Response(socket.readable, { headers: { "content-type": "text/plain" } });
  },
};

async function ask(service, name) {
  const response = await worker.fetch(new Request(`http://worker/?name=${name}`), {
    SERVICE: service,
  });
  return (await response.text()).trim();
}

// A line-based service for the smoke run, with the same web-streams API on the server side.
async function serveHello(server) {
  for await (const socket of server) {
    (async () => {
      const reader = socket.readable.getReader();
      let line = "";
      while (!line.includes("\r\n")) {
        const { value, done } = await reader.read();
        if (done) break;
        line += new TextDecoder().decode(value);
      }
      const writer = socket.writable.getWriter();
      await writer.write(new TextEncoder().encode(`hi, ${line.slice(6).trim()}\r\n`));
      await socket.close();
    })().catch((err) => console.error(`service: ${err.message}`));
  }
}

if (process.argv.includes("--smoke")) {
  const server = await listen({ hostname: "127.0.0.1", port: 0 });
  const serving = serveHello(server);
  const answer = await ask(`127.0.0.1:${server.addr.port}`, "worker");
  console.log(`the worker got: ${answer}`);
  await server.close();
  await serving;
  console.log(answer === "hi, worker" ? "ok" : "MISMATCH");
  process.exitCode = answer === "hi, worker" ? 0 : 1;
} else {
  const [service = "127.0.0.1:7000", name = "you"] = process.argv.slice(2);
  console.log(await ask(service, name));
}
