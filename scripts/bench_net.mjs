#!/usr/bin/env node
// `npm run bench:net`: runs scripts/bench_net.ts on Node (built dist/), Node 24, Node 26,
// Deno and Bun, and prints omninet against each runtime's own node:net and raw
// API, with ratios, then the memory figures of scripts/bench_mem.mjs (--no-mem
// skips them). Pass --quick for a short run.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const extra = process.argv.slice(2);
const node24 = join(root, "tools/node24/node_modules/node/bin/node");
const node26 = join(root, "tools/node26/node_modules/node/bin/node");
const runs = [
  [`Node ${process.version}`, process.execPath, ["dist/scripts/bench_net.js"]],
  ["Node 24", node24, ["dist/scripts/bench_net.js"]],
  ["Node 26", node26, ["dist/scripts/bench_net.js"]],
  ["Deno", join(root, "node_modules/.bin/deno"), ["run", "-A", "scripts/bench_net.ts"]],
  ["Bun", join(root, "node_modules/.bin/bun"), ["scripts/bench_net.ts"]],
];

if (!existsSync(join(root, "dist/scripts/bench_net.js"))) {
  const r = spawnSync(process.execPath, [
    "node_modules/typescript/bin/tsc",
    "-p",
    "tsconfig.build.json",
  ], {
    cwd: root,
    stdio: "inherit",
  });
  if (r.status !== 0) process.exit(1);
}

const fmt = (v) => (v >= 100 ? Math.round(v).toLocaleString("en-US") : v.toFixed(1));
const rows = [];
for (const [label, cmd, args] of runs) {
  if (!existsSync(cmd)) {
    console.log(`${label}: not installed (run npm install)`);
    continue;
  }
  process.stderr.write(`running on ${label}...\n`);
  const r = spawnSync(cmd, [...args, ...extra], { cwd: root, encoding: "utf8", timeout: 600_000 });
  if (r.status !== 0) {
    console.log(`${label}: failed\n${r.stdout}\n${r.stderr}`);
    continue;
  }
  const data = {};
  for (const line of r.stdout.split("\n")) {
    if (!line.startsWith("{")) continue;
    const { subject, metric, value } = JSON.parse(line);
    (data[metric] ??= {})[subject] = value;
  }
  for (const [metric, by] of Object.entries(data)) {
    rows.push({
      runtime: label,
      metric,
      omninet: by.omninet,
      native: by["node:net"],
      raw: by.raw,
    });
  }
}

const names = {
  throughput_MiBps: "echo throughput, 64 KiB chunks (MiB/s)",
  pingpong_rtps: "64-byte ping-pong (round trips/s)",
  connects_per_s: "connect + close (connections/s)",
};
console.log(
  "\n| runtime | metric | omninet | runtime's node:net | raw API | omninet / node:net | omninet / raw |",
);
console.log("|---|---|---:|---:|---:|---:|---:|");
for (const r of rows) {
  const ratio = (a, b) => (a && b ? (a / b).toFixed(2) + "×" : "—");
  console.log(
    `| ${r.runtime} | ${names[r.metric]} | ${fmt(r.omninet)} | ${fmt(r.native)} | ${
      r.raw ? fmt(r.raw) : "—"
    } | ${ratio(r.omninet, r.native)} | ${ratio(r.omninet, r.raw)} |`,
  );
}

// Per-connection memory and the 10k-client burst (scripts/bench_mem.mjs), unless --no-mem.
if (!extra.includes("--no-mem")) {
  spawnSync(process.execPath, [join(root, "scripts/bench_mem.mjs"), ...extra], {
    cwd: root,
    stdio: "inherit",
  });
}
