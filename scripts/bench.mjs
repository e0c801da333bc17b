#!/usr/bin/env node
// `npm run bench`: BlockList check() at 10 / 1k / 10k / 100k rules, adding
// 100k rules, and isIP() throughput, for omninet and for each runtime's own
// node:net, on every runtime present: Node (machine), Node 24, Node 26 (built
// dist/), Deno and Bun (TypeScript source). Prints a table; stops by itself.
//
// Usage: node scripts/bench.mjs [--budget-ms=300] [--runtimes=node,node24,node26,deno,bun]
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const bin = (name) => join(root, "node_modules", ".bin", name);
const pinned = (v) => join(root, "tools", `node${v}`, "node_modules", "node", "bin", "node");
const args = process.argv.slice(2);
const opt = (name) => args.find((a) => a.startsWith(`--${name}=`))?.split("=")[1];
const budget = opt("budget-ms") ?? "300";
const PER_RUNTIME_TIMEOUT_MS = 60_000;

const tscJs = join(root, "node_modules", "typescript", "bin", "tsc");
const source = "scripts/bench_block_list.ts";
const compiled = join("dist", "scripts", "bench_block_list.js");
const RUNTIMES = {
  node: { label: `Node ${process.version}`, cmd: [process.execPath, compiled] },
  node24: { label: "Node 24", cmd: [pinned(24), compiled], needs: pinned(24) },
  node26: { label: "Node 26", cmd: [pinned(26), compiled], needs: pinned(26) },
  deno: { label: "Deno", cmd: [bin("deno"), "run", "-A", "--quiet", source] },
  bun: { label: "Bun", cmd: [bin("bun"), source] },
};

/** Whether dist/ lacks a module the bench uses, or holds an older build of it. */
function distStale() {
  return ["block_list", "ip", "socket_address", "errors", "validators"].some((m) => {
    const built = join(root, "dist", "core", `${m}.js`);
    return !existsSync(built) ||
      statSync(built).mtimeMs < statSync(join(root, "core", `${m}.ts`)).mtimeMs;
  });
}

/** Builds dist/ if missing or stale, then compiles the bench script next to it. */
async function prepareNode() {
  if (distStale()) {
    console.log("building dist/ (tsc -p tsconfig.build.json) ...");
    // Emits even when unrelated files have type errors; only the output matters here.
    spawnSync(process.execPath, [tscJs, "-p", "tsconfig.build.json"], {
      cwd: root,
      stdio: "ignore",
    });
    if (distStale()) throw new Error("tsc did not produce an up-to-date dist/core/");
  }
  const ts = (await import("typescript")).default;
  const out = ts.transpileModule(readFileSync(join(root, source), "utf8"), {
    compilerOptions: {
      module: ts.ModuleKind.ESNext,
      target: ts.ScriptTarget.ES2022,
      rewriteRelativeImportExtensions: true,
    },
  });
  mkdirSync(join(root, "dist", "scripts"), { recursive: true });
  writeFileSync(join(root, compiled), out.outputText);
}

function runOne(cfg) {
  const [cmd, ...pre] = cfg.cmd;
  const t0 = performance.now();
  const r = spawnSync(cmd, [...pre, `--budget-ms=${budget}`], {
    cwd: root,
    encoding: "utf8",
    timeout: PER_RUNTIME_TIMEOUT_MS,
    env: { ...process.env, NO_COLOR: "1" },
  });
  const secs = ((performance.now() - t0) / 1000).toFixed(1);
  const line = (r.stdout ?? "").trim().split("\n").pop();
  if (r.status !== 0 || !line?.startsWith("{")) {
    const why = r.error?.code === "ETIMEDOUT" ? "timed out" : `exit ${r.status}`;
    return { error: `${why}: ${(r.stderr ?? "").trim().split("\n").slice(-3).join(" | ")}` };
  }
  return { ...JSON.parse(line), secs };
}

const ns = (
  v,
) => (v == null ? "skipped" : v >= 1000 ? `${(v / 1000).toFixed(1)} µs` : `${v.toFixed(0)} ns`);
const ms = (v) => (v == null ? "skipped" : `${v.toFixed(0)} ms`);
const ratio = (a, b) => (a == null || b == null ? "" : `${(b / a).toFixed(1)}x`);

function printTable(results) {
  const sizes = ["10", "1000", "10000", "100000"];
  const head = [
    "runtime",
    "impl",
    ...sizes.map((s) => `check@${Number(s).toLocaleString("en")}`),
    "add 100k",
    "isIP ops/s",
  ];
  const rows = [];
  for (const [label, r] of results) {
    if (r.error) {
      rows.push([label, "error", r.error]);
      continue;
    }
    rows.push([
      r.version ?? label,
      "omninet",
      ...sizes.map((s) => ns(r.check[s])),
      ms(r.add100k),
      `${(r.isIP / 1e6).toFixed(1)} M`,
    ]);
    rows.push([
      "",
      "node:net",
      ...sizes.map((s) => ns(r.nativeCheck[s])),
      ms(r.nativeAdd100k),
      `${(r.nativeIsIP / 1e6).toFixed(1)} M`,
    ]);
    rows.push([
      "",
      "speed-up",
      ...sizes.map((s) => ratio(r.check[s], r.nativeCheck[s])),
      ratio(r.add100k, r.nativeAdd100k),
      ratio(r.nativeIsIP, r.isIP),
    ]);
  }
  const widths = head.map((h, i) =>
    Math.max(h.length, ...rows.map((row) => String(row[i] ?? "").length))
  );
  const fmt = (row) => row.map((c, i) => String(c ?? "").padEnd(widths[i])).join("  ");
  console.log(fmt(head));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const row of rows) console.log(fmt(row));
  console.log(
    "\nRules: 60% IPv4 addresses, 20% /24 subnets, 10% IPv4 ranges, 10% IPv6 /48s; checks alternate" +
      " 10/8 and random IPv4 strings.\nnode:net check is skipped at a size where the previous size" +
      " extrapolates to > 2 ms per call,\nand its add-100k when adding 10k takes > 2 s: both" +
      " would take minutes.",
  );
}

async function main() {
  const wanted = opt("runtimes")?.split(",") ?? Object.keys(RUNTIMES);
  const t0 = performance.now();
  if (wanted.some((r) => r.startsWith("node"))) await prepareNode();
  const results = [];
  for (const name of wanted) {
    const cfg = RUNTIMES[name];
    if (!cfg) {
      throw new Error(`unknown runtime ${name}; known: ${Object.keys(RUNTIMES).join(", ")}`);
    }
    if (cfg.needs && !existsSync(cfg.needs)) {
      console.log(`${cfg.label}: not installed (run npm install), skipped`);
      continue;
    }
    process.stdout.write(`${cfg.label} ... `);
    let r = runOne(cfg);
    // Another process (the test runner) may have rebuilt dist/ under us: rebuild once and retry.
    if (r.error && cfg.cmd.includes(compiled)) {
      await prepareNode();
      r = runOne(cfg);
    }
    console.log(r.error ? "error" : `${r.secs} s`);
    results.push([cfg.label, r]);
  }
  console.log("");
  printTable(results);
  console.log(`\nbench took ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  process.exitCode = results.some(([, r]) => r.error) ? 1 : 0;
}

await main();
