#!/usr/bin/env node
// `npm run demo:all`: runs scripts/demo.mjs on Node (this one and the pinned
// Node 24), Deno and Bun (the pinned binaries in node_modules/.bin) and
// prints one table of results.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const demo = join(root, "scripts", "demo.mjs");
const bin = (name) => join(root, "node_modules", ".bin", name);

const node24 = join(root, "tools", "node24", "node_modules", "node", "bin", "node");

const RUNTIMES = [
  ["Node", process.execPath, [demo, "--json"]],
  // The pinned Node 24 LTS, when npm install has put it there.
  ...(existsSync(node24) ? [["Node 24", node24, [demo, "--json"]]] : []),
  ["Deno", bin("deno"), ["run", "-A", "--quiet", demo, "--json"]],
  ["Bun", bin("bun"), [demo, "--json"]],
];

function run(label, cmd, args) {
  return new Promise((resolve) => {
    if (!existsSync(cmd)) {
      resolve({ label, error: `${cmd} not found: run npm install` });
      return;
    }
    const child = spawn(cmd, args, { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("close", (code) => {
      clearTimeout(timer);
      const last = out.trim().split("\n").at(-1) ?? "";
      try {
        resolve({ label, code, ...JSON.parse(last) });
      } catch {
        resolve({ label, code, error: out.trim() || `exit ${code}` });
      }
    });
  });
}

// One runtime at a time: Node may build dist/ first, and the timings stay comparable.
const reports = [];
for (const [label, cmd, args] of RUNTIMES) reports.push(await run(label, cmd, args));

const steps = [...new Set(reports.flatMap((r) => (r.results ?? []).map((s) => s.name)))];
const heads = reports.map((r) => r.runtime ?? r.label);
const cell = (r, step) => {
  const s = r.results?.find((x) => x.name === step);
  if (!s) return r.error ? "did not run" : "-";
  return s.ok ? `ok (${s.ms} ms)` : "FAIL";
};
const rows = [
  ["step", ...heads],
  ...steps.map((step) => [step, ...reports.map((r) => cell(r, step))]),
];
const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
const line = (row) => row.map((c, i) => c.padEnd(widths[i])).join("  ");
console.log(line(rows[0]));
console.log(widths.map((w) => "-".repeat(w)).join("  "));
for (const row of rows.slice(1)) console.log(line(row));

let failed = 0;
for (const r of reports) {
  if (r.error) {
    failed++;
    console.log(`\n${r.label} failed to run:\n${r.error}`);
  } else {
    const bad = r.results.filter((s) => !s.ok);
    failed += bad.length;
    for (const s of bad) console.log(`\n${r.runtime}: ${s.name}: ${s.detail}`);
  }
}
const total = reports.reduce((n, r) => n + (r.results?.length ?? 1), 0);
console.log(`\n${total - failed} of ${total} steps ok on ${reports.length} runtimes`);
process.exitCode = failed === 0 ? 0 : 1;
