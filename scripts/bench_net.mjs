#!/usr/bin/env node
// `npm run bench:net`: runs scripts/bench_net.ts on Node (built dist/), Node 24, Node 26,
// Deno and Bun, and prints omninet against each runtime's own node:net and raw
// API, with ratios, then the memory figures of scripts/bench_mem.mjs (--no-mem
// skips them). Pass --quick for a short run.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { benchRuns, collectMetrics, fmt, ratio, root } from "./_bench_runner.mjs";

const extra = process.argv.slice(2);
const rows = collectMetrics(benchRuns("bench_net"), extra);

const names = {
  throughput_MiBps: "echo throughput, 64 KiB chunks (MiB/s)",
  pingpong_rtps: "64-byte ping-pong (round trips/s)",
  connects_per_s: "connect + close (connections/s)",
};
console.log(
  "\n| runtime | metric | omninet | runtime's node:net | raw API | omninet / node:net | omninet / raw |",
);
console.log("|---|---|---:|---:|---:|---:|---:|");
for (const { runtime, metric, by } of rows) {
  console.log(
    `| ${runtime} | ${names[metric]} | ${fmt(by.omninet)} | ${fmt(by["node:net"])} | ${
      by.raw ? fmt(by.raw) : "—"
    } | ${ratio(by.omninet, by["node:net"])} | ${ratio(by.omninet, by.raw)} |`,
  );
}

// Per-connection memory and the 10k-client burst (scripts/bench_mem.mjs), unless --no-mem.
if (!extra.includes("--no-mem")) {
  spawnSync(process.execPath, [join(root, "scripts/bench_mem.mjs"), ...extra], {
    cwd: root,
    stdio: "inherit",
  });
}
