#!/usr/bin/env node
// `npm run bench:sockets`: runs scripts/bench_sockets.ts on Node (built dist/), Node 24,
// Node 26, Deno and Bun, and prints two tables: omninet's web-streams echo throughput
// against the runtime's best raw API, and the TLS echo (omninet on the runtime's own
// TLS, omninet on the old JavaScript-stream route, the runtime's own TLS client), with
// the ratios (of the best rounds, and the median of each round's ratio to the raw round
// run next to it). Pass --quick for a short run, --rounds=N for more rounds, --only=plain or
// --only=tls for one table.
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
/** The median of a subject's per-round ratios to the raw round next to it, with their range. */
const paired = (row) => {
  const r = row?.pairRatios;
  if (!r || r.length === 0) return "";
  const s = [...r].sort((a, b) => a - b);
  const mid = s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  return `${mid.toFixed(2)}× (${s[0].toFixed(2)}–${s[s.length - 1].toFixed(2)})`;
};
if (!extra.includes("--only=tls")) {
  console.log(
    "| Runtime | omninet (MiB/s) | raw API | raw (MiB/s) | omninet / raw | paired rounds, median (range) |",
  );
  console.log("| --- | --: | --- | --: | --: | --: |");
  for (const [label, by] of results) {
    if (by === null) console.log(`| ${label} | failed or not installed | | | | |`);
    else {
      console.log(
        `| ${label} | ${mib(by.omninet)} | ${by.raw?.rawName ?? ""} | ${mib(by.raw)} | ${
          ratio(by.omninet?.value, by.raw?.value)
        } | ${paired(by.omninet)} |`,
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
