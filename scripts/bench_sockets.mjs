#!/usr/bin/env node
// `npm run bench:sockets`: runs scripts/bench_sockets.ts on Node (built dist/), Node 24,
// Node 26, Deno and Bun, and prints omninet's web-streams echo throughput against
// the runtime's best raw API, with the ratio. Pass --quick for a short run.
import { existsSync } from "node:fs";
import { benchRuns, ratio, runJsonLines } from "./_bench_runner.mjs";

const extra = process.argv.slice(2);
console.log("| Runtime | omninet (MiB/s) | raw API | raw (MiB/s) | omninet / raw |");
console.log("| --- | --: | --- | --: | --: |");
for (const [label, cmd, args] of benchRuns("bench_sockets")) {
  if (!existsSync(cmd)) {
    console.log(`| ${label} | not installed | | | |`);
    continue;
  }
  process.stderr.write(`running on ${label}...\n`);
  const lines = runJsonLines(cmd, [...args, ...extra]);
  if (lines === null) {
    console.log(`| ${label} | failed | | | |`);
    continue;
  }
  const by = {};
  let rawName = "";
  for (const row of lines) {
    by[row.subject] = row.value;
    rawName = row.rawName;
  }
  console.log(
    `| ${label} | ${Math.round(by.omninet)} | ${rawName} | ${Math.round(by.raw)} | ${
      ratio(by.omninet, by.raw)
    } |`,
  );
}
