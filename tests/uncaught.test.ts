// An exception thrown by user code in a socket's callbacks is uncaught, as on
// Node: it reaches 'uncaughtException', or ends the process. Deno's handles
// dropped what their connect, accept and write completions threw (its own
// node:net hangs on or exits 0 there); found through Node's
// test-net-socket-write-after-close.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { spawnScript } from "./_runtime.ts";

const test = suite("exceptions thrown in socket callbacks");

for (const where of ["connect", "connection", "write", "drain"]) {
  test(`a throw in the ${where} callback reaches 'uncaughtException'`, async () => {
    const r = await spawnScript("fixtures/callback_throw", [where, "handled"], {}, {
      timeoutMs: 15_000,
    });
    assert.is(r.timedOut, false, r.stderr);
    assert.is(r.stdout.trim(), `caught ${where}`, r.stderr);
    assert.is(r.code, 0, r.stderr);
  });

  test(`a throw in the ${where} callback nobody catches ends the process`, async () => {
    const r = await spawnScript("fixtures/callback_throw", [where, "crash"], {}, {
      timeoutMs: 15_000,
    });
    assert.is(r.timedOut, false, r.stderr);
    assert.ok(r.code !== 0 && r.code !== null, `exit code ${r.code}`);
    assert.match(r.stderr, `boom in ${where}`);
  });
}

test.run();
