// An echo server: every byte a client sends comes back to it.
//
//   node examples/echo_server.mjs [port]      (default 7000; also deno run -A / bun)
//   node examples/echo_server.mjs --smoke     one round trip on a free port, then exit
import net from "@omninet/net";
import process from "node:process";

const smoke = process.argv.includes("--smoke");
const port = smoke ? 0 : Number(process.argv[2] ?? 7000);

const server = net.createServer((socket) => {
  // pipe() respects backpressure and ends our side when the client ends.
  socket.pipe(socket);
  socket.on("error", (err) => console.error("client error:", err.message));
});

server.listen(port, "127.0.0.1", () => {
  const { address, port } = server.address();
  console.log(`echo server on ${address}:${port}`);
  if (smoke) roundTrip(port);
});

function roundTrip(port) {
  const client = net.connect(port, "127.0.0.1", () => client.end("hello, echo"));
  let reply = "";
  client.setEncoding("utf8");
  client.on("data", (chunk) => (reply += chunk));
  client.on("close", () => {
    console.log(`client got back: ${reply}`);
    server.close(() => {
      console.log(reply === "hello, echo" ? "ok" : "MISMATCH");
      process.exitCode = reply === "hello, echo" ? 0 : 1;
    });
  });
}
