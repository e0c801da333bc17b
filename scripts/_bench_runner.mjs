// What every `npm run bench:*` launcher shares: the runtimes a benchmark runs on
// (Node from the built dist/, the pinned Node 24 and 26, Deno and Bun from the
// TypeScript source), building dist/ when it is missing or older than the
// source, and reading the JSON lines a benchmark prints.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const root = dirname(dirname(fileURLToPath(import.meta.url)));

/**
 * [label, command, args] per runtime for scripts/<name>.ts.
 * `opts.node` adds arguments before the script on Node, `opts.deno` after `run -A` on Deno;
 * `opts.skip` lists labels to leave out (e.g. "Node 26").
 */
export function benchRuns(name, opts = {}) {
  const js = `dist/scripts/${name}.js`;
  const ts = `scripts/${name}.ts`;
  const node = [...(opts.node ?? []), js];
  const runs = [
    [`Node ${process.version}`, process.execPath, node],
    ["Node 24", join(root, "tools/node24/node_modules/node/bin/node"), node],
    ["Node 26", join(root, "tools/node26/node_modules/node/bin/node"), node],
    ["Deno", join(root, "node_modules/.bin/deno"), ["run", "-A", ...(opts.deno ?? []), ts]],
    ["Bun", join(root, "node_modules/.bin/bun"), [ts]],
  ];
  ensureBuilt(js);
  return runs.filter(([label]) => !(opts.skip ?? []).includes(label));
}

/** The newest modification time of the .ts files under `dir` (and its folders). */
function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith(".ts")) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** Builds dist/ (and the npm bundle) when `js` is missing or older than a source file it may import. */
function ensureBuilt(js) {
  const out = join(root, js);
  if (existsSync(out) && existsSync(join(root, "dist", "npm", "mod.js"))) {
    const sources = ["core", "runtimes", "sockets", "scripts"].map((d) =>
      newestSource(join(root, d))
    );
    const top = ["mod.ts", "sockets.ts"].map((f) => statSync(join(root, f)).mtimeMs);
    if (statSync(out).mtimeMs >= Math.max(...sources, ...top)) return;
  }
  const tsc = ["node_modules/typescript/bin/tsc", "-p", "tsconfig.build.json"];
  for (const argv of [tsc, ["scripts/bundle.mjs"]]) {
    const r = spawnSync(process.execPath, argv, { cwd: root, stdio: "inherit" });
    if (r.status !== 0) process.exit(1);
  }
}

/** Runs one benchmark process; its JSON lines (those starting with "{"), or null if it failed. */
export function runJsonLines(cmd, args, timeout = 600_000, env = process.env) {
  const r = spawnSync(cmd, args, { cwd: root, encoding: "utf8", timeout, env });
  if (r.status !== 0) {
    process.stderr.write(`${cmd} ${args.join(" ")} failed\n${r.stdout}\n${r.stderr}\n`);
    return null;
  }
  return r.stdout.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
}

/** Runs a subject/metric/value benchmark on every runtime: [{ runtime, metric, by: {subject: value} }]. */
export function collectMetrics(runs, extra) {
  const rows = [];
  for (const [label, cmd, args] of runs) {
    if (!existsSync(cmd)) {
      console.log(`${label}: not installed (run npm install)`);
      continue;
    }
    process.stderr.write(`running on ${label}...\n`);
    const lines = runJsonLines(cmd, [...args, ...extra]);
    if (lines === null) {
      console.log(`${label}: failed`);
      continue;
    }
    const data = {};
    for (const { subject, metric, value } of lines) (data[metric] ??= {})[subject] = value;
    for (const [metric, by] of Object.entries(data)) rows.push({ runtime: label, metric, by });
  }
  return rows;
}

/** 1,234 for large figures, 12.3 for small ones. */
export const fmt = (v) => (v >= 100 ? Math.round(v).toLocaleString("en-US") : v.toFixed(1));

/** a / b as "0.95×", or "—" when either is missing. */
export const ratio = (a, b) => (a && b ? (a / b).toFixed(2) + "×" : "—");
