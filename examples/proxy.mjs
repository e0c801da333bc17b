// A TCP proxy: each client connection is forwarded to an upstream server.
// pipe() in both directions carries backpressure: a slow reader on one side
// pauses the writer on the other instead of buffering without bound.
//
//   node examples/proxy.mjs 8000 example.com:80     listen on 8000, forward to example.com
//   node examples/proxy.mjs --smoke    4 MiB through the proxy to an echo server and back
import net from "@omninet/net";
import { Buffer } from "node:buffer";
import process from "node:process";

function createProxy(upstreamPort, upstreamHost) {
  // allowHalfOpen on both sides: when one peer finishes sending, pipe() passes
  // the FIN on and the replies still in flight keep flowing the other way.
  return net.createServer({ allowHalfOpen: true }, (client) => {
    const upstream = net.connect({ port: upstreamPort, host: upstreamHost, allowHalfOpen: true });
    client.pipe(upstream).pipe(client);
    // pipe() does not forward errors: tear both sides down when either fails.
    const teardown = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on("error", teardown);
    upstream.on("error", (err) => {
      console.error(`upstream: ${err.message}`);
      teardown();
    });
  });
}

if (process.argv.includes("--smoke")) {
  smoke();
} else {
  const [listenPort = "8000", target = "127.0.0.1:7000"] = process.argv.slice(2);
  const colon = target.lastIndexOf(":");
  const proxy = createProxy(Number(target.slice(colon + 1)), target.slice(0, colon));
  proxy.listen(Number(listenPort), () => console.log(`proxy :${listenPort} -> ${target}`));
}

function smoke() {
  const echo = net.createServer((s) => s.pipe(s)).listen(0, "127.0.0.1", () => {
    const proxy = createProxy(echo.address().port, "127.0.0.1");
    proxy.listen(0, "127.0.0.1", () => {
      const payload = Buffer.alloc(4 * 1024 * 1024);
      for (let i = 0; i < payload.length; i++) payload[i] = (i * 31) & 0xff;
      const chunks = [];
      const client = net.connect(proxy.address().port, "127.0.0.1", () => client.end(payload));
      client.on("data", (chunk) => chunks.push(chunk));
      client.on("close", () => {
        const back = Buffer.concat(chunks);
        const same = back.equals(payload);
        console.log(`sent ${payload.length} bytes through the proxy, got ${back.length} back`);
        proxy.close(() => echo.close(() => console.log(same ? "ok" : "MISMATCH")));
        process.exitCode = same ? 0 : 1;
      });
    });
  });
}
