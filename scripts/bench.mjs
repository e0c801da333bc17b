#!/usr/bin/env node
// `npm run bench`: BlockList check() at 10 / 1k / 10k / 100k rules, adding
// 100k rules, isIP() throughput, churn at 100k rules (a mutation + 3 checks),
// IPv4/IPv6 hit/miss checks at 100k and 1M rules, and bulk load, memory and
// toJSON/fromJSON at 1M rules, for omninet and for each runtime's own
// node:net, on every runtime present: Node (machine), Node 24, Node 26 (built
// dist/), Deno and Bun (TypeScript source). Prints tables; stops by itself.
// Each part runs in its own process (memory is measured in a fresh one).
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
const PART_TIMEOUT_MS = { main: 300_000, big: 240_000, mem: 120_000 };

const tscJs = join(root, "node_modules", "typescript", "bin", "tsc");
const source = "scripts/bench_block_list.ts";
const compiled = join("dist", "scripts", "bench_block_list.js");
// Every command lets the script collect garbage (for the memory figures).
const RUNTIMES = {
  node: { label: `Node ${process.version}`, cmd: [process.execPath, "--expose-gc", compiled] },
  node24: { label: "Node 24", cmd: [pinned(24), "--expose-gc", compiled], needs: pinned(24) },
  node26: { label: "Node 26", cmd: [pinned(26), "--expose-gc", compiled], needs: pinned(26) },
  deno: {
    label: "Deno",
    cmd: [bin("deno"), "run", "-A", "--quiet", "--v8-flags=--expose-gc", source],
  },
  bun: { label: "Bun", cmd: [bin("bun"), source] },
};

