import { spawn } from "node:child_process";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { currentRuntime } from "./_runtime.ts";

// Suites run from tests/ (Deno, Bun) or dist/tests/ (Node); examples/ is at the root.
const here = import.meta.url;
const root = new URL(here.endsWith(".js") ? "../../" : "../", here);

function runExample(name: string): Promise<{ code: number | null; out: string }> {
  const file = fileURLToPath(new URL(`examples/${name}`, root));
  const pre = currentRuntime() === "deno" ? ["run", "-A", "--quiet"] : [];
  const child = spawn(process.execPath, [...pre, file, "--smoke"], {
    cwd: fileURLToPath(root),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
  child.stderr.setEncoding("utf8").on("data", (d: string) => (out += d));
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

const examples = suite("examples --smoke");

const EXPECT: Record<string, string> = {
  "echo_server.mjs": "client got back: hello, echo",
  "chat.mjs": "alice saw: bob: hi alice",
  "unix_ipc.mjs": "says 2 + 3 = 5",
  "proxy.mjs": "got 4194304 back",
  "guarded_server.mjs": "after blocking 127.0.0.0/8: refused",
  "reuse_port.mjs": "2 workers listening on 127.0.0.1:",
  "workers_tcp.mjs": "the worker got: hi, worker",
};

/** Node added `reusePort` in 22.12 and 23.1; before that omninet refuses it loudly. */
function nodeLacksReusePort(): boolean {
  if (currentRuntime() !== "node") return false;
  const [major, minor] = process.versions.node.split(".").map(Number);
  return major < 22 || (major === 22 && minor < 12) || (major === 23 && minor < 1);
}

if (nodeLacksReusePort()) {
  delete EXPECT["reuse_port.mjs"];
  examples(
    "reuse_port.mjs fails with ERR_FEATURE_UNAVAILABLE_ON_PLATFORM on this Node",
    async () => {
      const { code, out } = await runExample("reuse_port.mjs");
      assert.is(code, 1, out);
      assert.ok(out.includes("reusePort failed: ERR_FEATURE_UNAVAILABLE_ON_PLATFORM"), out);
    },
  );
}

for (const [name, line] of Object.entries(EXPECT)) {
  examples(`${name} runs one round and exits 0`, async () => {
    const { code, out } = await runExample(name);
    assert.is(code, 0, out);
    assert.ok(out.includes(line), out);
    assert.is(out.trim().split("\n").at(-1), "ok", out);
  });
}

examples.run();
