#!/usr/bin/env node
// Runs tests of Node's own suite (a checkout's test/parallel) twice each: as
// written, on the runtime's own node:net, and with `require('net')` pointed
// at omninet; prints each test's two outcomes and the tests that pass on
// node:net but fail on omninet ("gaps"), with the end of their output.
// Not part of `npm test`: Node's test tree is not an npm package. A Node
// checkout (or the copy Deno keeps in denoland/node_test) gives it.
//
// Usage: node scripts/node_suite.mjs <node>/test/parallel [--match=^test-net-]
//          [--runtime=node|deno|bun] [--exec=path/to/runtime] [--timeout-ms=30000]
//          [--out=dir (default: <tmp>/omninet-node-suite)]
// The omninet build it loads is the npm bundle, dist/npm/ (run `npm run build` first).
// On Deno and Bun, tests that need Node command-line flags (`// Flags:`) are
// left out, and the harness's flag re-spawn and global-leak checks are off.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const args = process.argv.slice(2);
const opt = (name, fallback) =>
  args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const dir = args.find((a) => !a.startsWith("--"));
if (dir === undefined || !existsSync(dir)) {
  console.error("usage: node scripts/node_suite.mjs <node>/test/parallel [--match=REGEX] ...");
  process.exit(2);
}
const runtime = opt("runtime", "node");
const given = opt("exec", runtime === "node" ? process.execPath : runtime);
// A path is taken from here (the tests run from their own tree); a bare name from PATH.
const exec = given.includes("/") ? resolve(given) : given;
const match = new RegExp(opt("match", "^test-net-"));
const timeoutMs = Number(opt("timeout-ms", "30000"));
const out = resolve(opt("out", join(tmpdir(), "omninet-node-suite")));
// What `require("@omninet/net")` resolves to (package.json's "require"
// condition): the module object, which tests may patch as they patch Node's.
const omninet = join(root, "dist", "npm", "require.js");
const REQUIRE_NET = /require\((['"])(?:node:)?net\1\)/g;
const LOADS_NET = /require\((['"])(?:node:)?net\1\)/;

/** Runs one test file; kills its whole process group at the time limit. */
function run(file, flags) {
  const argv = runtime === "deno" ? ["run", "-A", file] : runtime === "bun" ? [file] : [
    ...flags,
    file,
  ];
  const env = { ...process.env, NO_COLOR: "1" };
  if (runtime !== "node") {
    Object.assign(env, { NODE_SKIP_FLAG_CHECK: "1", NODE_TEST_KNOWN_GLOBALS: "0" });
  }
  return new Promise((done) => {
    const child = spawn(exec, argv, { cwd: dirname(dirname(dir)), env, detached: true });
    let text = "";
    const keep = (d) => (text = (text + d).slice(-4000));
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch { /* gone already */ }
    }, timeoutMs);
    child.on("error", (err) => {
      console.error(`cannot run ${exec}: ${err.message}`);
      process.exit(2);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      // Whatever the test started and left behind goes with it.
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch { /* gone already */ }
      done({ ok: code === 0, text: signal ? `${text}\n(killed: ${signal})` : text });
    });
  });
}

mkdirSync(out, { recursive: true });
const files = readdirSync(dir).filter((f) => match.test(f) && f.endsWith(".js")).sort();
const gaps = [];
let both = 0, nodeFails = 0, skipped = 0;
for (const f of files) {
  const src = readFileSync(join(dir, f), "utf8");
  const flags = (/^\/\/ Flags: (.*)$/m.exec(src)?.[1] ?? "").split(/\s+/).filter(Boolean);
  if ((runtime !== "node" && flags.length > 0) || !LOADS_NET.test(src)) {
    skipped++;
    continue;
  }
  const own = await run(join(dir, f), flags);
  // Named by this run's pid: runs for several runtimes can share one test tree.
  const copy = join(dir, `omninet-${process.pid}-${f}`);
  writeFileSync(copy, src.replace(REQUIRE_NET, `require(${JSON.stringify(omninet)})`));
  let theirs;
  try {
    theirs = await run(copy, flags);
  } finally {
    rmSync(copy, { force: true });
  }
  console.log(`${f}\t${own.ok ? "pass" : "FAIL"}\t${theirs.ok ? "pass" : "FAIL"}`);
  if (!own.ok) nodeFails++;
  else if (theirs.ok) both++;
  else {
    gaps.push(f);
    writeFileSync(join(out, `${f}.txt`), theirs.text);
  }
}
console.log(
  `\n${both} pass on both; ${gaps.length} gaps (node:net passes, omninet fails); ` +
    `${nodeFails} fail on node:net itself; ${skipped} left out`,
);
if (gaps.length > 0) console.log(`gaps (their output in ${out}):\n  ${gaps.join("\n  ")}`);