/** Whether dist/ lacks a module the bench uses, or holds an older build of it. */
function distStale() {
  const modules = [
    "block_list",
    "_block_list_cover",
    "_block_list_rows",
    "_block_list_flat",
    "_block_list_scan6",
    "_block_list_wide",
    "ip",
    "socket_address",
    "errors",
    "validators",
  ];
  return modules.some((m) => {
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

function runOne(cfg, part, extra = []) {
  const [cmd, ...pre] = cfg.cmd;
  const t0 = performance.now();
  const r = spawnSync(cmd, [...pre, `--budget-ms=${budget}`, `--part=${part}`, ...extra], {
    cwd: root,
    encoding: "utf8",
    timeout: PART_TIMEOUT_MS[part],
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

/** Prints rows under a header, columns padded to their widest cell. */
function table(head, rows) {
  const widths = head.map((h, i) =>
    Math.max(h.length, ...rows.map((row) => String(row[i] ?? "").length))
  );
  const fmt = (row) => row.map((c, i) => String(c ?? "").padEnd(widths[i])).join("  ");
  console.log(fmt(head));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const row of rows) console.log(fmt(row));
}

const us = (
  v,
) => (v == null ? "n/a" : v >= 1000 ? `${(v / 1000).toFixed(1)} ms` : `${v.toFixed(2)} µs`);
const bytes = (v) => (v == null ? "n/a" : `${v.toFixed(1)} B`);

function printMain(results) {
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
  table(head, rows);
  const scans = results.filter(([, r]) => r.scan);
  if (scans.length > 0) {
    console.log(
      "\nScanning the check texts alone, ns per address (parse / a bare charCodeAt loop; IPv6 also" +
        "\nthe staged scan: its first 3 groups / those and the validation of the rest):",
    );
    for (const [label, r] of scans) {
      const s = r.scan;
      const staged = s.v6head == null
        ? ""
        : `, staged ${s.v6head.toFixed(0)} / ${s.v6staged.toFixed(0)}`;
      console.log(
        `  ${r.version ?? label}: IPv4 ${s.v4.toFixed(0)} / ${s.v4read.toFixed(0)},` +
          ` IPv6 ${s.v6.toFixed(0)} / ${s.v6read.toFixed(0)}${staged}`,
      );
    }
  }
  console.log(
    "\nRules: 60% IPv4 addresses, 20% /24 subnets, 10% IPv4 ranges, 10% IPv6 /48s; checks alternate" +
      " 10/8 and random IPv4 strings.\nnode:net check is skipped at a size where the previous size" +
      " extrapolates to > 2 ms per call,\nand its add-100k when adding 10k takes > 2 s: both" +
      " would take minutes.",
  );
}

function printChurn(results) {
  const kinds = [
    ["add", "addAddress"],
    ["remove", "removeAddress"],
    ["subnetAdd", "addSubnet/CIDR"],
    ["subnetRemove", "removeSubnet"],
    ["rangeAdd", "addRange"],
    ["rangeRemove", "removeRange"],
  ];
  const rows = [];
  for (const [label, r] of results) {
    if (r.error) continue;
    for (const [family, suffix] of [["IPv4", ""], ["IPv6", "6"]]) {
      const at = (o) => kinds.map(([k]) => us(o?.[`${k}${suffix}`]));
      rows.push([family === "IPv4" ? r.version ?? label : "", family, "omninet", ...at(r.churn)]);
      if (r.churn.cold) rows.push(["", "", "omninet, cold", ...at(r.churn.cold)]);
      rows.push(["", "", "node:net", ...at(r.nativeChurn)]);
    }
  }
  table(["runtime", "family", "impl", ...kinds.map(([, name]) => name)], rows);
  console.log(
    "\nµs per round of one mutation + 3 check()s (the mutated address, a miss, a subnet hit) on a" +
      " list of\n100,000 IPv4 addresses + 1 subnet (IPv6: 90,000 IPv4 addresses + 1 subnet +" +
      " 10,000 IPv6 /48s,\nIPv6 values and checks); each remove round undoes one add round." +
      " n/a: the runtime's\nnode:net BlockList has no such method. Measured after a cold pass" +
      " (omninet, cold: its first 2,000\nrounds of each kind in the process, while the engine" +
      " compiles the code, on its own threads too).",
  );
}

function printBig(results) {
  const cells = ["v4hit", "v4miss", "v6hit", "v6miss"];
  const checkRows = [];
  const bigRows = [];
  for (const [label, r] of results) {
    const b = r.big;
    if (!b || b.error) {
      checkRows.push([label, "error", b?.error ?? "not run"]);
      continue;
    }
    const n1M = b.native1M;
    const notBuilt = `not built (fills 100k in ${ms(b.nativeFill100k)})`;
    const kinds = [
      ["omninet", "check"],
      ["omninet, plain loop", "checkDirect"],
      ["omninet, changing", "checkLive"],
      ["omninet, changing v6", "checkLive6"],
      ["harness alone", "harness"],
      ["harness, changing", "harnessLive"],
    ];
    for (const [impl, key] of kinds) {
      if (!b.ours100k[key]) continue;
      checkRows.push([
        impl === "omninet" ? r.big.version : "",
        impl,
        ...cells.map((c) => ns(b.ours100k[key][c])),
        ...cells.map((c) => ns(b.ours1M[key][c])),
      ]);
    }
    checkRows.push([
      "",
      "node:net",
      ...cells.map((c) => ns(b.native100k?.check[c])),
      ...(n1M ? cells.map((c) => ns(n1M.check[c])) : [notBuilt]),
    ]);
    const json = (x) =>
      x?.toJSON == null ? ["n/a", "n/a", "n/a"] : [
        ms(x.toJSON),
        ms(x.fromJSON),
        ms(x.toJSON + x.fromJSON),
      ];
    const mem = (m) =>
      m?.error || !m
        ? ["error", "error"]
        : [bytes(m.heapPerRule), bytes(m.rssPerRule)].map((v) =>
          m.n === 1_000_000 ? v : `${v} @${m.n / 1000}k`
        );
    bigRows.push([
      r.big.version,
      "omninet",
      ms(b.ours1M.load),
      ...mem(r.memOurs),
      ...json(b.ours1M),
    ]);
    bigRows.push([
      "",
      "node:net",
      n1M ? ms(n1M.load) : `${ms(b.native100k.load)} @100k`,
      ...mem(r.memNative),
      ...(n1M ? json(n1M) : json(b.native100k).map((v) => (v === "n/a" ? v : `${v} @100k`))),
    ]);
  }
  table([
    "runtime",
    "impl",
    ...cells.map((c) => `${c}@100k`),
    ...cells.map((c) => `${c}@1M`),
  ], checkRows);
  console.log(
    "\nns per check() of string input, same rule mix as above: hits are IPv4 address rules and" +
      " addresses in the\nIPv6 /48s, misses random addresses that no rule covers. omninet: the" +
      " list settled (checked 2n + 4096\ntimes per family without change, which builds its flat" +
      " indexes); changing: an IPv4 address added\nand removed again every 1,024 checks (IPv4" +
      " checks search the incremental index; IPv6 checks keep the\nflat IPv6 index, which IPv4" +
      " rules do not change); changing v6: every 1,024 checks a new IPv6 /64\nsubnet added and the one added" +
      " four changes before removed. plain loop: the settled list's checks in a loop at one call\nsite, no measuring function" +
      " called per check. harness alone: the same measuring loop and probe loads\nwith a" +
      " function that only reads its two arguments in place of check() (included in the other rows);\n" +
      "harness, changing: the same with the changing rows' wrapper (its change left out).\n",
  );
  const addr6 = results.filter(([, r]) => r.big?.ours100k?.checkAddr6);
  if (addr6.length > 0) {
    console.log(
      "IPv6 address rules: 1,024 added to the settled list (one per /64, outside the other rules)," +
        "\nns per check() of a rule's address (hit) / another address in its /64 (miss):",
    );
    for (const [, r] of addr6) {
      const b = r.big;
      const at = (x) => `${ns(x.checkAddr6.hit)} / ${ns(x.checkAddr6.miss)}`;
      console.log(`  ${b.version}: at 100k ${at(b.ours100k)}, at 1M ${at(b.ours1M)}`);
    }
    console.log("");
  }
  table([
    "runtime",
    "impl",
    "load 1M",
    "heap+external/rule",
    "RSS/rule",
    "toJSON 1M",
    "fromJSON 1M",
    "round trip",
  ], bigRows);
  console.log(
    "\nload: adding 1,000,000 rules (same mix, their strings made beforehand) and the first" +
      " check(). Memory:\ngrowth after GC with the list built (and settled), per rule, in a" +
      " fresh process whose rule strings\nexist before the first reading and after the second," +
      " as does a list of 1% of the rules loaded and\nchecked first (so that compiled code," +
      " which costs the same for any size, is not counted per rule)\n(heap + external memory," +
      " which holds typed arrays; RSS, which also keeps what the runtime holds on\nto of freed" +
      " memory). A native list that takes > 0.8 s to fill 100k (quadratic) is measured at" +
      " 100k\n(@100k) instead of 1M.",
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
    const run = async (part, extra) => {
      let r = runOne(cfg, part, extra);
      // Another process (the test runner) may have rebuilt dist/ under us: rebuild once and retry.
      if (r.error && cfg.cmd.includes(compiled)) {
        await prepareNode();
        r = runOne(cfg, part, extra);
      }
      process.stdout.write(r.error ? `${part}: error  ` : `${part}: ${r.secs} s  `);
      return r;
    };
    const r = await run("main");
    r.big = await run("big");
    r.memOurs = await run("mem", ["--impl=omninet"]);
    r.memNative = await run("mem", ["--impl=native"]);
    console.log("");
    results.push([cfg.label, r]);
    for (const part of [r.big, r.memOurs, r.memNative]) if (part.error) r.partError = part.error;
  }
  console.log("\n### check() at 10-100k rules, adding 100k rules, isIP\n");
  printMain(results);
  console.log("\n### Churn at 100,000 rules\n");
  printChurn(results);
  console.log("\n### Checks at 100k and 1M rules\n");
  printBig(results);
  console.log(
    "\nAll times are CPU time of the benchmark process (user + system), so that other load on" +
      " the machine\ncounts as little as possible.",
  );
  console.log(`\nbench took ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  process.exitCode = results.some(([, r]) => r.error || r.partError) ? 1 : 0;
}

await main();
