// Memory benchmark on the current runtime, one subject per process so RSS is
// its own: `omninet` or the runtime's `node:net`.
//
// - idle: N client+server pairs connected in one process, both ends reading;
//   RSS and external memory per pair after a GC, against the same process
//   before the pairs were made (a warm-up batch runs first, so code and
//   pools are already in the baseline).
// - burst: N clients connect at once, each writes 16 KiB and reads it back
//   from an echo server; counts the clients that got their bytes back, those
//   reset, those failing otherwise, and the peak RSS (sampled every 5 ms),
//   with what the process held at that sample (V8 heap committed and used,
//   external and ArrayBuffer memory), the highest heap and external figures
//   of the run, the RSS before the burst, and how many connections were in
//   flight then. `--trace` also prints every sample to stderr. `--warm=W`
//   first runs a burst of W clients (not measured; the GC and the RSS before
//   the burst come after it), so that what the engine compiles and keeps on
//   first use of the code (JIT code, the compilers' memory) is in the
//   baseline and the burst measures what its connections cost.
//
// - load: what importing the library costs: RSS and V8 heap after a GC,
//   before and after the import (for the `node:net` subject, nothing is
//   imported beyond the node:net this script imports itself), and on Node
//   the built-in modules the import loaded (`process.moduleLoadList`).
//
// Subjects: `omninet`, the runtime's `node:net`, and `loaded` (the runtime's
// node:net with omninet imported but unused: what loading the library costs).
// The script imports only node:net: node:buffer and node:process come from
// process.getBuiltinModule() and the global, so the baseline holds no ESM
// namespace of theirs (on Node, making one reads every lazy export).
//
// Prints one JSON line. scripts/bench_mem.mjs runs it on every runtime for
// both subjects and prints the table with ratios.
//
// Usage: <runtime> scripts/bench_mem.ts <omninet|node:net|loaded> <idle|burst|load> [N] [--trace] [--warm=W]
import * as nodeNet from "node:net";

const { Buffer } = process.getBuiltinModule("node:buffer");

type NetLike = {
  createServer: typeof nodeNet.createServer;
  connect: typeof nodeNet.connect;
};

const [subject = "omninet", mode = "idle", count] = process.argv.slice(2).filter((a) =>
  !a.startsWith("--")
);
const N = Number(count) || (mode === "idle" ? 5_000 : 10_000);
const BURST_BYTES = 16 * 1024;
const trace: string[] | null = process.argv.includes("--trace") ? [] : null;
const WARM = Number(process.argv.find((a) => a.startsWith("--warm="))?.slice(7)) || 0;

// deno-lint-ignore no-explicit-any
const g = globalThis as any;

async function gc(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    if (g.Bun) g.Bun.gc(true);
    else g.gc?.();
    await new Promise((r) => setTimeout(r, 20));
  }
}

function listen(net: NetLike, handler: (s: nodeNet.Socket) => void): Promise<nodeNet.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer(handler);
    server.on("error", reject);
    server.listen({ port: 0, host: "127.0.0.1", backlog: 4096 }, () => resolve(server));
  });
}

function portOf(server: nodeNet.Server): number {
  return (server.address() as nodeNet.AddressInfo).port;
}

/** Makes `n` idle pairs, `batch` dials at a time; resolves with every socket. */
async function pairs(net: NetLike, server: nodeNet.Server, accepted: nodeNet.Socket[], n: number) {
  const port = portOf(server);
  const clients: nodeNet.Socket[] = [];
  const batch = 200;
  for (let i = 0; i < n; i += batch) {
    const want = accepted.length + Math.min(batch, n - i);
    await Promise.all(
      Array.from({ length: Math.min(batch, n - i) }, () =>
        new Promise<void>((resolve, reject) => {
          const c = net.connect(port, "127.0.0.1", () => resolve());
          c.on("error", reject);
          c.on("data", () => {});
          clients.push(c);
        })),
    );
    while (accepted.length < want) await new Promise((r) => setTimeout(r, 1));
  }
  return clients;
}

