// npm run fault: the load and fault run of scripts/fault_run.ts on every
// runtime, omninet next to the runtime's own node:net, over TCP and Unix
// sockets. Prints a table: failures (a client that reads its echo saw an error
// or other bytes), the proxy's idle timeouts, connections left, and how long
// the process took to exit after its last line (a leaked handle or timer shows
// there). Options: --clients=N (2000), --concurrency=N (200), --idle=ms (1000),
// --seed=N (21), --only=<label substring>. "(no RST)": the adapter cannot send
// one, and those clients destroy instead.
import { existsSync } from "node:fs";
import { benchRuns, runJsonLines } from "./_bench_runner.mjs";

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
      const socket = unix === "yes" ? "Unix" : "TCP";
      process.stderr.write(`${label}, ${subject}, ${socket}...\n`);
      const env = { ...process.env, OMNINET_TRANSPORT: transport ?? "" };
      const childArgs = [...args, `--subject=${subject}`, `--unix=${unix}`, ...pass];
      const lines = runJsonLines(cmd, childArgs, 300_000, env);
      const exited = Date.now();
      if (lines === null || lines.length === 0) {
        rows.push([label, subject, socket, "crashed", "", "", "", ""]);
        continue;
      }
      const o = lines[0];
      for (const f of o.firstFailures) process.stderr.write(`  ${f}\n`);
      rows.push([
        label,
        subject,
        socket + (o.resetUnavailable ? " (no RST)" : ""),
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
