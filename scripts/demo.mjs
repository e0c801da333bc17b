#!/usr/bin/env node
// `npm start`: a short tour of omninet on the runtime running this file.
// An echo server and client over TCP and over a Unix socket, then a client
// refused by the server's BlockList, then one refused by its own BlockList.
// Everything listens on loopback or in a temporary directory and the script
// exits by itself. `--json` adds a last line with the results (demo_all.mjs
// reads it).
//
//   node scripts/demo.mjs    |    deno run -A scripts/demo.mjs    |    bun scripts/demo.mjs
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const runtime = typeof globalThis.Deno !== "undefined"
  ? `Deno ${globalThis.Deno.version.deno}`
  : typeof globalThis.Bun !== "undefined"
  ? `Bun ${globalThis.Bun.version}`
  : `Node ${process.version}`;

/** Newest modification time of the library's TypeScript sources. */
function newestSource(dir = root, depth = 0) {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (depth === 0 && !["mod.ts", "core", "runtimes"].includes(name)) continue;
    const st = statSync(path);
    if (st.isDirectory()) newest = Math.max(newest, newestSource(path, depth + 1));
    else if (name.endsWith(".ts")) newest = Math.max(newest, st.mtimeMs);
  }
  return newest;
}

/** Node runs the built package; (re)build it when missing or older than the sources. */
function ensureBuilt() {
  const built = join(root, "dist", "mod.js");
  if (existsSync(built) && statSync(built).mtimeMs >= newestSource()) return;
  console.log("building dist/ (tsc -p tsconfig.build.json) ...");
  const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
  spawnSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], { cwd: root, stdio: "ignore" });
  if (!existsSync(built)) throw new Error("build failed: run `npm run build` to see why");
}

async function loadLibrary() {
  if (runtime.startsWith("Node")) {
    ensureBuilt();
    return (await import("../dist/mod.js")).default;
  }
  return (await import("../mod.ts")).default;
}

function once(emitter, event) {
  return new Promise((resolve, reject) => {
    emitter.once(event, resolve);
    if (event !== "error") emitter.once("error", reject);
  });
}

/** Connects, sends `text`, half-closes; resolves with all the peer sent back. */
function exchange(net, options, text) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(options, () => socket.end(text));
    let reply = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk) => (reply += chunk));
    socket.on("error", reject);
    socket.on("close", () => resolve(reply));
  });
}

async function echoRound(net, listenArgs, connectOptions, text) {
  const server = net.createServer((socket) => socket.pipe(socket));
  server.listen(...listenArgs);
  await once(server, "listening");
  const where = server.address();
  const options = typeof where === "string"
    ? { path: where }
    : { ...connectOptions, port: where.port };
  const reply = await exchange(net, options, text);
  await new Promise((resolve) => server.close(resolve));
  const place = typeof where === "string" ? where : `${where.address}:${where.port}`;
  return { ok: reply === text, detail: `sent ${JSON.stringify(text)} to ${place}, got it back` };
}

async function serverBlock(net) {
  const blockList = new net.BlockList();
  blockList.addSubnet("127.0.0.0", 8, "ipv4");
  const server = net.createServer({ blockList }, (socket) => socket.end("welcome"));
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const reply = await exchange(net, { port: server.address().port, host: "127.0.0.1" }, "hi")
    .catch((err) => `error ${err.code}`);
  await new Promise((resolve) => server.close(resolve));
  const refused = reply === "" || reply === "error ECONNRESET";
  return { ok: refused, detail: `server blocking 127.0.0.0/8 closed the connection unanswered` };
}

async function clientBlock(net) {
  const blockList = new net.BlockList();
  blockList.addAddress("127.0.0.1");
  const server = net.createServer((socket) => socket.end("welcome"));
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const options = { port: server.address().port, host: "127.0.0.1", blockList };
  const outcome = await exchange(net, options, "hi").then(
    (reply) => `connected, got ${JSON.stringify(reply)}`,
    (err) => err.code,
  );
  await new Promise((resolve) => server.close(resolve));
  return {
    ok: outcome === "ERR_IP_BLOCKED",
    detail: `connect({ blockList }) failed with ${outcome}`,
  };
}

async function main() {
  const json = process.argv.includes("--json");
  const net = await loadLibrary();
  const dir = mkdtempSync(join(tmpdir(), "omninet-demo-"));
  const steps = [
    [
      "TCP echo (IPv4)",
      () => echoRound(net, [0, "127.0.0.1"], { host: "127.0.0.1" }, "hello over TCP"),
    ],
    [
      "Unix socket echo",
      () => echoRound(net, [join(dir, "demo.sock")], {}, "hello over a Unix socket"),
    ],
    ["server blockList", () => serverBlock(net)],
    ["client blockList", () => clientBlock(net)],
  ];
  console.log(`omninet demo on ${runtime}\n`);
  const results = [];
  try {
    for (const [name, run] of steps) {
      const t0 = performance.now();
      const r = await run().catch((err) => ({
        ok: false,
        detail: `${err.code ?? ""} ${err.message}`,
      }));
      const ms = Math.round(performance.now() - t0);
      results.push({ name, ms, ...r });
      console.log(`${r.ok ? "ok  " : "FAIL"} ${name.padEnd(18)} ${r.detail} (${ms} ms)`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const failed = results.filter((r) => !r.ok).length;
  console.log(`\n${results.length - failed} of ${results.length} steps ok on ${runtime}`);
  if (json) console.log(JSON.stringify({ runtime, results }));
  process.exitCode = failed === 0 ? 0 : 1;
}

await main();
