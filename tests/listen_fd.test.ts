// server.listen({ fd }) on an inherited listening socket, run in a child
// that a Node launcher starts with the socket as fd 3.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { getTransport } from "../runtimes/mod.ts";
import { type SpawnResult, spawnScript } from "./_runtime.ts";

const fdSuite = suite("server.listen({ fd })");
const GUARD_MS = 20_000;

function runChild(): Promise<SpawnResult> {
  return spawnScript("fixtures/listen_fd", [], {}, {
    launcher: "listen_fd_launcher.mjs",
    launcherArgs: ["tcp"],
    timeoutMs: GUARD_MS,
  });
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
