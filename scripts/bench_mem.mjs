#!/usr/bin/env node
// `npm run bench:mem`: per-connection memory and a connection burst, omninet
// against each runtime's own node:net, on Node (built dist/), Node 24, Deno
// and Bun. Each measurement is a fresh process (scripts/bench_mem.ts); the
// best (lowest memory, most ok) of --rounds=N runs counts (default 3), and
// the median and range of the burst peaks are printed beside it (a burst
// peak moves by ±5% between runs: it depends on when V8 collects and
// compiles). Pass --quick for one round of smaller counts, --only=node24,deno
// (labels without spaces, lower case, a prefix is enough) to pick runtimes,
// --modes=load,idle,burst (the default: all three) to pick measurements.
// `load` is what importing the library costs (RSS and heap after a GC, and
// on Node the built-in modules the import loaded). --loaded adds a third
// burst subject, the runtime's node:net with omninet imported but unused: its
// median peak beside node:net's is what loading the library costs at the
// peak, the rest of omninet's excess is what using it costs.
// --v8-flags=A,B passes V8 flags to the Node and Deno runs (Bun has no V8): a
// burst peak mostly measures when V8 collects the dead 16 KiB read buffers
// (external memory), so e.g. --v8-flags=--predictable-gc-schedule (a fixed
// heap growing schedule) or --max-semi-space-size=2 shows what the libraries
// themselves hold, without that phase. The largest external figure of each
// burst (that pile of buffers) is printed beside the peaks.
// --warm=W runs a burst of W clients first in each burst process, before the
// RSS baseline: what the engine compiles and keeps on first use of the code
// (JIT code, the compilers' own memory) is then outside the growth, which
// shows what the connections themselves cost. Without it the burst is cold.
import { existsSync } from "node:fs";
import { benchRuns, runJsonLines } from "./_bench_runner.mjs";

const quick = process.argv.includes("--quick");
const rounds = Number(process.argv.find((a) => a.startsWith("--rounds="))?.split("=")[1]) ||
  (quick ? 1 : 3);
const sizes = quick
  ? { load: 0, idle: 1_000, burst: 2_000 }
  : { load: 0, idle: 5_000, burst: 10_000 };
const modes = process.argv.find((a) => a.startsWith("--modes="))?.slice(8).split(",") ??
  ["load", "idle", "burst"];
const withLoaded = process.argv.includes("--loaded");
const warmArg = process.argv.find((a) => /^--warm=\d+$/.test(a));
const only = process.argv.find((a) => a.startsWith("--only="))?.slice(7).split(",");
const key = (label) => label.toLowerCase().replace(/\s+/g, "");
const v8Flags = process.argv.find((a) => a.startsWith("--v8-flags="))?.slice(11).split(",")
  .filter((f) => f !== "") ?? [];
const runs = benchRuns("bench_mem", {
  node: ["--expose-gc", ...v8Flags],
  deno: [["--v8-flags=--expose-gc", ...v8Flags].join(",")],
  skip: ["Node 26"],
}).filter(([label]) => !only || only.some((o) => key(label).startsWith(o)));

function measure(cmd, args, subject, mode) {
  const extra = mode === "burst" && warmArg ? [warmArg] : [];
  const lines = runJsonLines(cmd, [...args, subject, mode, String(sizes[mode]), ...extra], 300_000);
  return lines?.[0] ?? null;
}

const better = {
  load: (a, b) => a.load_rss_MiB <= b.load_rss_MiB,
  idle: (a, b) => a.rss_per_pair_KiB <= b.rss_per_pair_KiB,
  burst: (a, b) => a.ok > b.ok || (a.ok === b.ok && a.peak_rss_MiB <= b.peak_rss_MiB),
};

