#!/usr/bin/env node
// The whole check: format, lint, type check, build, JSR dry run, then every
// uvu suite on Node (built dist/: machine Node, Node 24 LTS, Node 26), Deno and Bun
// (TypeScript source), the node:net adapter forced on Node 20, Deno and Bun,
// and Deno.connect/listen forced on Deno (Node's and Deno's default is the
// libuv adapter).
// Prints one summary per runtime and a last line `N passed, N failed`.
//
// Usage: node scripts/test.mjs [--runtimes=node20,deno,...] [--no-checks] [tests/x.test.ts ...]
import { spawn } from "node:child_process";
import { existsSync, readdirSync, rmSync } from "node:fs";
import { cpus } from "node:os";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const bin = (name) => join(root, "node_modules", ".bin", name);
const node24 = join(root, "tools", "node24", "node_modules", "node", "bin", "node");
const node26 = join(root, "tools", "node26", "node_modules", "node", "bin", "node");
const FILE_TIMEOUT_MS = 240_000;

const args = process.argv.slice(2);
const flag = (name) => args.find((a) => a.startsWith(`--${name}`));
const runtimesArg = flag("runtimes=")?.split("=")[1];
const skipChecks = !!flag("no-checks");
const only = args.filter((a) => !a.startsWith("--")).map((a) =>
  basename(a).replace(/\.[jt]s$/, "")
);

const RUNTIMES = {
  node20: { label: `Node ${process.version} (dist)`, dist: true, cmd: [process.execPath] },
  node24: { label: "Node 24 LTS (dist)", dist: true, cmd: [node24] },
  // The newest Node: the libuv adapter rests on handle bindings Node does not document.
  node26: { label: "Node 26 (dist)", dist: true, cmd: [node26] },
  "node20+node": {
    label: `Node ${process.version} (dist), node:net adapter forced`,
    dist: true,
    cmd: [process.execPath],
    env: { OMNINET_TRANSPORT: "node" },
  },
  deno: { label: "Deno (source)", cmd: [bin("deno"), "run", "-A", "--quiet"] },
  // Deno's default is the libuv adapter on its handle layer; Deno.connect/listen is the fallback.
  "deno+deno": {
    label: "Deno, Deno.connect/listen adapter forced",
    cmd: [bin("deno"), "run", "-A", "--quiet"],
    env: { OMNINET_TRANSPORT: "deno" },
  },
  bun: { label: "Bun (source)", cmd: [bin("bun")] },
  "deno+node": {
    label: "Deno, node:net adapter forced",
    cmd: [bin("deno"), "run", "-A", "--quiet"],
    env: { OMNINET_TRANSPORT: "node" },
  },
  "bun+node": {
    label: "Bun, node:net adapter forced",
    cmd: [bin("bun")],
    env: { OMNINET_TRANSPORT: "node" },
  },
};

function run(cmd, argv, { env = {}, timeout = 0, quiet = false } = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, argv, {
      cwd: root,
      env: { ...process.env, NO_COLOR: "1", ...env },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    let timedOut = false;
    const timer = timeout &&
      setTimeout(() => {
        timedOut = true;
        try {
          process.kill(-child.pid, "SIGKILL");
        } catch { /* already gone */ }
      }, timeout);
    child.on("error", (err) => {
      out += String(err);
    });
    child.on("close", (code, signal) => {
      if (timer) clearTimeout(timer);
      if (!quiet && code !== 0) process.stdout.write(out);
      resolve({ code: timedOut ? "timeout" : code ?? signal, out });
    });
  });
}

async function step(name, cmd, argv) {
  const t0 = performance.now();
  const r = await run(cmd, argv);
  const ms = Math.round(performance.now() - t0);
  console.log(`${r.code === 0 ? "ok  " : "FAIL"} ${name} (${ms} ms)`);
  return r.code === 0;
}

async function pool(items, limit, fn) {
  const results = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await fn(items[i]);
      }
    }),
  );
  return results;
}