async function idle(net: NetLike): Promise<Record<string, number>> {
  const accepted: nodeNet.Socket[] = [];
  const server = await listen(net, (s) => {
    s.on("data", () => {});
    s.on("error", () => {});
    accepted.push(s);
  });
  // Warm-up: the code paths and pools of a connection are in the baseline.
  const warm = await pairs(net, server, accepted, 200);
  for (const s of [...warm, ...accepted]) s.destroy();
  accepted.length = 0;
  await gc();
  const before = process.memoryUsage();
  const clients = await pairs(net, server, accepted, N);
  await new Promise((r) => setTimeout(r, 200));
  await gc();
  const after = process.memoryUsage();
  const result = {
    pairs: clients.length,
    rss_per_pair_KiB: (after.rss - before.rss) / 1024 / N,
    external_per_pair_KiB: (after.external - before.external) / 1024 / N,
    heap_per_pair_KiB: (after.heapUsed - before.heapUsed) / 1024 / N,
  };
  for (const s of [...clients, ...accepted]) s.destroy();
  await new Promise<void>((r) => server.close(() => r()));
  return result;
}

/**
 * RSS split into anonymous memory (heaps, buffers, the allocator) and
 * file-backed pages (the runtime's executable and libraries, shared with every
 * other process running them), from /proc on Linux; `null` elsewhere.
 */
function rssSplit(): { anon: number; file: number } | null {
  try {
    const status = process.getBuiltinModule("node:fs").readFileSync("/proc/self/status", "utf8");
    const kib = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, "m").exec(status)?.[1]);
    const anon = kib("RssAnon"), file = kib("RssFile");
    return Number.isFinite(anon) && Number.isFinite(file)
      ? { anon: anon * 1024, file: file * 1024 }
      : null;
  } catch {
    return null;
  }
}

/** One client of a warm-up burst: writes `payload`, reads it back, ends; settles on 'close'. */
function echoOnce(net: NetLike, port: number, payload: Buffer): Promise<void> {
  return new Promise<void>((resolve) => {
    const c = net.connect(port, "127.0.0.1", () => c.write(payload));
    let got = 0;
    c.on("data", (d: Buffer) => {
      got += d.length;
      if (got >= payload.length) c.end();
    });
    c.on("error", () => {});
    c.on("close", () => resolve());
  });
}