const rows = [];
for (const [label, cmd, args] of runs) {
  if (!existsSync(cmd)) {
    console.log(`${label}: not installed (run npm install)`);
    continue;
  }
  for (const mode of modes) {
    const best = {};
    const peaks = { omninet: [], "node:net": [], loaded: [] };
    // Per round: peak RSS less the RSS before the burst, and the anonymous part of the peak.
    const growth = { omninet: [], "node:net": [], loaded: [] };
    const anon = { omninet: [], "node:net": [], loaded: [] };
    const loads = { omninet: [], "node:net": [] };
    // Per round: the most external memory the burst held (mostly read buffers awaiting a GC).
    const external = { omninet: [], "node:net": [], loaded: [] };
    // Alternate the subjects so drift in machine load hits both alike.
    for (let round = 0; round < rounds; round++) {
      const subjects = mode === "load"
        ? ["omninet"]
        : mode === "burst" && withLoaded
        ? ["omninet", "node:net", "loaded"]
        : ["omninet", "node:net"];
      for (const subject of subjects) {
        process.stderr.write(`${label}: ${subject} ${mode} (round ${round + 1}/${rounds})\n`);
        const m = measure(cmd, args, subject, mode);
        if (m?.peak_rss_MiB !== undefined) {
          peaks[subject].push(m.peak_rss_MiB);
          growth[subject].push(m.peak_rss_MiB - m.base_rss_MiB);
          if (m.peak_rss_anon_MiB != null) anon[subject].push(m.peak_rss_anon_MiB);
          if (m.max_external_MiB != null) external[subject].push(m.max_external_MiB);
        }
        if (m?.load_rss_MiB !== undefined) loads[subject].push(m);
        if (m && (!best[subject] || better[mode](m, best[subject]))) best[subject] = m;
      }
    }
    rows.push({
      label,
      mode,
      o: best.omninet,
      n: best["node:net"],
      peaks,
      growth,
      anon,
      external,
      loads,
    });
  }
}