function parseUvu(out) {
  // deno-lint-ignore no-control-regex
  const text = out.replace(/\x1b\[[0-9;]*m/g, "");
  const num = (label) => {
    const m = text.match(new RegExp(`^\\s*${label}:\\s+(\\d+)`, "m"));
    return m ? Number(m[1]) : undefined;
  };
  return { total: num("Total"), passed: num("Passed"), skipped: num("Skipped") };
}

async function main() {
  let failedChecks = 0;
  let built = true;
  if (!skipChecks) {
    const checks = [
      ["versions in sync", process.execPath, ["scripts/check_versions.mjs"]],
      ["deno fmt --check", bin("deno"), ["fmt", "--check"]],
      ["deno lint", bin("deno"), ["lint"]],
      ["deno doc --lint (JSR docs)", bin("deno"), [
        "doc",
        "--lint",
        "mod.ts",
        "cli.ts",
        "sockets.ts",
      ]],
      ["tsc --noEmit", process.execPath, [
        join(root, "node_modules/typescript/bin/tsc"),
        "-p",
        "tsconfig.json",
      ]],
    ];
    for (const [name, cmd, argv] of checks) if (!(await step(name, cmd, argv))) failedChecks++;
  }
  const wantsDist = !runtimesArg || runtimesArg.split(",").some((r) => RUNTIMES[r]?.dist);
  if (!skipChecks || wantsDist) {
    rmSync(join(root, "dist"), { recursive: true, force: true });
    // The JavaScript tree (comments stripped) the suites import, the package's .d.ts
    // with their JSDoc, then the package's bundle of that tree.
    built = await step("build (tsc -> dist/)", process.execPath, [
      join(root, "node_modules/typescript/bin/tsc"),
      "-p",
      "tsconfig.build.json",
    ]) && await step("build (tsc -> dist/*.d.ts)", process.execPath, [
      join(root, "node_modules/typescript/bin/tsc"),
      "-p",
      "tsconfig.types.json",
    ]) && await step("bundle (esbuild -> dist/npm/)", process.execPath, ["scripts/bundle.mjs"]);
    if (!built) failedChecks++;
  }
  if (!skipChecks) {
    const ok = await step("deno publish --dry-run", bin("deno"), [
      "publish",
      "--dry-run",
      "--allow-dirty",
    ]);
    if (!ok) failedChecks++;
  }

  const files = readdirSync(join(root, "tests"))
    .filter((f) => f.endsWith(".test.ts"))
    .filter((f) => only.length === 0 || only.includes(f.replace(/\.ts$/, "")))
    .sort();
  const selected = runtimesArg ? runtimesArg.split(",") : Object.keys(RUNTIMES);

  let passed = 0, failed = failedChecks;
  const jobs = [];
  for (const rt of selected) {
    const cfg = RUNTIMES[rt];
    if (!cfg) throw new Error(`unknown runtime ${rt}; known: ${Object.keys(RUNTIMES).join(", ")}`);
    for (const f of files) {
      // *.once.test.ts suites (the npm tarball test) exercise every runtime themselves.
      if (f.endsWith(".once.test.ts") && rt !== "node20") continue;
      jobs.push({ rt, cfg, file: f });
    }
  }
  const concurrency = Math.max(2, Math.min(4, cpus().length * 2));
  const t0 = performance.now();
  const results = await pool(jobs, concurrency, async ({ rt, cfg, file }) => {
    const script = cfg.dist
      ? join("dist", "tests", file.replace(/\.ts$/, ".js"))
      : join("tests", file);
    // A build with type errors still emits; those errors already count as a failed check.
    if (cfg.dist && !existsSync(join(root, script))) {
      return { rt, file, total: 1, passed: 0, note: "not built" };
    }
    if (rt === "node24" && !existsSync(node24)) {
      return { rt, file, total: 1, passed: 0, note: "Node 24 missing: run npm install" };
    }
    const [cmd, ...pre] = cfg.cmd;
    const t = performance.now();
    const r = await run(cmd, [...pre, script], {
      env: { ...cfg.env, OMNINET_TEST_RUNTIME: rt },
      timeout: FILE_TIMEOUT_MS,
      quiet: true,
    });
    const ms = Math.round(performance.now() - t);
    const u = parseUvu(r.out);
    const ok = r.code === 0 && u.total !== undefined && u.passed === u.total && u.skipped === 0;
    if (!ok) {
      console.log(`\n---- ${rt} ${file} (exit ${r.code}) ----\n${r.out.trim()}\n---- end ----`);
    }
    return {
      rt,
      file,
      ms,
      total: u.total ?? 1,
      passed: ok ? u.passed : Math.min(u.passed ?? 0, (u.total ?? 1) - 1),
      note: r.code === "timeout"
        ? `timed out after ${FILE_TIMEOUT_MS / 1000}s (a hang or a leaked handle)`
        : "",
    };
  });

  console.log("");
  for (const rt of selected) {
    const mine = results.filter((r) => r.rt === rt);
    const p = mine.reduce((a, r) => a + r.passed, 0);
    const f = mine.reduce((a, r) => a + (r.total - r.passed), 0);
    passed += p;
    failed += f;
    console.log(`${RUNTIMES[rt].label.padEnd(34)} ${String(p).padStart(5)} passed, ${f} failed`);
    for (const r of mine) {
      if (r.total !== r.passed || r.note) {
        console.log(`    ${r.file}: ${r.total - r.passed} failed ${r.note ?? ""}`);
      }
    }
  }
  if (failedChecks) console.log(`checks: ${failedChecks} failed`);
  console.log(`suites took ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed === 0 && passed > 0 ? 0 : 1;
}

await main();
