// server.listen({ fd }) on an inherited listening socket, run in a child
// that a Node launcher starts with the socket as fd 3.
import { spawn } from "node:child_process";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { getTransport } from "../runtimes/mod.ts";
import { currentRuntime } from "./_runtime.ts";

const fdSuite = suite("server.listen({ fd })");
const GUARD_MS = 20_000;

function runChild(): Promise<{ stdout: string; stderr: string; code: number | null }> {
  const here = (import.meta as { url: string }).url;
  const ext = here.endsWith(".js") ? ".js" : ".ts";
  const fixture = fileURLToPath(new URL(`./fixtures/listen_fd${ext}`, here));
  // Plain JavaScript for Node, not built: from dist/tests/ it is read in the sources.
  const from = ext === ".js" ? "../../tests/fixtures/" : "./fixtures/";
  const launcher = fileURLToPath(new URL(`${from}listen_fd_launcher.mjs`, here));
  const rt = currentRuntime();
  const pre = rt === "deno" ? ["run", "-A", "--quiet"] : rt === "node" ? process.execArgv : [];
  const node = rt === "node" ? process.execPath : "node";
  const child = spawn(node, [launcher, process.execPath, ...pre, fixture], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
  child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  const timer = setTimeout(() => child.kill("SIGKILL"), GUARD_MS);
  return new Promise((resolve) =>
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, code });
    })
  );
}

fdSuite("accepts on the inherited socket, or fails loudly where the transport cannot", async () => {
  const r = await runChild();
  assert.is(r.code, 0, r.stderr);
  if (getTransport().listenFd === undefined) {
    return assert.is(r.stdout, "error ERR_FEATURE_UNAVAILABLE_ON_PLATFORM\n");
  }
  assert.is(r.stdout, "listening IPv4 echo=ping\n", r.stderr);
});

fdSuite.run();