async function burst(net: NetLike): Promise<Record<string, number | null>> {
  let live = 0, accepted = 0;
  const server = await listen(net, (s) => {
    live++;
    accepted++;
    s.on("error", () => {});
    s.on("close", () => live--);
    s.pipe(s);
  });
  const port = portOf(server);
  const payload = Buffer.alloc(BURST_BYTES, 7);
  if (WARM > 0) {
    await Promise.all(Array.from({ length: WARM }, () => echoOnce(net, port, payload)));
    live = accepted = 0;
  }
  await gc();
  const t0 = performance.now();
  let atPeak = process.memoryUsage();
  const base = atPeak;
  const baseSplit = rssSplit();
  let peakSplit = baseSplit;
  let peak = atPeak.rss;
  let clientsLive = 0, liveAtPeak = 0, clientsAtPeak = 0, acceptedAtPeak = 0, tPeak = 0;
  let maxHeap = 0, maxExternal = 0;
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    if (m.heapTotal > maxHeap) maxHeap = m.heapTotal;
    if (m.external > maxExternal) maxExternal = m.external;
    if (trace) {
      trace.push(
        [performance.now() - t0, m.rss, m.heapTotal, m.heapUsed, m.external, live, clientsLive].map(
          (v, i) => i === 0 || i > 4 ? Math.round(v) : Math.round(v / 1048576),
        ).join(" "),
      );
    }
    if (m.rss > peak) {
      peak = m.rss;
      atPeak = m;
      liveAtPeak = live;
      clientsAtPeak = clientsLive;
      acceptedAtPeak = accepted;
      tPeak = performance.now() - t0;
      peakSplit = rssSplit();
    }
  }, 5);
  let ok = 0, resets = 0, failed = 0;
  await Promise.all(
    Array.from({ length: N }, () =>
      new Promise<void>((resolve) => {
        clientsLive++;
        const c = net.connect(port, "127.0.0.1", () => c.write(payload));
        let got = 0;
        c.on("data", (d: Buffer) => {
          got += d.length;
          if (got >= BURST_BYTES) c.end();
        });
        c.on("error", (e: NodeJS.ErrnoException) => {
          if (e.code === "ECONNRESET") resets++;
          else failed++;
        });
        c.on("close", () => {
          clientsLive--;
          if (got >= BURST_BYTES) ok++;
          resolve();
        });
      })),
  );
  const ms = performance.now() - t0;
  if (trace) console.error(trace.join("\n"));
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  await new Promise<void>((r) => server.close(() => r()));
  const MiB = 1024 * 1024;
  return {
    clients: N,
    warm: WARM,
    ok,
    resets,
    failed,
    peak_rss_MiB: peak / MiB,
    ms,
    base_rss_MiB: base.rss / MiB,
    // RSS as anonymous and file-backed memory, before the burst and at the peak sample.
    base_rss_anon_MiB: baseSplit && baseSplit.anon / MiB,
    base_rss_file_MiB: baseSplit && baseSplit.file / MiB,
    peak_rss_anon_MiB: peakSplit && peakSplit.anon / MiB,
    peak_rss_file_MiB: peakSplit && peakSplit.file / MiB,
    base_heap_total_MiB: base.heapTotal / MiB,
    // What the process held at the sample with the highest RSS.
    peak_heap_total_MiB: atPeak.heapTotal / MiB,
    peak_heap_used_MiB: atPeak.heapUsed / MiB,
    peak_external_MiB: atPeak.external / MiB,
    peak_array_buffers_MiB: atPeak.arrayBuffers / MiB,
    peak_server_sockets: liveAtPeak,
    peak_clients: clientsAtPeak,
    peak_accepted: acceptedAtPeak,
    peak_at_ms: tPeak,
    max_heap_total_MiB: maxHeap / MiB,
    max_external_MiB: maxExternal / MiB,
  };
}

/** The built-in modules Node has loaded so far (empty elsewhere). */
function builtinsLoaded(): string[] {
  return (process as { moduleLoadList?: string[] }).moduleLoadList ?? [];
}

async function main(): Promise<void> {
  const runtime = g.Deno ? "deno" : g.Bun ? "bun" : "node";
  // What users load: the npm package's bundle on Node (run from
  // dist/scripts/*.js) and on Bun (run from source, which `npm run build`
  // bundled), the TypeScript source on Deno (as JSR gives it).
  const entry = import.meta.url.endsWith(".js")
    ? "../npm/mod.js"
    : g.Bun
    ? "../dist/npm/mod.js"
    : "../mod.ts";
  await gc();
  const before = process.memoryUsage(), listed = builtinsLoaded().length;
  const omninet = subject === "node:net" ? null : (await import(
    new URL(entry, import.meta.url).href
  )) as NetLike;
  if (mode === "load") {
    await gc();
    const after = process.memoryUsage(), MiB = 1024 * 1024;
    const builtins = builtinsLoaded().slice(listed).filter((m) => m.startsWith("NativeModule "));
    console.log(JSON.stringify({
      runtime,
      subject,
      mode,
      base_rss_MiB: before.rss / MiB,
      load_rss_MiB: (after.rss - before.rss) / MiB,
      load_heap_total_MiB: (after.heapTotal - before.heapTotal) / MiB,
      load_heap_used_MiB: (after.heapUsed - before.heapUsed) / MiB,
      load_builtins: builtins.length,
      load_builtin_names: builtins.map((m) => m.slice("NativeModule ".length)),
    }));
    process.exit(0);
  }
  // "loaded": the runtime's node:net with omninet loaded beside it (what loading costs).
  const net = subject === "omninet" ? omninet! : nodeNet;
  const result = mode === "burst" ? await burst(net) : await idle(net);
  console.log(JSON.stringify({ runtime, subject, mode, ...result }));
  process.exit(0);
}

await main();
