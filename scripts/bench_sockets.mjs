#!/usr/bin/env node
// `npm run bench:sockets`: runs scripts/bench_sockets.ts on Node (built dist/), Node 24,
// Node 26, Deno and Bun, and prints omninet's web-streams echo throughput against
// the runtime's best raw API, with the ratio. Pass --quick for a short run.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const extra = process.argv.slice(2);
const js = "dist/scripts/bench_sockets.js";
const runs = [
  [`Node ${process.version}`, process.execPath, [js]],
  ["Node 24", join(root, "tools/node24/node_modules/node/bin/node"), [js]],
  ["Node 26", join(root, "tools/node26/node_modules/node/bin/node"), [js]],
  ["Deno", join(root, "node_modules/.bin/deno"), ["run", "-A", "scripts/bench_sockets.ts"]],
  ["Bun", join(root, "node_modules/.bin/bun"), ["scripts/bench_sockets.ts"]],
];

if (!existsSync(join(root, js))) {
  const tsc = ["node_modules/typescript/bin/tsc", "-p", "tsconfig.build.json"];
  const r = spawnSync(process.execPath, tsc, { cwd: root, stdio: "inherit" });
  if (r.status !== 0) process.exit(1);
}

console.log("| Runtime | omninet (MiB/s) | raw API | raw (MiB/s) | omninet / raw |");
console.log("| --- | --: | --- | --: | --: |");
for (const [label, cmd, args] of runs) {
  if (!existsSync(cmd)) {
    console.log(`| ${label} | not installed | | | |`);
    continue;
  }
  process.stderr.write(`running on ${label}...\n`);
  const r = spawnSync(cmd, [...args, ...extra], { cwd: root, encoding: "utf8", timeout: 600_000 });
  if (r.status !== 0) {
    console.log(`| ${label} | failed | | | |`);
    process.stderr.write(`${r.stdout}\n${r.stderr}\n`);
    continue;
  }
  const by = {};
  let rawName = "";
  for (const line of r.stdout.split("\n")) {
    if (!line.startsWith("{")) continue;
    const row = JSON.parse(line);
    by[row.subject] = row.value;
    rawName = row.rawName;
  }
  const ratio = by.omninet / by.raw;
  console.log(
    `| ${label} | ${Math.round(by.omninet)} | ${rawName} | ${Math.round(by.raw)} | ${
      ratio.toFixed(2)
    }× |`,
  );
}
