// One load and fault run (launched by scripts/fault_run.mjs): clients through
// a proxy to an echo server, all in this process, on omninet or the runtime's
// own node:net. Each client sends 0–512 KiB in random pieces and behaves in
// one of five ways: "normal" (reads the echo and checks it), "pausey" (pauses
// now and then while reading), "abort" (destroy() part-way), "reset"
// (resetAndDestroy() part-way; destroy() over Unix sockets, as Node allows it
// on TCP only) or "sleepy" (stops sending for twice the proxy's idle timeout,
// so the proxy destroys both sides). A failure is a normal or pausey client
// that saw an error or a reply other than its bytes. Afterwards no connection
// may be left, and the launcher checks that the process exits by itself.
// Prints one JSON line.
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import * as nodeNet from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import omninet from "../mod.ts";

const arg = (name: string, fallback: string): string =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const subject = arg("subject", "omninet");
const net = (subject === "omninet" ? omninet : nodeNet) as unknown as typeof nodeNet;
const clients = Number(arg("clients", "2000"));
const concurrency = Number(arg("concurrency", "200"));
const unix = arg("unix", "no") === "yes";
const idleMs = Number(arg("idle", "1000"));
let seed = Number(arg("seed", "21"));
const rnd = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;

const failures: string[] = [];
let timeouts = 0;
let resetUnavailable = false;
const started = Date.now();
const dir = unix ? mkdtempSync(join(tmpdir(), "omninet-fault-")) : "";

function listen(server: nodeNet.Server, name: string): Promise<void> {
  return new Promise((resolve) => {
    if (unix) server.listen(join(dir, name), resolve);
    else server.listen(0, "127.0.0.1", resolve);
  });
}

function target(server: nodeNet.Server): nodeNet.NetConnectOpts {
  const a = server.address();
  return typeof a === "string" ? { path: a } : { port: a!.port, host: "127.0.0.1" };
}

const echo = net.createServer({ allowHalfOpen: true }, (s) => {
  s.on("error", () => {});
  s.on("data", (d) => {
    if (!s.write(d)) {
      s.pause();
      s.once("drain", () => s.resume());
    }
  });
  s.on("end", () => s.end());
});
const proxy = net.createServer({ allowHalfOpen: true }, (c) => {
  const up = net.connect({ ...target(echo), allowHalfOpen: true });
  c.on("error", () => up.destroy());
  up.on("error", () => c.destroy());
  // A side that closed cleanly leaves the other to finish through pipe()'s end().
  c.on("close", (hadError) => hadError && up.destroy());
  up.on("close", (hadError) => hadError && c.destroy());
  c.setTimeout(idleMs, () => {
    timeouts++;
    c.destroy();
    up.destroy();
  });
  c.pipe(up);
  up.pipe(c);
});
await listen(echo, "echo.sock");
await listen(proxy, "proxy.sock");

function client(i: number): Promise<void> {
  return new Promise((resolve) => {
    const size = Math.floor(rnd() * rnd() * 512 * 1024);
    const roll = rnd();
    const mode = roll < 0.15
      ? "abort"
      : roll < 0.25
      ? "reset"
      : roll < 0.3
      ? "sleepy"
      : roll < 0.5
      ? "pausey"
      : "normal";
    const stopAt = Math.floor(rnd() * (size + 1));
    const payload = randomBytes(size);
    const want = createHash("sha1").update(payload).digest("hex");
    const got = createHash("sha1");
    let gotBytes = 0;
    let offset = 0;
    let slept = false;
    let sleeping: ReturnType<typeof setTimeout> | undefined;
    const s = net.connect(target(proxy));
    const stop = (): void => {
      if (mode !== "reset" || unix) return void s.destroy();
      try {
        s.resetAndDestroy();
      } catch (err) {
        // The forced Deno.connect adapter cannot send a RST (README).
        if ((err as { code?: string }).code !== "ERR_FEATURE_UNAVAILABLE_ON_PLATFORM") throw err;
        resetUnavailable = true;
        s.destroy();
      }
    };
    const pump = (): void => {
      while (offset < size) {
        const n = Math.min(size - offset, 1 + Math.floor(rnd() * 65536));
        const chunk = payload.subarray(offset, offset + n);
        offset += n;
        if ((mode === "abort" || mode === "reset") && offset >= stopAt) return stop();
        if (mode === "sleepy" && offset >= stopAt && !slept) {
          slept = true;
          sleeping = setTimeout(pump, 2 * idleMs);
          return;
        }
        if (!s.write(chunk)) {
          s.once("drain", pump);
          return;
        }
      }
      if (mode === "abort" || mode === "reset") return stop();
      s.end();
    };
    const checked = mode === "normal" || mode === "pausey";
    s.on("connect", pump);
    s.on("data", (d: Buffer) => {
      got.update(d);
      gotBytes += d.length;
      if (mode === "pausey" && rnd() < 0.2) {
        s.pause();
        setTimeout(() => s.resume(), Math.floor(rnd() * 20));
      }
    });
    s.on("error", (e: NodeJS.ErrnoException) => {
      if (checked) failures.push(`client ${i} (${mode}): ${e.code} ${e.message}`);
    });
    s.on("close", () => {
      clearTimeout(sleeping);
      const hash = got.digest("hex");
      if (checked && (gotBytes !== size || hash !== want)) {
        failures.push(`client ${i} (${mode}): ${gotBytes} of ${size} bytes echoed`);
      }
      resolve();
    });
  });
}

let next = 0;
async function lane(): Promise<void> {
  while (next < clients) await client(next++);
}
await Promise.all(Array.from({ length: concurrency }, lane));

// Every connection winds down: the servers count none within 5 s.
const count = (server: nodeNet.Server): Promise<number> =>
  new Promise((resolve) => server.getConnections((_err, n) => resolve(n)));
const deadline = Date.now() + 5000;
let left = [await count(echo), await count(proxy)];
while ((left[0] > 0 || left[1] > 0) && Date.now() < deadline) {
  await new Promise((r) => setTimeout(r, 50));
  left = [await count(echo), await count(proxy)];
}
await Promise.all([echo, proxy].map((s) => new Promise((r) => s.close(r))));
if (unix) rmSync(dir, { recursive: true, force: true });
console.log(JSON.stringify({
  subject,
  transport: unix ? "unix" : "tcp",
  clients,
  failures: failures.length,
  firstFailures: failures.slice(0, 3),
  timeouts,
  connectionsLeft: left[0] + left[1],
  resetUnavailable,
  ms: Date.now() - started,
  doneAt: Date.now(),
}));