const f1 = (v) => (v === undefined ? "—" : v.toFixed(1));
const f2 = (v) => (v === undefined ? "—" : v.toFixed(2));
const ratio = (a, b) => (a !== undefined && b ? (a / b).toFixed(2) + "×" : "—");
const span = (xs, f) => {
  const v = xs.filter((x) => x !== undefined);
  return v.length ? `${f(Math.min(...v))}–${f(Math.max(...v))}` : "—";
};
if (modes.includes("load")) {
  console.log("\nLoading: what importing omninet adds to a process that imported node:net");
  console.log("(after a GC, range over the rounds; built-ins: Node's, loaded by the import)");
  console.log(
    "\n| runtime | RSS before | RSS added | heap committed added | heap used added | built-ins |",
  );
  console.log("|---|---:|---:|---:|---:|---:|");
  for (const { label, mode, loads } of rows) {
    if (mode !== "load") continue;
    const o = loads.omninet;
    console.log(
      `| ${label} | ${span(o.map((m) => m.base_rss_MiB), f1)} MiB | ${
        span(o.map((m) => m.load_rss_MiB), f1)
      } MiB | ${span(o.map((m) => m.load_heap_total_MiB), f2)} MiB | ${
        span(o.map((m) => m.load_heap_used_MiB), f2)
      } MiB | ${o[0]?.load_builtins ?? "—"} |`,
    );
  }
  const names = rows.find((r) => r.mode === "load" && r.loads.omninet[0]?.load_builtins)?.loads
    .omninet[0].load_builtin_names;
  if (names) console.log(`\nBuilt-ins the import loaded (first Node run): ${names.join(", ")}`);
}
if (modes.includes("idle")) {
  console.log(`\nIdle connections: ${sizes.idle} client+server pairs in one process, per pair`);
  console.log(
    "\n| runtime | omninet RSS | node:net RSS | RSS ratio | omninet external | node:net external |",
  );
  console.log("|---|---:|---:|---:|---:|---:|");
  for (const { label, mode, o, n } of rows) {
    if (mode !== "idle") continue;
    console.log(
      `| ${label} | ${f1(o?.rss_per_pair_KiB)} KiB | ${f1(n?.rss_per_pair_KiB)} KiB | ${
        ratio(o?.rss_per_pair_KiB, n?.rss_per_pair_KiB)
      } | ${f1(o?.external_per_pair_KiB)} KiB | ${f1(n?.external_per_pair_KiB)} KiB |`,
    );
  }
}
if (modes.includes("burst")) {
  const warmNote = warmArg ? ` (after a warm-up burst of ${warmArg.slice(7)} clients)` : "";
  console.log(`\nBurst: ${sizes.burst} clients at once, each echoing 16 KiB${warmNote}`);
  console.log(
    "\n| runtime | omninet ok | node:net ok | omninet resets | node:net resets | omninet peak RSS | node:net peak RSS | peak ratio |",
  );
  console.log("|---|---:|---:|---:|---:|---:|---:|---:|");
  for (const { label, mode, o, n } of rows) {
    if (mode !== "burst") continue;
    console.log(
      `| ${label} | ${o?.ok ?? "—"} | ${n?.ok ?? "—"} | ${o?.resets ?? "—"} | ${
        n?.resets ?? "—"
      } | ${f1(o?.peak_rss_MiB)} MiB | ${f1(n?.peak_rss_MiB)} MiB | ${
        ratio(o?.peak_rss_MiB, n?.peak_rss_MiB)
      } |`,
    );
  }

  const median = (xs) => {
    const v = [...xs].sort((a, b) => a - b);
    return v.length === 0 ? undefined : (v[(v.length - 1) >> 1] + v[v.length >> 1]) / 2;
  };
  const range = (xs) => (xs.length ? `${f1(Math.min(...xs))}–${f1(Math.max(...xs))}` : "—");
  console.log(`\nBurst peak RSS over ${rounds} rounds: median (range)`);
  const loadedCol = withLoaded ? " node:net, omninet loaded | loaded ratio |" : "";
  console.log(`\n| runtime | omninet | node:net | median ratio |${loadedCol}`);
  console.log(`|---|---:|---:|---:|${withLoaded ? "---:|---:|" : ""}`);
  for (const { label, mode, peaks } of rows) {
    if (mode !== "burst") continue;
    const o = median(peaks.omninet), n = median(peaks["node:net"]), l = median(peaks.loaded);
    const loaded = withLoaded ? ` ${f1(l)} MiB (${range(peaks.loaded)}) | ${ratio(l, n)} |` : "";
    console.log(
      `| ${label} | ${f1(o)} MiB (${range(peaks.omninet)}) | ${f1(n)} MiB (${
        range(peaks["node:net"])
      }) | ${ratio(o, n)} |${loaded}`,
    );
  }
  console.log(
    "\nBurst peak less the RSS before it (what the burst itself took; the import's cost, in the",
  );
  console.log(
    "RSS before, drops out), and the anonymous part of the peak RSS (without the runtime's",
  );
  console.log("executable and library pages, from /proc on Linux): medians (range)");
  console.log(
    `\n| runtime | growth: omninet | node:net | ratio |${
      withLoaded ? " node:net, omninet loaded | ratio |" : ""
    } anonymous peak: omninet | node:net | ratio |`,
  );
  console.log(`|---|---:|---:|---:|${withLoaded ? "---:|---:|" : ""}---:|---:|---:|`);
  for (const { label, mode, growth, anon } of rows) {
    if (mode !== "burst") continue;
    const go = median(growth.omninet), gn = median(growth["node:net"]);
    const gl = median(growth.loaded);
    const ao = median(anon.omninet), an = median(anon["node:net"]);
    const loaded = withLoaded
      ? ` ${f1(gl)} MiB (${range(growth.loaded)}) | ${ratio(gl, gn)} |`
      : "";
    console.log(
      `| ${label} | ${f1(go)} MiB (${range(growth.omninet)}) | ${f1(gn)} MiB (${
        range(growth["node:net"])
      }) | ${ratio(go, gn)} |${loaded} ${f1(ao)} MiB (${range(anon.omninet)}) | ${f1(an)} MiB (${
        range(anon["node:net"])
      }) | ${ratio(ao, an)} |`,
    );
  }
  console.log(
    "\nMost external memory held during the burst (16 KiB read buffers the runtime allocated,",
  );
  console.log("freed when V8 collects them): medians (range)");
  console.log(
    `\n| runtime | omninet | node:net | ratio |${withLoaded ? " node:net, omninet loaded |" : ""}`,
  );
  console.log(`|---|---:|---:|---:|${withLoaded ? "---:|" : ""}`);
  for (const { label, mode, external } of rows) {
    if (mode !== "burst") continue;
    const eo = median(external.omninet), en = median(external["node:net"]);
    const loaded = withLoaded
      ? ` ${f1(median(external.loaded))} MiB (${range(external.loaded)}) |`
      : "";
    console.log(
      `| ${label} | ${f1(eo)} MiB (${range(external.omninet)}) | ${f1(en)} MiB (${
        range(external["node:net"])
      }) | ${ratio(eo, en)} |${loaded}`,
    );
  }
  console.log(
    "\nAt the best burst's peak sample: RSS before the burst, V8 heap committed, external",
  );
  console.log(
    "\n| runtime | subject | RSS before | peak RSS | heap total | heap used | external | in flight |",
  );
  console.log("|---|---|---:|---:|---:|---:|---:|---:|");
  for (const { label, mode, o, n } of rows) {
    if (mode !== "burst") continue;
    for (const [subject, m] of [["omninet", o], ["node:net", n]]) {
      if (!m) continue;
      console.log(
        `| ${label} | ${subject} | ${f1(m.base_rss_MiB)} MiB | ${f1(m.peak_rss_MiB)} MiB | ${
          f1(m.peak_heap_total_MiB)
        } MiB | ${f1(m.peak_heap_used_MiB)} MiB | ${f1(m.peak_external_MiB)} MiB | ${
          m.peak_clients ?? "—"
        } clients, ${m.peak_server_sockets ?? "—"} server sockets open |`,
      );
    }
  }
}
