#!/usr/bin/env node
// `npm run bench:sockets`: runs scripts/bench_sockets.ts on Node (built dist/), Node 24,
// Node 26, Deno and Bun, and prints two tables: omninet's web-streams echo throughput
// against the runtime's best raw API, and the TLS echo (omninet on the runtime's own
// TLS, omninet on the old JavaScript-stream route, the runtime's own TLS client), with
// the ratios. Pass --quick for a short run, --only=plain or --only=tls for one table.
import { existsSync } from "node:fs";
import { benchRuns, ratio, runJsonLines } from "./_bench_runner.mjs";

const extra = process.argv.slice(2);
const results = [];
for (const [label, cmd, args] of benchRuns("bench_sockets")) {
  if (!existsSync(cmd)) {
    results.push([label, null]);
    continue;
  }
  process.stderr.write(`running on ${label}...\n`);
  const lines = runJsonLines(cmd, [...args, ...extra]);
  const by = {};
  for (const row of lines ?? []) by[row.subject] = row;
  results.push([label, lines === null ? null : by]);
}

const mib = (row) => row === undefined ? "" : String(Math.round(row.value));
if (!extra.includes("--only=tls")) {
  console.log("| Runtime | omninet (MiB/s) | raw API | raw (MiB/s) | omninet / raw |");
  console.log("| --- | --: | --- | --: | --: |");
  for (const [label, by] of results) {
    if (by === null) console.log(`| ${label} | failed or not installed | | | |`);
    else {
      console.log(
        `| ${label} | ${mib(by.omninet)} | ${by.raw?.rawName ?? ""} | ${mib(by.raw)} | ${
          ratio(by.omninet?.value, by.raw?.value)
        } |`,
      );
    }
  }
}
if (!extra.includes("--only=plain")) {
  console.log("");
  console.log(
    "| Runtime | omninet TLS, native (MiB/s) | omninet TLS, JS stream (MiB/s) | raw TLS API | raw (MiB/s) | native / raw | native / JS stream |",
  );
  console.log("| --- | --: | --: | --- | --: | --: | --: |");
  for (const [label, by] of results) {
    if (by === null) console.log(`| ${label} | failed or not installed | | | | | |`);
    else {
      const n = by["omninet-tls"], js = by["omninet-tls-js"], raw = by["raw-tls"];
      console.log(
        `| ${label} | ${mib(n)} | ${mib(js)} | ${raw?.rawName ?? ""} | ${mib(raw)} | ${
          ratio(n?.value, raw?.value)
        } | ${ratio(n?.value, js?.value)} |`,
      );
    }
  }
}
