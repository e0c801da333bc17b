// A line-based chat: each line a client sends goes to every other client.
// The first line a client sends is its name.
//
//   node examples/chat.mjs [port]      (default 7001), then: omninet connect 7001
//   node examples/chat.mjs --smoke     two clients talk once, then exit
import net from "@omninet/net";
import process from "node:process";

const smoke = process.argv.includes("--smoke");
const members = new Map(); // socket -> name

const server = net.createServer((socket) => {
  socket.setEncoding("utf8");
  socket.write("your name? ");
  let pending = "";
  socket.on("data", (chunk) => {
    pending += chunk;
    let nl;
    while ((nl = pending.indexOf("\n")) !== -1) {
      onLine(socket, pending.slice(0, nl).replace(/\r$/, ""));
      pending = pending.slice(nl + 1);
    }
  });
  socket.on("close", () => {
    const name = members.get(socket);
    members.delete(socket);
    if (name) broadcast(null, `* ${name} left\n`);
  });
  socket.on("error", () => {/* 'close' follows and announces the leave */});
});

function onLine(socket, line) {
  if (!members.has(socket)) {
    members.set(socket, line || "anonymous");
    broadcast(socket, `* ${members.get(socket)} joined\n`);
    socket.write(`welcome, ${members.get(socket)} (${members.size} here)\n`);
  } else if (line) {
    broadcast(socket, `${members.get(socket)}: ${line}\n`);
  }
}

function broadcast(from, text) {
  for (const peer of members.keys()) if (peer !== from) peer.write(text);
}

server.listen(smoke ? 0 : Number(process.argv[2] ?? 7001), "127.0.0.1", () => {
  const { port } = server.address();
  console.log(`chat on 127.0.0.1:${port}`);
  if (smoke) conversation(port);
});

// Smoke mode: alice joins, then bob joins and says hi; alice must see it.
function conversation(port) {
  const alice = net.connect(port, "127.0.0.1", () => alice.write("alice\n"));
  const bob = net.connect(port, "127.0.0.1");
  bob.resume(); // bob only talks
  alice.setEncoding("utf8");
  let seen = "";
  let bobSpoke = false;
  alice.on("data", (chunk) => {
    seen += chunk;
    if (seen.includes("welcome, alice") && !bobSpoke) {
      bobSpoke = true;
      bob.write("bob\nhi alice\n");
    }
    if (seen.includes("bob: hi alice\n")) {
      console.log("alice saw: bob: hi alice");
      alice.end();
      bob.end();
    }
  });
  let open = 2;
  const closed = () => {
    if (--open === 0) server.close(() => console.log(seen.includes("bob: hi") ? "ok" : "MISSING"));
  };
  alice.on("close", closed);
  bob.on("close", closed);
}
