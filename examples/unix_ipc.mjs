// IPC between two processes over a Unix domain socket, one JSON message per line.
//
//   node examples/unix_ipc.mjs server /tmp/calc.sock     (also deno run -A / bun)
//   node examples/unix_ipc.mjs client /tmp/calc.sock 2 3
//   node examples/unix_ipc.mjs --smoke    starts the server, runs the client as a
//                                         second process of the same runtime, exits
import net from "@omninet/net";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

/** Reads newline-delimited JSON from a socket. */
function onMessages(socket, handler) {
  let buffered = "";
  socket.setEncoding("utf8");
  socket.on("data", (chunk) => {
    buffered += chunk;
    let nl;
    while ((nl = buffered.indexOf("\n")) !== -1) {
      handler(JSON.parse(buffered.slice(0, nl)));
      buffered = buffered.slice(nl + 1);
    }
  });
}

function serve(path, onReady) {
  const server = net.createServer((socket) => {
    onMessages(socket, (msg) => {
      const result = msg.op === "add" ? msg.args.reduce((a, b) => a + b, 0) : null;
      socket.write(JSON.stringify({ id: msg.id, result, pid: process.pid }) + "\n");
    });
    socket.on("error", () => {});
  });
  server.listen(path, () => {
    console.log(`server ${process.pid} listening on ${server.address()}`);
    onReady?.(server);
  });
  return server;
}

function client(path, args) {
  const socket = net.connect(path);
  onMessages(socket, (msg) => {
    console.log(
      `client ${process.pid}: server ${msg.pid} says ${args.join(" + ")} = ${msg.result}`,
    );
    socket.end();
  });
  socket.write(JSON.stringify({ id: 1, op: "add", args: args.map(Number) }) + "\n");
}

/** The command that runs this file again on the current runtime. */
function selfCommand(args) {
  const file = fileURLToPath(import.meta.url);
  const pre = typeof globalThis.Deno !== "undefined" ? ["run", "-A", "--quiet"] : [];
  return [process.execPath, [...pre, file, ...args]];
}

const [mode, path, ...rest] = process.argv.slice(2);
if (mode === "server") serve(path);
else if (mode === "client") client(path, rest);
else if (mode === "--smoke") {
  const dir = mkdtempSync(join(tmpdir(), "omninet-ipc-"));
  const sock = join(dir, "calc.sock");
  serve(sock, (server) => {
    const [cmd, argv] = selfCommand(["client", sock, "2", "3"]);
    const child = spawn(cmd, argv, { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.on("close", (code) => {
      process.stdout.write(out);
      server.close(() => {
        rmSync(dir, { recursive: true, force: true });
        const ok = code === 0 && out.includes("= 5");
        console.log(ok ? "ok" : "FAILED");
        process.exitCode = ok ? 0 : 1;
      });
    });
  });
} else {
  console.error("usage: unix_ipc.mjs server <path> | client <path> <n>... | --smoke");
  process.exitCode = 1;
}
