// npm run fault: the load and fault run of scripts/fault_run.ts on every
// runtime, omninet next to the runtime's own node:net, over TCP and Unix
// sockets. Prints a table: failures (a client that reads its echo saw an error
// or other bytes), the proxy's idle timeouts, connections left, and how long
// the process took to exit after its last line (a leaked handle or timer shows
// there). Options: --clients=N (2000), --concurrency=N (200), --idle=ms (1000),
// --seed=N (21), --only=<label substring>. "(no RST)": the adapter cannot send
// one, and those clients destroy instead.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { benchRuns, root } from "./_bench_runner.mjs";

const pass = process.argv.slice(2).filter((a) => !a.startsWith("--only="));
const only = process.argv.find((a) => a.startsWith("--only="))?.slice(7);

const runs = [];
for (const [label, cmd, args] of benchRuns("fault_run")) {
  runs.push([label, cmd, args, {}]);
  // Deno's other adapter, forced.
  if (label === "Deno") runs.push(["Deno, Deno.connect adapter", cmd, args, { transport: "deno" }]);
}

const rows = [];
for (const [label, cmd, args, { transport }] of runs) {
  if (only && !label.includes(only)) continue;
  if (!existsSync(cmd)) {
    console.log(`${label}: not installed (run npm install)`);
    continue;
  }
  for (const unix of ["no", "yes"]) {
    // The runtime's own node:net does not depend on omninet's adapter.
    for (const subject of transport ? ["omninet"] : ["omninet", "node:net"]) {
      process.stderr.write(`${label}, ${subject}, ${unix === "yes" ? "Unix" : "TCP"}...\n`);
      const env = { ...process.env, OMNINET_TRANSPORT: transport ?? "" };
      const r = spawnSync(cmd, [...args, `--subject=${subject}`, `--unix=${unix}`, ...pass], {
        cwd: root,
        encoding: "utf8",
        env,
        timeout: 300_000,
      });
      const exited = Date.now();
      const line = (r.stdout ?? "").split("\n").find((l) => l.startsWith("{"));
      if (r.status !== 0 || !line) {
        rows.push([label, subject, unix === "yes" ? "Unix" : "TCP", "crashed", "", "", "", ""]);
        process.stderr.write(`${r.stdout}\n${r.stderr}\n`);
        continue;
      }
      const o = JSON.parse(line);
      for (const f of o.firstFailures) process.stderr.write(`  ${f}\n`);
      rows.push([
        label,
        subject,
        (o.transport === "unix" ? "Unix" : "TCP") + (o.resetUnavailable ? " (no RST)" : ""),
        String(o.failures),
        String(o.timeouts),
        String(o.connectionsLeft),
        `${o.ms} ms`,
        `${exited - o.doneAt} ms`,
      ]);
    }
  }
}

const head = [
  "runtime",
  "subject",
  "socket",
  "failures",
  "idle timeouts",
  "left open",
  "run",
  "exit after",
];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (cells) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
console.log(line(head));
console.log(`| ${widths.map((w) => "-".repeat(w)).join(" | ")} |`);
for (const r of rows) console.log(line(r));
