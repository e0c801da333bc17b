#!/usr/bin/env node
// `npm run bench:stack`: runs scripts/bench_stack.ts (node:http and node:tls over
// omninet sockets and over the runtime's own) on Node (built dist/), Node 24,
// Node 26, Deno and Bun, and prints the table with ratios. Pass --quick for a
// short run, --only=http or --only=tls for one half.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const extra = process.argv.slice(2);
const node24 = join(root, "tools/node24/node_modules/node/bin/node");
const node26 = join(root, "tools/node26/node_modules/node/bin/node");
const runs = [
  [`Node ${process.version}`, process.execPath, ["dist/scripts/bench_stack.js"]],
  ["Node 24", node24, ["dist/scripts/bench_stack.js"]],
  ["Node 26", node26, ["dist/scripts/bench_stack.js"]],
  ["Deno", join(root, "node_modules/.bin/deno"), ["run", "-A", "scripts/bench_stack.ts"]],
  ["Bun", join(root, "node_modules/.bin/bun"), ["scripts/bench_stack.ts"]],
];

if (!existsSync(join(root, "dist/scripts/bench_stack.js"))) {
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
      duplex: by.duplex,
    });
  }
}

const names = {
  http_seq_rps: "node:http, sequential keep-alive requests/s",
  http_seq_rps_cpu: "node:http, sequential, requests per CPU-second",
  http_par_rps: "node:http, 16 connections, requests/s",
  http_par_rps_cpu: "node:http, 16 connections, requests per CPU-second",
  tls_upload_MiBps: "tls.connect({ socket }), 256 MiB upload (MiB/s)",
  tls_upload_MiBps_cpu: "tls.connect({ socket }), MiB per CPU-second",
};
console.log(
  "\n| runtime | metric | omninet | runtime's node:net | omninet / node:net | own socket behind a Duplex |",
);
console.log("|---|---|---:|---:|---:|---:|");
for (const r of rows) {
  const ratio = r.omninet && r.native ? (r.omninet / r.native).toFixed(2) + "×" : "—";
  const duplex = r.duplex ? fmt(r.duplex) : "—";
  console.log(
    `| ${r.runtime} | ${names[r.metric]} | ${fmt(r.omninet)} | ${
      fmt(r.native)
    } | ${ratio} | ${duplex} |`,
  );
}
