// A server that limits who may connect (blockList) and how many at once
// (maxConnections). Connections over the limit are closed at once and
// reported through the server's 'drop' event; blocked ones are closed at
// once without an event. The BlockList stays live: rules added later apply
// to the next connection.
//
//   node examples/guarded_server.mjs [port] [cidr...]   (default 7002; blocks the given
//                                                        ranges, 2 clients at a time)
//   node examples/guarded_server.mjs --smoke   a dropped third client, then a blocked one
import net from "@omninet/net";
import process from "node:process";

const smoke = process.argv.includes("--smoke");
const [portArg = "7002", ...cidrs] = smoke ? ["0"] : process.argv.slice(2);

const blockList = new net.BlockList();
for (const cidr of cidrs) {
  const [address, prefix] = cidr.split("/");
  blockList.addSubnet(address, Number(prefix ?? 32), net.isIPv6(address) ? "ipv6" : "ipv4");
}

let hold = smoke; // smoke mode: keep connections open to reach the limit
const held = [];
const server = net.createServer({ blockList }, (socket) => {
  if (hold) held.push(socket);
  else socket.end(`hello ${socket.remoteAddress}\n`);
});
server.maxConnections = 2;
server.on("drop", (info) => console.log(`dropped ${info.remoteAddress}:${info.remotePort}`));

server.listen(Number(portArg), "127.0.0.1", () => {
  const { port } = server.address();
  console.log(`guarded server on 127.0.0.1:${port}, blocking ${blockList.rules.length} rule(s)`);
  if (smoke) scenario(port);
});

/** Connects once; resolves with what the server said ("" when refused). */
function visit(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    let text = "";
    socket.setEncoding("utf8");
    socket.on("data", (d) => (text += d));
    socket.on("error", () => {/* a refused connection may be reset */});
    socket.on("close", () => resolve(text));
  });
}

const closed = (socket) => new Promise((resolve) => socket.once("close", resolve));
const tick = () => new Promise((resolve) => setTimeout(resolve, 10));

async function scenario(port) {
  // Two clients hold their connections open; a third is over the limit.
  const clients = [net.connect(port, "127.0.0.1"), net.connect(port, "127.0.0.1")];
  for (let i = 0; i < 500 && held.length < 2; i++) await tick();
  const third = await visit(port);
  console.log(`third client while two are open: ${third === "" ? "refused" : "served"}`);
  const allClosed = Promise.all([...clients, ...held].map(closed));
  for (const socket of [...clients, ...held]) socket.destroy();
  await allClosed;

  // Block loopback: the next client is refused by the blockList.
  hold = false;
  blockList.addSubnet("127.0.0.0", 8, "ipv4");
  const blocked = await visit(port);
  console.log(`after blocking 127.0.0.0/8: ${blocked === "" ? "refused" : "served"}`);
  server.close(() => {
    const ok = third === "" && blocked === "";
    console.log(ok ? "ok" : "UNEXPECTED");
    process.exitCode = ok ? 0 : 1;
  });
}
