#!/usr/bin/env node
// `npm run bench:stack`: runs scripts/bench_stack.ts (node:http and node:tls over
// omninet sockets and over the runtime's own) on Node (built dist/), Node 24,
// Node 26, Deno and Bun, and prints the table with ratios. Pass --quick for a
// short run, --only=http or --only=tls for one half.
import { benchRuns, collectMetrics, fmt, ratio } from "./_bench_runner.mjs";

const rows = collectMetrics(benchRuns("bench_stack"), process.argv.slice(2));

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
for (const { runtime, metric, by } of rows) {
  console.log(
    `| ${runtime} | ${names[metric]} | ${fmt(by.omninet)} | ${fmt(by["node:net"])} | ${
      ratio(by.omninet, by["node:net"])
    } | ${by.duplex ? fmt(by.duplex) : "—"} |`,
  );
}
