// Several processes accepting on one port with reusePort (SO_REUSEPORT): the
// kernel spreads connections between them. Linux and recent BSDs only; on
// runtimes that cannot set the option (Node before 22.12) listen() fails with
// ERR_FEATURE_UNAVAILABLE_ON_PLATFORM. Deno offers it only with its unstable
// network APIs, so on Deno the workers are started with --unstable-net.
//
//   node examples/reuse_port.mjs [port] [workers]   (default 7003, 4 workers)
//   node examples/reuse_port.mjs --smoke   2 workers, 8 connections, then exit
import net from "@omninet/net";
import { spawn } from "node:child_process";
import process from "node:process";
import { fileURLToPath } from "node:url";

const [mode, ...args] = process.argv.slice(2);

/** The command that runs this file again on the current runtime. */
function selfCommand(argv) {
  const file = fileURLToPath(import.meta.url);
  // Deno only offers reusePort with its unstable network APIs enabled.
  const pre = typeof globalThis.Deno !== "undefined"
    ? ["run", "-A", "--quiet", "--unstable-net"]
    : [];
  return [process.execPath, [...pre, file, ...argv]];
}

/** A worker: answers each connection with its pid; exits when stdin closes. */
function worker(port) {
  const server = net.createServer((socket) => socket.end(`${process.pid}\n`));
  const report = (msg) => console.log(JSON.stringify(msg));
  server.on("error", (err) => {
    report({ error: err.code, message: err.message });
    process.exitCode = 1;
  });
  try {
    server.listen(
      { port: Number(port), host: "127.0.0.1", reusePort: true },
      () => report({ ready: true }),
    );
  } catch (err) {
    server.emit("error", err);
    return;
  }
  process.stdin.resume();
  process.stdin.on("end", () => server.close());
}

/** Starts a worker; resolves once it listens, rejects with its error otherwise. */
function startWorker(port) {
  const [cmd, argv] = selfCommand(["worker", String(port)]);
  const child = spawn(cmd, argv, { stdio: ["pipe", "pipe", "inherit"] });
  const ready = new Promise((resolve, reject) => {
    let line = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (d) => {
      line += d;
      if (!line.includes("\n")) return;
      const msg = JSON.parse(line.slice(0, line.indexOf("\n")));
      if (msg.ready) resolve();
      else reject(Object.assign(new Error(msg.message), { code: msg.error }));
    });
    child.once("exit", () => reject(new Error("worker exited before listening")));
  });
  return { child, ready };
}

function ask(port) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1");
    let text = "";
    socket.setEncoding("utf8");
    socket.on("data", (d) => (text += d));
    socket.on("error", reject);
    socket.on("close", () => resolve(text.trim()));
  });
}

/** A free port: listen on 0, note the port, release it for the workers. */
async function freePort() {
  const probe = net.createServer();
  await new Promise((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

async function primary(port, count, connections) {
  if (port === 0) port = await freePort();
  const workers = Array.from({ length: count }, () => startWorker(port));
  const stopAll = () =>
    Promise.all(workers.map((w) => {
      const exited = new Promise((resolve) => w.child.once("exit", resolve));
      w.child.stdin.end();
      return exited;
    }));
  try {
    await Promise.all(workers.map((w) => w.ready));
  } catch (err) {
    console.log(`reusePort failed: ${err.code ?? ""} ${err.message}`);
    await stopAll();
    process.exitCode = 1;
    return;
  }
  console.log(`${count} workers listening on 127.0.0.1:${port}`);
  if (connections === 0) return; // serve until interrupted
  const seen = new Map();
  for (let i = 0; i < connections; i++) {
    const pid = await ask(port);
    seen.set(pid, (seen.get(pid) ?? 0) + 1);
  }
  for (const [pid, n] of seen) console.log(`worker ${pid} answered ${n} connection(s)`);
  const codes = await stopAll();
  const answered = [...seen.values()].reduce((a, b) => a + b, 0);
  const ok = answered === connections && codes.every((c) => c === 0);
  console.log(ok ? "ok" : "FAILED");
  process.exitCode = ok ? 0 : 1;
}

if (mode === "worker") worker(args[0]);
else if (mode === "--smoke") await primary(0, 2, 8);
else await primary(Number(mode ?? 7003), Number(args[0] ?? 4), 0);
