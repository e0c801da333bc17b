// connect() on `new Socket({ fd })` whose descriptor is bound but not
// connected: Node connects that very descriptor, so the socket goes out from
// its bound end (Node's own test-net-connect-options-fd does this with pipes).
// The socket is made by a Node launcher and inherited as the child's fd 3.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { getTransport } from "../runtimes/mod.ts";
import { currentRuntime, type SpawnResult, spawnScript } from "./_runtime.ts";

const fdSuite = suite("connect() over a descriptor's socket");
const GUARD_MS = 20_000;

function runChild(kind: "tcp" | "unix"): Promise<SpawnResult> {
  return spawnScript("fixtures/connect_fd", [kind], {}, {
    launcher: "listen_fd_launcher.mjs",
    launcherArgs: [`${kind}-bound`],
    timeoutMs: GUARD_MS,
  });
}

// Bun opens any socket descriptor as connected and has no call that connects one, and
// Deno's TCP handles connect a new socket whatever descriptor they opened: there, as
// with each runtime's own node:net, the dial goes out from a new socket's end
// (README, "What differs per runtime"). Unix descriptors keep their path on Deno.
const keepsTcpEnd = currentRuntime() === "node";

fdSuite("a bound TCP descriptor connects from its bound port", async () => {
  const r = await runChild("tcp");
  assert.is(r.code, 0, r.stderr);
  if (getTransport().openFd === undefined) {
    return assert.is(r.stdout, "error ERR_FEATURE_UNAVAILABLE_ON_PLATFORM\n");
  }
  assert.is(r.stdout, `connected reply=pong kept=${keepsTcpEnd ? "yes" : "no"}\n`, r.stderr);
});

fdSuite("a bound Unix descriptor connects to a path", async () => {
  const r = await runChild("unix");
  assert.is(r.code, 0, r.stderr);
  if (getTransport().openFd === undefined) {
    return assert.is(r.stdout, "error ERR_FEATURE_UNAVAILABLE_ON_PLATFORM\n");
  }
  assert.is(r.stdout, "connected reply=pong kept=-\n", r.stderr);
});

fdSuite.run();
